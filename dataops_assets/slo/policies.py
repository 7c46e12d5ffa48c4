"""A product's SLO fields as Dagster objects: the freshness policy of its assets, the retry policy of its steps."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from dataops_assets.catalog.spec import Backoff, RetrySpec, Slos

# Freshness warns once this share of the budget has passed, and fails past the whole budget.
WARN_SHARE = 0.8
_BACKOFF = {Backoff.NONE: None, Backoff.LINEAR: dg.Backoff.LINEAR, Backoff.EXPONENTIAL: dg.Backoff.EXPONENTIAL}


def freshness_policy(slos: Slos) -> dg.FreshnessPolicy:
    """PASS while the last materialization is younger than 80 % of the budget, WARN until the budget,
    FAIL past it; Dagster's freshness daemon (started by `dagster dev`) evaluates it."""
    budget = dt.timedelta(minutes=slos.freshness_minutes)
    return dg.FreshnessPolicy.time_window(fail_window=budget, warn_window=budget * WARN_SHARE)


def retry_policy(retries: RetrySpec) -> dg.RetryPolicy:
    return dg.RetryPolicy(max_retries=retries.max_retries, delay=retries.delay_seconds,
                          backoff=_BACKOFF[retries.backoff])
