"""Builders for procurement.vendors/contracts/spend."""

from __future__ import annotations

import numpy as np

from dataops_assets.sources import fake_catalog as cat
from dataops_assets.sources.landing_tables import COUNTRIES
from dataops_assets.sources.random_columns import (
    Chunk, Columns, LandingContext, Sql, categorical, choose_within, days_before, event_times,
    exact_categorical, flatten, key_sql, lognormal_amounts, nullable, pick, popularity_cdf,
    round_money, sample_cdf,
)

CONTRACT_STATUSES = ("active", "expired", "terminated")
OFF_CONTRACT_SHARE = 0.10
OUTLIER_SHARE = 0.005
COST_CENTERS = 60
_SUFFIXES, _SUFFIX_OFF, _SUFFIX_LEN = flatten([cat.VENDOR_SUFFIXES[c] for c in COUNTRIES])
_CATEGORY_SPEND = np.array(cat.VENDOR_CATEGORY_SPEND)


def vendor_dim(ctx: LandingContext) -> dict[str, np.ndarray]:
    """Vendor attributes and purchasing propensity, memoized."""

    def build(c: LandingContext) -> dict[str, np.ndarray]:
        rng, n = c.rng("vendors"), c.rows["vendors"]
        country = categorical(rng, n, (0.5, 0.08, 0.14, 0.12, 0.08, 0.04, 0.04))
        return {
            "num": c.ids("vendors", 90_000, 10_000)(np.arange(n)),
            "category": categorical(rng, n, (0.22, 0.14, 0.16, 0.18, 0.14, 0.16)),
            "country": country,
            "word": rng.integers(0, len(cat.VENDOR_WORDS), n),
            "noun": rng.integers(0, len(cat.VENDOR_NOUNS), n),
            "suffix": choose_within(rng, _SUFFIX_OFF[country], _SUFFIX_LEN[country]),
            "risk": categorical(rng, n, (0.6, 0.3, 0.1)),
            "onboarded": days_before(rng, c.window.end_date, n, 30, 15 * 365),
            "cdf": popularity_cdf(c.rng("vendors/popularity"), n, 1.0, 3.0),
        }

    return ctx.memo("vendors", build)


def contract_dim(ctx: LandingContext) -> dict[str, np.ndarray]:
    """Contract attributes, memoized; every vendor has at least one contract when possible."""

    def build(c: LandingContext) -> dict[str, np.ndarray]:
        rng, n, end = c.rng("contracts"), c.rows["contracts"], c.window.end_date
        vendors = vendor_dim(c)
        n_v = vendors["num"].size
        covered = np.arange(min(n, n_v))
        vendor = rng.permutation(np.concatenate([covered, sample_cdf(rng, vendors["cdf"], n - covered.size)]))
        status = exact_categorical(rng, n, (0.55, 0.35, 0.10))
        active = status == 0
        # Active contracts run past end_date; expired/terminated ones ended before it.
        stop = np.where(active, days_before(rng, end, n, -1095, -30), days_before(rng, end, n, 1, 730))
        length = np.where(status == 2, rng.integers(60, 731, n), rng.integers(180, 1096, n))
        start = np.where(active, days_before(rng, end, n, 30, 1095), stop - length.astype("timedelta64[D]"))
        window_start = np.datetime64(c.window.start_date, "D")
        return {
            "num": c.ids("contracts", 900_000, 100_000)(np.arange(n)),
            "vendor": vendor, "status": status, "start": start, "end": stop,
            "value": lognormal_amounts(rng, 250_000.0, 1.0, n),
            "live": np.flatnonzero(stop >= window_start),  # contracts that can carry window spend
        }

    return ctx.memo("contracts", build)


def build_vendors(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    dim, contracts = vendor_dim(ctx), contract_dim(ctx)
    # A vendor is onboarded no later than its first contract starts.
    onboarded = dim["onboarded"].copy()
    np.minimum.at(onboarded, contracts["vendor"], contracts["start"])
    part = slice(chunk.start, chunk.stop)
    return {"vendors": {
        "_num": dim["num"][part],
        "_w1": pick(cat.VENDOR_WORDS, dim["word"][part]), "_w2": pick(cat.VENDOR_NOUNS, dim["noun"][part]),
        "_suffix": pick(_SUFFIXES, dim["suffix"][part]),
        "vendor_id": key_sql("VND-", "_num", 5),
        "vendor_name": Sql("_w1 || ' ' || _w2 || ' ' || _suffix"),
        "category": pick(cat.VENDOR_CATEGORIES, dim["category"][part]),
        "country": pick(COUNTRIES, dim["country"][part]),
        "risk_rating": pick(("low", "medium", "high"), dim["risk"][part]),
        "onboarded_on": onboarded[part],
    }}


def build_contracts(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    dim, vendors = contract_dim(ctx), vendor_dim(ctx)
    part = slice(chunk.start, chunk.stop)
    vendor = dim["vendor"][part]
    return {"contracts": {
        "_num": dim["num"][part], "_vendor": vendors["num"][vendor],
        "contract_id": key_sql("CTR-", "_num", 6),
        "vendor_id": key_sql("VND-", "_vendor", 5),
        "category": pick(cat.VENDOR_CATEGORIES, vendors["category"][vendor]),
        "start_date": dim["start"][part], "end_date": dim["end"][part],
        "contract_value": dim["value"][part],
        "currency": Sql("'USD'"),
        "status": pick(CONTRACT_STATUSES, dim["status"][part]),
    }}


def build_spend(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    rng, n, window = ctx.rng("spend", chunk.number), chunk.size, ctx.window
    vendors, contracts = vendor_dim(ctx), contract_dim(ctx)
    live = contracts["live"]
    live_cdf = ctx.memo("contracts:cdf", lambda c: popularity_cdf(c.rng("contracts/popularity"), live.size, 0.8, 5.0))
    contract = live[sample_cdf(rng, live_cdf, n)]
    on_contract = rng.random(n) >= OFF_CONTRACT_SHARE
    on_contract[0] = False  # row 0 is dated end_date by event_times; keep it valid for any contract
    vendor = np.where(on_contract, contracts["vendor"][contract], sample_cdf(rng, vendors["cdf"], n))
    # On-contract spend is dated inside both the window and the contract's term.
    low = np.maximum(contracts["start"][contract], np.datetime64(window.start_date, "D"))
    high = np.minimum(contracts["end"][contract], np.datetime64(window.end_date, "D"))
    span = (high - low).astype(np.int64) + 1
    in_term = low + np.floor(rng.random(n) * span).astype(np.int64).astype("timedelta64[D]")
    date = np.where(on_contract, in_term, event_times(rng, window, n).astype("datetime64[D]"))
    category = vendors["category"][vendor]
    amount = lognormal_amounts(rng, _CATEGORY_SPEND[category], 0.9, n)
    outlier = rng.random(n) < OUTLIER_SHARE
    amount = np.where(outlier, round_money(amount * rng.uniform(10.0, 50.0, n)), amount)
    index = chunk.start + rng.permutation(n)
    return {"spend": {
        "_num": ctx.ids("spend", 10**10)(index),
        "_invoice": ctx.ids("spend/invoice", 10**9, capacity=ctx.rows["spend"])(index),
        "_contract": nullable(contracts["num"][contract], ~on_contract),
        "_vendor": vendors["num"][vendor],
        "_cc": 100 + rng.integers(0, COST_CENTERS, n),
        "spend_id": key_sql("SPD-", "_num", 10),
        "contract_id": key_sql("CTR-", "_contract", 6),
        "vendor_id": key_sql("VND-", "_vendor", 5),
        "category": pick(cat.VENDOR_CATEGORIES, category),
        "spend_date": date,
        "amount": amount,
        "cost_center": key_sql("CC-", "_cc", 3),
        "invoice_number": key_sql("INV-", "_invoice", 9),
    }}
