"""Builders for procurement.vendors/contracts/spend.

Spend covers the procurement history (procurement_vendors.spend_days), dated uniformly: ~97%
of invoices are on the contract in force that day for the vendor's typical amount, ~3% are
small purchases without a contract. The planted anomalies' invoices (procurement_anomalies)
follow the regular ones in the last chunk.
"""

from __future__ import annotations

import numpy as np

from dataops_assets.sources import fake_catalog as cat
from dataops_assets.sources.landing_tables import COUNTRIES
from dataops_assets.sources.procurement_anomalies import anomaly_plan
from dataops_assets.sources.procurement_vendors import (
    CONTRACT_STATUSES, INVOICE_SIGMA, MAVERICK_AMOUNT, MAVERICK_SHARE, SUFFIX_WORDS, contract_dim,
    contract_in_force, spend_days, vendor_dim,
)
from dataops_assets.sources.random_columns import (
    Chunk, Columns, LandingContext, Sql, key_sql, lognormal_amounts, nullable, pick, sample_cdf,
)

COST_CENTERS = 60


def build_vendors(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    dim, contracts = vendor_dim(ctx), contract_dim(ctx)
    # A vendor is onboarded no later than its first contract starts.
    onboarded = dim["onboarded"].copy()
    np.minimum.at(onboarded, contracts["vendor"], contracts["start"])
    part = slice(chunk.start, chunk.stop)
    return {"vendors": {
        "_num": dim["num"][part],
        "_w1": pick(cat.VENDOR_WORDS, dim["word"][part]), "_w2": pick(cat.VENDOR_NOUNS, dim["noun"][part]),
        "_suffix": pick(SUFFIX_WORDS, dim["suffix"][part]),
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


def _regular_invoices(ctx: LandingContext, chunk: Chunk) -> dict[str, np.ndarray]:
    rng, n, days, vendors = ctx.rng("spend", chunk.number), chunk.size, spend_days(ctx), vendor_dim(ctx)
    vendor = sample_cdf(rng, vendors["cdf"], n)
    day = days.first + np.floor(rng.random(n) * days.count).astype("timedelta64[D]")
    if chunk.number == 0 and n:
        day[0] = days.last  # the newest spend is as fresh as the window, like every other table
    maverick = rng.random(n) < MAVERICK_SHARE
    median = vendors["typical"][vendor] * np.where(maverick, MAVERICK_AMOUNT, 1.0)
    return {
        "vendor": vendor, "day": day, "on_contract": ~maverick,
        "amount": lognormal_amounts(rng, median, INVOICE_SIGMA, n),
        "cost_center": rng.integers(0, COST_CENTERS, n),
        "index": chunk.start + rng.permutation(n),
    }


def _planted_invoices(ctx: LandingContext) -> dict[str, np.ndarray]:
    plan = anomaly_plan(ctx)
    n = plan["invoice_vendor"].size
    return {
        "vendor": plan["invoice_vendor"], "day": plan["invoice_day"], "on_contract": plan["invoice_on_contract"],
        "amount": plan["invoice_amount"],
        "cost_center": ctx.rng("spend/anomalies/cost_center").integers(0, COST_CENTERS, n),
        "index": ctx.rows["spend"] + np.arange(n),
    }


def build_spend(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    vendors, contracts = vendor_dim(ctx), contract_dim(ctx)
    invoices = _regular_invoices(ctx, chunk)
    if chunk.stop == ctx.rows["spend"]:
        planted = _planted_invoices(ctx)
        invoices = {k: np.concatenate([v, planted[k]]) for k, v in invoices.items()}
    vendor, index = invoices["vendor"], invoices["index"]
    contract = contract_in_force(ctx, vendor, invoices["day"])
    capacity = ctx.rows["spend"] + anomaly_plan(ctx)["invoice_vendor"].size
    return {"spend": {
        "_num": ctx.ids("spend", 10**10, capacity=capacity)(index),
        "_invoice": ctx.ids("spend/invoice", 10**9, capacity=capacity)(index),
        "_contract": nullable(contracts["num"][contract], ~invoices["on_contract"]),
        "_vendor": vendors["num"][vendor],
        "_cc": 100 + invoices["cost_center"],
        "spend_id": key_sql("SPD-", "_num", 10),
        "contract_id": key_sql("CTR-", "_contract", 6),
        "vendor_id": key_sql("VND-", "_vendor", 5),
        "category": pick(cat.VENDOR_CATEGORIES, vendors["category"][vendor]),
        "spend_date": invoices["day"],
        "amount": invoices["amount"],
        "cost_center": key_sql("CC-", "_cc", 3),
        "invoice_number": key_sql("INV-", "_invoice", 9),
    }}
