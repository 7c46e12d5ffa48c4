"""Spend anomalies planted in procurement.spend, and their ground truth.

As many anomalies as 2% of all vendor-months of the spend history (at least MIN_PER_KIND of each
kind), placed only in months with 12 full calendar months of spend history before them (the
current, partial month qualifies), so a trailing-year rule can judge every planted month:
- spend_spike: 1-3 on-contract invoices totalling 10-25x the vendor's expected monthly spend;
- off_contract_spend: 1-3 invoices without a contract totalling 1.5-4x that spend.
"""

from __future__ import annotations

import numpy as np

from dataops_assets.sources import fake_catalog as cat
from dataops_assets.sources.procurement_vendors import DAYS_PER_MONTH, spend_days, vendor_dim
from dataops_assets.sources.random_columns import Columns, LandingContext, key_sql, pick, round_money

ANOMALY_KINDS = ("spend_spike", "off_contract_spend")
SPIKE, OFF_CONTRACT = range(2)
ANOMALY_SHARE = 0.02
MIN_PER_KIND = 3
TOTAL_FACTOR = {SPIKE: (10.0, 25.0), OFF_CONTRACT: (1.5, 4.0)}  # x expected monthly spend
MAX_INVOICES = 3
HISTORY_MONTHS = 12


def _eligible_months(ctx: LandingContext) -> np.ndarray:
    """Months (datetime64[M]) preceded by HISTORY_MONTHS full calendar months of spend history."""
    days = spend_days(ctx)
    first_full = days.first.astype("datetime64[M]")
    if first_full.astype("datetime64[D]") < days.first:
        first_full += 1
    return np.arange(first_full + HISTORY_MONTHS, days.last.astype("datetime64[M]") + 1)


def anomaly_plan(ctx: LandingContext) -> dict[str, np.ndarray]:
    """Planted anomalies (vendor, month, kind, planted amount) and their invoices, memoized."""

    def build(c: LandingContext) -> dict[str, np.ndarray]:
        rng, vendors, days = c.rng("spend/anomalies"), vendor_dim(c), spend_days(c)
        months = _eligible_months(c)
        cells = vendors["num"].size * months.size
        history_months = np.arange(days.first.astype("datetime64[M]"), days.last.astype("datetime64[M]") + 1).size
        n = min(cells, max(2 * MIN_PER_KIND, round(ANOMALY_SHARE * vendors["num"].size * history_months)))
        cell = np.sort(rng.choice(cells, n, replace=False))
        vendor, month = cell // months.size, months[cell % months.size]
        kind = rng.permutation(np.arange(n) % 2)
        low = np.where(kind == SPIKE, TOTAL_FACTOR[SPIKE][0], TOTAL_FACTOR[OFF_CONTRACT][0])
        high = np.where(kind == SPIKE, TOTAL_FACTOR[SPIKE][1], TOTAL_FACTOR[OFF_CONTRACT][1])
        target = rng.uniform(low, high) * vendors["daily"][vendor] * DAYS_PER_MONTH
        per_anomaly = rng.integers(1, MAX_INVOICES + 1, n)
        owner = np.repeat(np.arange(n), per_anomaly)
        weight = 0.5 + rng.random(owner.size)  # no sliver invoices
        amount = np.maximum(round_money(target[owner] * weight / np.bincount(owner, weight, n)[owner]), 0.01)
        first_day = month[owner].astype("datetime64[D]")
        last_day = np.minimum((month[owner] + 1).astype("datetime64[D]") - 1, days.last)
        span = (last_day - first_day).astype(np.int64) + 1
        return {
            "vendor": vendor, "month": month, "kind": kind, "planted": round_money(np.bincount(owner, amount, n)),
            "invoice_vendor": vendor[owner], "invoice_amount": amount,
            "invoice_day": first_day + np.floor(rng.random(owner.size) * span).astype("timedelta64[D]"),
            "invoice_on_contract": kind[owner] == SPIKE,
        }

    return ctx.memo("spend/anomalies", build)


def spend_anomaly_truth(ctx: LandingContext) -> Columns:
    """Rows of ground_truth/procurement_spend_anomalies: one per planted vendor-month."""
    plan, vendors = anomaly_plan(ctx), vendor_dim(ctx)
    return {
        "_vendor": vendors["num"][plan["vendor"]],
        "vendor_id": key_sql("VND-", "_vendor", 5),
        "category": pick(cat.VENDOR_CATEGORIES, vendors["category"][plan["vendor"]]),
        "spend_month": plan["month"].astype("datetime64[D]"),
        "anomaly": pick(ANOMALY_KINDS, plan["kind"]),
        "planted_amount": plan["planted"],
    }
