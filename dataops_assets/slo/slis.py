"""Service level indicators of one product, computed from publication times: pure, so every figure can be
checked by hand. Times are UTC datetimes; a product is published when every one of its public models is.

- availability: the share of closed refresh intervals (consecutive ticks of the product's cron) in which
  every public model was published at least once;
- freshness: minutes since the stalest public model's latest publication; its error budget is the
  stale time the availability target allows over the window;
- completeness: the completeness dimension of the latest quality checks, in %;
- latency p50/p95/p99: percentiles of the requests the serving layer recorded in the window.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from dataops_assets.slo.cadence import ticks_between
from dataops_assets.slo.policies import WARN_SHARE

Interval = tuple[dt.datetime, dt.datetime]


class Status(StrEnum):
    MET = "met"
    BREACHED = "breached"
    UNKNOWN = "unknown"  # no data yet; the reason says why


class FreshnessState(StrEnum):
    """As Dagster's freshness policy reports it: WARN from 80 % of the budget, FAIL from the budget on."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class ErrorBudget:
    unit: str
    allowed: float  # over the window
    spent: float
    left: float  # negative once overspent


@dataclass(frozen=True)
class Sli:
    slo: str  # availability | freshness | completeness | latency_p50 | latency_p95 | latency_p99
    target: float
    unit: str
    observed: float | None
    status: Status
    reason: str | None = None  # why `observed` is null
    error_budget: ErrorBudget | None = None
    details: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


def unknown(slo: str, target: float, unit: str, reason: str) -> Sli:
    return Sli(slo, target, unit, None, Status.UNKNOWN, reason)


def live_since(publications: Mapping[str, Sequence[dt.datetime]]) -> dt.datetime | None:
    """When the product was first published whole: the latest of its models' first publications."""
    if not publications or not all(publications.values()):
        return None
    return max(min(times) for times in publications.values())


def availability(publications: Mapping[str, Sequence[dt.datetime]], cron: str, window: Interval,
                 target_pct: float) -> Sli:
    """Closed refresh intervals since the product went live (or the window's start) in which every
    public model was published, over all closed intervals; the budget is failed intervals allowed."""
    start = live_since(publications)
    if start is None:
        return unknown("availability", target_pct, "%", "not published yet")
    ticks = ticks_between(cron, max(start, window[0]), window[1])
    intervals = list(zip(ticks, ticks[1:], strict=False))
    if not intervals:
        return unknown("availability", target_pct, "%", f"no refresh interval of {cron!r} has closed in the window")
    published = sum(1 for begin, end in intervals
                    if all(any(begin <= t < end for t in times) for times in publications.values()))
    failed = len(intervals) - published
    observed = round(100 * published / len(intervals), 4)
    allowed = len(intervals) * (1 - target_pct / 100)
    return Sli("availability", target_pct, "%", observed, _status(observed >= target_pct),
               error_budget=ErrorBudget("failed publications", round(allowed, 2), failed, round(allowed - failed, 2)),
               details={"expected_publications": len(intervals), "succeeded": published, "cron": cron})


def freshness_state(age_minutes: float, budget_minutes: float) -> FreshnessState:
    if age_minutes >= budget_minutes:
        return FreshnessState.FAIL
    if age_minutes >= WARN_SHARE * budget_minutes:
        return FreshnessState.WARN
    return FreshnessState.PASS


def freshness(publications: Mapping[str, Sequence[dt.datetime]], budget_minutes: float, window: Interval,
              availability_pct: float) -> Sli:
    """Age of the stalest public model now; the budget is the stale minutes the availability target
    allows over the part of the window since the product went live."""
    start = live_since(publications)
    now = window[1]
    latest = [max((t for t in times if t <= now), default=None) for times in publications.values()]
    if start is None or None in latest:
        return unknown("freshness", budget_minutes, "minutes", "not published yet")
    age = (now - min(latest)).total_seconds() / 60
    span = (max(start, window[0]), now)
    stale = _measure_minutes(_union(_stale_intervals(times, budget_minutes, span) for times in publications.values()))
    allowed = _minutes(span) * (1 - availability_pct / 100)
    return Sli("freshness", budget_minutes, "minutes", round(age, 2), _status(age < budget_minutes),
               error_budget=ErrorBudget("stale minutes", round(allowed, 2), round(stale, 2), round(allowed - stale, 2)),
               details={"state": freshness_state(age, budget_minutes).value,
                        "published_at": min(latest).isoformat()})


def completeness(observed_pct: float | None, target_pct: float, reason: str | None = None) -> Sli:
    if observed_pct is None:
        return unknown("completeness", target_pct, "%", reason or "no completeness check has run")
    return Sli("completeness", target_pct, "%", observed_pct, _status(observed_pct >= target_pct),
               error_budget=ErrorBudget("percentage points", round(100 - target_pct, 4),
                                        round(100 - observed_pct, 4), round(observed_pct - target_pct, 4)))


def latency(samples_ms: Sequence[float], percentile: int, target_ms: float) -> Sli:
    slo = f"latency_p{percentile}"
    if not samples_ms:
        return unknown(slo, target_ms, "ms", "no requests recorded by the serving layer in the window")
    observed = nearest_rank(samples_ms, percentile)
    over = sum(1 for s in samples_ms if s > target_ms)
    allowed = len(samples_ms) * (1 - percentile / 100)
    return Sli(slo, target_ms, "ms", observed, _status(observed <= target_ms),
               error_budget=ErrorBudget(f"requests slower than {target_ms:g} ms", round(allowed, 2), over,
                                        round(allowed - over, 2)),
               details={"requests": len(samples_ms)})


def nearest_rank(samples: Sequence[float], percentile: int) -> float:
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(percentile / 100 * len(ordered))) - 1]


def _status(met: bool) -> Status:
    return Status.MET if met else Status.BREACHED


def _stale_intervals(times: Sequence[dt.datetime], budget_minutes: float, span: Interval) -> list[Interval]:
    """Where in `span` the model's latest publication was at least `budget_minutes` old."""
    budget = dt.timedelta(minutes=budget_minutes)
    fresh = _union([[(t, t + budget) for t in times]])
    stale, cursor = [], span[0]
    for begin, end in fresh:
        if begin > cursor:
            stale.append((cursor, min(begin, span[1])))
        cursor = max(cursor, end)
    if cursor < span[1]:
        stale.append((cursor, span[1]))
    return [(b, e) for b, e in stale if e > b]


def _union(groups) -> list[Interval]:
    merged: list[Interval] = []
    for begin, end in sorted(i for group in groups for i in group):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _measure_minutes(intervals: Sequence[Interval]) -> float:
    return sum(_minutes(i) for i in intervals)


def _minutes(interval: Interval) -> float:
    return (interval[1] - interval[0]).total_seconds() / 60
