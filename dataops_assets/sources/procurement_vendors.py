"""Procurement dimensions: vendors with a steady spend level, and their chains of contracts.

Spend history covers SPEND_HISTORY_DAYS (or the window, if longer) up to the window's end day,
so a year of monthly history precedes the newest months. Each vendor buys at its own steady
rate: invoices arrive with its popularity share, for its typical amount. Its contracts run
back to back (the next starts the day after the previous ends) over the whole spend history;
the last is active past the end date, each contract's value is the spend expected over its term
plus headroom.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from dataops_assets.sources import fake_catalog as cat
from dataops_assets.sources.landing_tables import (
    CONTRACT_TERM_DAYS, COUNTRIES, contracts_per_vendor_at_least, spend_history_days,
)
from dataops_assets.sources.random_columns import (
    LandingContext, categorical, choose_within, days_before, flatten, popularity_cdf, round_money,
)

MAVERICK_SHARE = 0.03  # small purchases without a contract
MAVERICK_AMOUNT = 0.3  # of the vendor's typical invoice
INVOICE_SIGMA = 0.35
INVOICE_MEAN = math.exp(INVOICE_SIGMA**2 / 2)  # mean of the lognormal factor on the typical amount
TERMINATED_SHARE = 0.10  # of the contracts before the active one; the rest expired
CONTRACT_HEADROOM = (1.05, 1.4)
CONTRACT_STATUSES = ("active", "expired", "terminated")
ACTIVE, EXPIRED, TERMINATED = range(3)
DAYS_PER_MONTH = 365.25 / 12
SUFFIX_WORDS, _SUFFIX_OFF, _SUFFIX_LEN = flatten([cat.VENDOR_SUFFIXES[c] for c in COUNTRIES])
_CATEGORY_SPEND = np.array(cat.VENDOR_CATEGORY_SPEND)


class SpendDays(NamedTuple):
    """The days spend may be dated on: first .. last (inclusive)."""

    first: np.datetime64
    last: np.datetime64
    count: int


def spend_days(ctx: LandingContext) -> SpendDays:
    count = spend_history_days(ctx.window.days)
    last = np.datetime64(ctx.window.end_date, "D")
    return SpendDays(last - np.timedelta64(count - 1, "D"), last, count)


def vendor_dim(ctx: LandingContext) -> dict[str, np.ndarray]:
    """Vendor attributes, purchasing propensity and expected spend, memoized."""

    def build(c: LandingContext) -> dict[str, np.ndarray]:
        rng, n = c.rng("vendors"), c.rows["vendors"]
        country = categorical(rng, n, (0.5, 0.08, 0.14, 0.12, 0.08, 0.04, 0.04))
        category = categorical(rng, n, (0.22, 0.14, 0.16, 0.18, 0.14, 0.16))
        cdf = popularity_cdf(c.rng("vendors/popularity"), n, 1.0, 3.0)
        typical = _CATEGORY_SPEND[category] * np.exp(0.5 * c.rng("vendors/typical").standard_normal(n))
        invoices_per_day = c.rows["spend"] * np.diff(cdf, prepend=0.0) / spend_days(c).count
        return {
            "num": c.ids("vendors", 90_000, 10_000)(np.arange(n)),
            "category": category,
            "country": country,
            "word": rng.integers(0, len(cat.VENDOR_WORDS), n),
            "noun": rng.integers(0, len(cat.VENDOR_NOUNS), n),
            "suffix": choose_within(rng, _SUFFIX_OFF[country], _SUFFIX_LEN[country]),
            "risk": categorical(rng, n, (0.6, 0.3, 0.1)),
            "onboarded": days_before(rng, c.window.end_date, n, 30, 15 * 365),
            "cdf": cdf,
            "typical": typical,
            # Expected spend per day: on contract, and in all (with the small maverick purchases).
            "contract_daily": invoices_per_day * (1 - MAVERICK_SHARE) * typical * INVOICE_MEAN,
            "daily": invoices_per_day * (1 - MAVERICK_SHARE * (1 - MAVERICK_AMOUNT)) * typical * INVOICE_MEAN,
        }

    return ctx.memo("vendors", build)


def _contracts_per_vendor(rng: np.random.Generator, total: int, vendors: int, at_least: int) -> np.ndarray:
    """`total` contracts spread over vendors, `at_least` each (row_counts makes that fit)."""
    return at_least + rng.multinomial(total - at_least * vendors, np.full(vendors, 1.0 / vendors))


def contract_dim(ctx: LandingContext) -> dict[str, np.ndarray]:
    """Contract chains, one per vendor, sorted by vendor and start date, memoized."""

    def build(c: LandingContext) -> dict[str, np.ndarray]:
        rng, vendors, days = c.rng("contracts"), vendor_dim(c), spend_days(c)
        n_v = vendors["num"].size
        need = days.count + 1  # the chain covers the history and ends at least a day after it
        at_least = contracts_per_vendor_at_least(c.window.days)
        per_vendor = _contracts_per_vendor(rng, c.rows["contracts"], n_v, at_least)
        n = int(per_vendor.sum())
        vendor = np.repeat(np.arange(n_v), per_vendor)
        term = rng.integers(CONTRACT_TERM_DAYS[0], CONTRACT_TERM_DAYS[1] + 1, n)
        # Chains too short to cover the history draw their terms again from [need / count, max].
        shortest = np.ceil(need / per_vendor).astype(np.int64)[vendor]
        longer = shortest + np.floor(rng.random(n) * (CONTRACT_TERM_DAYS[1] + 1 - shortest)).astype(np.int64)
        term = np.where(np.bincount(vendor, term, n_v)[vendor] < need, longer, term)
        chain = np.bincount(vendor, term, n_v).astype(np.int64)
        last = np.cumsum(per_vendor) - 1
        # The active contract ends 1..(its term - 1) days after the end date, never leaving a gap.
        past_end = 1 + np.floor(rng.random(n_v) * np.minimum(term[last] - 1, chain - days.count)).astype(np.int64)
        later_terms = np.cumsum(term[::-1])[::-1] - term  # terms after each contract, over all vendors
        later_terms -= np.repeat(later_terms[last], per_vendor)
        end = days.last + (past_end[vendor] - later_terms).astype("timedelta64[D]")
        start = end - (term - 1).astype("timedelta64[D]")
        status = np.where(rng.random(n) < TERMINATED_SHARE, TERMINATED, EXPIRED)
        status[last] = ACTIVE
        headroom = rng.uniform(*CONTRACT_HEADROOM, n)
        return {
            "num": c.ids("contracts", 900_000, 100_000)(np.arange(n)),
            "vendor": vendor, "status": status, "start": start, "end": end, "term": term,
            "value": round_money(vendors["contract_daily"][vendor] * term * headroom),
            "lookup": _lookup_keys(vendor, start),
        }

    return ctx.memo("contracts", build)


_VENDOR_STRIDE = np.int64(1 << 32)  # > any day number offset below, so keys sort by vendor then day


def _lookup_keys(vendor: np.ndarray, day: np.ndarray) -> np.ndarray:
    return vendor.astype(np.int64) * _VENDOR_STRIDE + (day.astype(np.int64) + (1 << 31))


def contract_in_force(ctx: LandingContext, vendor: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Index of each vendor's contract in force on each day (any day of the spend history)."""
    keys = contract_dim(ctx)["lookup"]
    return np.searchsorted(keys, _lookup_keys(vendor, day), side="right") - 1
