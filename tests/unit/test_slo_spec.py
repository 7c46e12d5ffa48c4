"""SLO, refresh and retry fields of a spec: what they become in Dagster, and every impossible value refused."""

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import pytest

from dataops_assets.catalog.errors import SpecError
from dataops_assets.catalog.products import load_products
from dataops_assets.catalog.spec import RetrySpec
from dataops_assets.slo.cadence import derived_schedule, longest_gap_minutes
from dataops_assets.slo.policies import freshness_policy, retry_policy

FIXTURE = Path(__file__).parent.parent / "fixtures" / "manifest_products.json"
WHERE = "models/products/mission_logistics/_product.yml: group 'mission_logistics': "


@pytest.fixture
def manifest() -> dict:
    return json.loads(FIXTURE.read_text())


def _spec(manifest: dict, product: str = "mission_logistics") -> dict:
    return manifest["groups"][f"group.dataops.{product}"]["config"]["meta"]["data_product"]


def _load_error(manifest: dict) -> str:
    with pytest.raises(SpecError) as excinfo:
        load_products(manifest)
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith(WHERE), message
    return message[len(WHERE):]


def test_every_product_refreshes_within_its_freshness_budget(manifest):
    for product in load_products(manifest).values():
        assert longest_gap_minutes(product.refresh_schedule) < product.spec.slos.freshness_minutes, product.id
    assert load_products(manifest)["mission_logistics"].refresh_schedule == "*/2 * * * *"


def test_unset_refresh_schedule_is_derived_from_the_freshness_budget(manifest):
    del _spec(manifest)["refresh_schedule"]
    assert load_products(manifest)["mission_logistics"].refresh_schedule == "*/2 * * * *"
    assert [derived_schedule(m) for m in (1.25, 5, 60, 240, 1440, 20_000)] == [
        "* * * * *", "*/2 * * * *", "*/30 * * * *", "0 */2 * * *", "0 */12 * * *", "0 0 * * *"]


def test_freshness_policy_warns_at_80_percent_and_fails_at_the_budget(manifest):
    policy = freshness_policy(load_products(manifest)["sales_daily_metrics"].spec.slos)
    assert isinstance(policy, dg.FreshnessPolicy)
    assert policy.fail_window.to_timedelta() == dt.timedelta(minutes=60)
    assert policy.warn_window.to_timedelta() == dt.timedelta(minutes=48)


def test_retry_policy_is_the_specs(manifest):
    spec = load_products(manifest)["customer_360"].spec.retry_policy
    policy = retry_policy(spec)
    assert (policy.max_retries, policy.delay, policy.backoff) == (3, 60, dg.Backoff.EXPONENTIAL)
    # Dagster's own delays equal the waits the spec check adds up.
    assert [policy.calculate_delay(n) for n in (1, 2, 3)] == list(spec.waits()) == [60, 180, 420]
    assert RetrySpec(max_retries=2, delay_seconds=10, backoff="linear").waits() == (10, 20)
    assert RetrySpec(max_retries=2, delay_seconds=10, backoff="none").waits() == (10, 10)


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("refresh_schedule", "every five minutes", "field 'refresh_schedule': expected a 5-field cron expression (UTC), "
                                               "got 'every five minutes'"),
    ("refresh_schedule", "0 * * * *", "field 'refresh_schedule': '0 * * * *' leaves up to 60 min between refreshes; "
                                      "expected less than slos.freshness_minutes (5)"),
    ("retry_policy", {"max_retries": 3, "delay_seconds": 60, "backoff": "exponential"},
     "field 'retry_policy': 3 retries wait 660 s in all; expected less than slos.freshness_minutes (5 min = 300 s)"),
    ("retry_policy", {"max_retries": -1}, "field 'retry_policy.max_retries': input should be greater than or equal "
                                          "to 0, got -1"),
    ("retry_policy", {"max_retries": 1, "backoff": "quadratic"}, "field 'retry_policy.backoff': input should be "
                                                                 "'none', 'linear' or 'exponential', got 'quadratic'"),
    ("retry_policy", {"attempts": 2}, "field 'retry_policy.attempts': extra inputs are not permitted, got 2"),
])
def test_impossible_refresh_or_retry_fails_loading_with_one_line(manifest, field, value, expected):
    _spec(manifest)[field] = value
    assert _load_error(manifest) == expected


@pytest.mark.parametrize(("slo", "value", "expected"), [
    ("availability_pct", 100, "field 'slos.availability_pct': input should be less than 100, got 100"),
    ("freshness_minutes", 1, "field 'slos.freshness_minutes': input should be greater than or equal to 1.25, got 1"),
    ("latency_p50_ms", 80, "field 'slos': expected latency_p50_ms <= latency_p95_ms <= latency_p99_ms, "
                           "got 80, 50, 100"),
    ("latency_p99_ms", 40, "field 'slos': expected latency_p50_ms <= latency_p95_ms <= latency_p99_ms, "
                           "got 20, 50, 40"),
])
def test_impossible_slo_fails_loading_with_one_line(manifest, slo, value, expected):
    _spec(manifest)["slos"][slo] = value
    assert _load_error(manifest) == expected
