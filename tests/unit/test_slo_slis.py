"""SLIs and error budgets on controlled timestamps, each figure computed by hand in the comment above it."""

import datetime as dt

import pytest

from dataops_assets.slo import slis
from dataops_assets.slo.alerts import state_changes
from dataops_assets.slo.slis import FreshnessState, Status

T0 = dt.datetime(2026, 11, 1, 0, 0, tzinfo=dt.timezone.utc)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(("age", "state"), [(0, "pass"), (47.9, "pass"), (48, "warn"), (59.9, "warn"),
                                            (60, "fail"), (600, "fail")])
def test_freshness_passes_warns_at_80_percent_and_fails_past_the_budget(age, state):
    assert slis.freshness_state(age, 60) == FreshnessState(state)


def test_freshness_sli_reads_the_stalest_model():
    pubs = {"a": [at(0), at(100)], "b": [at(0), at(130)]}
    sli = slis.freshness(pubs, 60, (at(-1000), at(150)), 99.0)
    # a was published 50 min before now (150), b 20 min: the product is as old as a, past 80 % of 60.
    assert (sli.observed, sli.status, sli.details["state"]) == (50, Status.MET, "warn")
    assert slis.freshness(pubs, 60, (at(-1000), at(140)), 99.0).details["state"] == "pass"
    sli = slis.freshness(pubs, 60, (at(-1000), at(170)), 99.0)
    assert (sli.observed, sli.status, sli.details["state"]) == (70, Status.BREACHED, "fail")


def test_freshness_error_budget_is_the_stale_minutes_the_availability_target_allows():
    # Budget 60 min. Model a: published at 0 and 100 -> fresh [0,60) and [100,160): stale [60,100) = 40 min,
    # then stale again [160,200) = 40 min. Model b: published at 0, 30, 90, 150 -> fresh [0,210): never stale.
    pubs = {"a": [at(0), at(100)], "b": [at(0), at(30), at(90), at(150)]}
    sli = slis.freshness(pubs, 60, (at(-500), at(200)), 90.0)
    # Live since 0 (both models published): the span is [0, 200) = 200 min; 10 % of it may be stale = 20.
    assert sli.error_budget.allowed == 20
    assert sli.error_budget.spent == 80
    assert sli.error_budget.left == -60


def test_availability_counts_closed_refresh_intervals_with_every_model_published():
    # Every 30 min; live from 00:02 (b's first publication), now 03:10 -> closed intervals
    # [30,60) [60,90) [90,120) [120,150) [150,180): 5 expected.
    pubs = {
        "a": [at(1), at(31), at(61), at(91), at(121), at(151)],  # every interval
        "b": [at(2), at(32), at(95), at(152)],  # misses [60,90) and [120,150)
    }
    sli = slis.availability(pubs, "*/30 * * * *", (at(-60), at(190)), 99.0)
    assert sli.details == {"expected_publications": 5, "succeeded": 3, "cron": "*/30 * * * *"}
    assert sli.observed == 60.0
    assert sli.status == Status.BREACHED
    # 1 % of 5 intervals may fail: 0.05; 2 failed.
    assert (sli.error_budget.allowed, sli.error_budget.spent, sli.error_budget.left) == (0.05, 2, -1.95)


def test_availability_starts_counting_when_the_product_went_live():
    # b first published at 62: live from 62; ticks at 90, 120, 150, 180 -> 3 closed intervals, all published.
    pubs = {"a": [at(1), at(95), at(125), at(155)], "b": [at(62), at(96), at(126), at(156)]}
    sli = slis.availability(pubs, "*/30 * * * *", (at(-60), at(190)), 99.0)
    assert (sli.details["expected_publications"], sli.observed, sli.status) == (3, 100.0, Status.MET)


def test_no_publication_is_unknown_with_a_reason():
    for sli in (slis.availability({"a": []}, "* * * * *", (at(0), at(10)), 99.0),
                slis.freshness({"a": []}, 60, (at(0), at(10)), 99.0)):
        assert (sli.observed, sli.status, sli.reason) == (None, Status.UNKNOWN, "not published yet")


def test_latency_percentiles_by_nearest_rank():
    samples = [float(ms) for ms in range(1, 101)]  # 1..100 ms
    assert [slis.latency(samples, p, 96).observed for p in (50, 95, 99)] == [50, 95, 99]
    p99 = slis.latency(samples, 99, 96)
    # 4 requests slower than 96 ms; 1 % of 100 allowed.
    assert (p99.status, p99.error_budget.spent, p99.error_budget.left) == (Status.BREACHED, 4, -3)
    assert slis.latency([], 95, 200).reason == "no requests recorded by the serving layer in the window"


def test_completeness_against_its_target():
    assert slis.completeness(99.7, 99.5).status == Status.MET
    low = slis.completeness(98.0, 99.5)
    assert (low.status, low.error_budget.left) == (Status.BREACHED, -1.5)


def _report(status: str, observed: float = 70) -> dict:
    sli = {"slo": "freshness", "status": status, "target": 60, "observed": observed, "unit": "minutes"}
    return {"generated_at": "2026-11-01T00:00:00+00:00",
            "products": [{"id": "p", "owner": "o@example.com", "slis": [sli]}]}


def test_one_alert_per_breach_and_per_recovery_never_per_evaluation():
    state, sent = {}, []
    for status in ("met", "breached", "breached", "unknown", "breached", "met", "met", "breached"):
        alerts, state = state_changes(state, _report(status))
        sent += [a.kind for a in alerts]
    assert sent == ["breach", "recovery", "breach"]
