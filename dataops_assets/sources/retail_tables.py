"""Builders for crm.customers, catalog.products and pos.transactions."""

from __future__ import annotations

import numpy as np

from dataops_assets.sources import fake_catalog as cat
from dataops_assets.sources import fake_pii as pii
from dataops_assets.sources.event_window import event_times
from dataops_assets.sources.landing_tables import COUNTRIES, COUNTRY_REGIONS
from dataops_assets.sources.random_columns import (
    Chunk, Columns, IdScrambler, LandingContext, Sql, categorical, choose_within, days_before,
    flatten, key_sql, pick, popularity_cdf, round_money, sample_cdf, seconds,
)

CUSTOMER_KEY_WIDTH = 10
PRODUCT_KEY_WIDTH = 6
TXN_CHANNELS = ("store", "web", "mobile", "partner")
ACCOUNT_STATUSES = ("active", "inactive", "suspended", "closed")
STORE_COUNT = 240  # physical stores STR-0001..; online channels book to virtual stores STR-9001..
_STREETS, _STREET_OFF, _STREET_LEN = flatten([pii.STREETS[c] for c in COUNTRIES])
_CITIES, _CITY_OFF, _CITY_LEN = flatten([pii.CITIES[c] for c in COUNTRIES])
_NOUNS, _NOUN_OFF, _NOUN_LEN = flatten([nouns for _, nouns in cat.PRODUCT_CATEGORIES.values()])
_CATEGORY_MEDIANS = np.array([median for median, _ in cat.PRODUCT_CATEGORIES.values()])
_DOB_START = np.datetime64("1940-01-01", "D")
_DOB_DAYS = int((np.datetime64("2006-12-31", "D") - _DOB_START).astype(np.int64))


def _lp(expr: str, width: int) -> str:
    return f"lpad(({expr})::VARCHAR, {width}, '0')"


def _ascii(column: str) -> str:
    return f"regexp_replace(lower(strip_accents({column})), '[^a-z]', '', 'g')"


PHONE_SQL = Sql(f"""CASE country
    WHEN 'US' THEN '+1-' || _p1::VARCHAR || '-' || (100 + _p2 % 900)::VARCHAR || '-' || {_lp('_p3', 4)}
    WHEN 'CA' THEN '+1-' || _p1::VARCHAR || '-' || (100 + _p2 % 900)::VARCHAR || '-' || {_lp('_p3', 4)}
    WHEN 'UK' THEN '+44 20 ' || {_lp('_p2', 4)} || ' ' || {_lp('_p3', 4)}
    WHEN 'DE' THEN '+49 30 ' || {_lp('_p2', 4)} || {_lp('_p3', 4)}
    WHEN 'FR' THEN '+33 ' || (1 + _p1 % 5)::VARCHAR || ' ' || {_lp('_p2 // 100', 2)} || ' '
        || {_lp('_p2 % 100', 2)} || ' ' || {_lp('_p3 // 100', 2)} || ' ' || {_lp('_p3 % 100', 2)}
    WHEN 'AU' THEN '+61 ' || [2, 3, 7, 8][1 + _p1 % 4]::VARCHAR || ' ' || {_lp('_p2', 4)} || ' ' || {_lp('_p3', 4)}
    ELSE '+81 3-' || {_lp('_p2', 4)} || '-' || {_lp('_p3', 4)} END""")

POSTAL_SQL = Sql(f"""CASE country
    WHEN 'US' THEN {_lp('501 + _z % 99000', 5)}
    WHEN 'CA' THEN chr((65 + _z % 26)::INTEGER) || (_z // 26 % 10)::VARCHAR
        || chr((65 + _z // 260 % 26)::INTEGER) || ' '
        || (_z // 6760 % 10)::VARCHAR || chr((65 + _z // 67600 % 26)::INTEGER) || (_z // 1757600 % 10)::VARCHAR
    WHEN 'UK' THEN ['SW', 'EC', 'W', 'N', 'E', 'SE', 'NW', 'M', 'B', 'LS', 'G', 'EH'][1 + _z % 12]
        || (1 + _z // 12 % 20)::VARCHAR || ' ' || (_z // 240 % 10)::VARCHAR
        || chr((65 + _z // 2400 % 26)::INTEGER) || chr((65 + _z // 62400 % 26)::INTEGER)
    WHEN 'DE' THEN {_lp('1067 + _z % 98000', 5)}
    WHEN 'FR' THEN {_lp('1000 + _z % 94900', 5)}
    WHEN 'AU' THEN (1000 + _z % 8999)::VARCHAR
    ELSE {_lp('_z % 1000', 3)} || '-' || {_lp('_z // 1000 % 10000', 4)} END""")

STREET_SQL = Sql("""CASE country
    WHEN 'DE' THEN _street || ' ' || (1 + _house % 180)::VARCHAR
    WHEN 'FR' THEN (1 + _house % 180)::VARCHAR || ' ' || _street
    WHEN 'JP' THEN (1 + _house % 5)::VARCHAR || '-' || (1 + _house // 5 % 30)::VARCHAR || '-'
        || (1 + _house // 150 % 20)::VARCHAR || ' ' || _street
    ELSE _house::VARCHAR || ' ' || _street END""")


def customer_keys(ctx: LandingContext) -> IdScrambler:
    return ctx.ids("customers", 10**CUSTOMER_KEY_WIDTH)


def customer_cdf(ctx: LandingContext) -> np.ndarray:
    """Purchase/contact propensity per customer index: some customers buy far more."""
    return ctx.memo(
        "customers:cdf", lambda c: popularity_cdf(c.rng("customers/popularity"), c.rows["customers"], 0.7, 100.0)
    )


def sample_customers(ctx: LandingContext, rng: np.random.Generator, n: int) -> np.ndarray:
    """Customer key numbers (format with CUSTOMER key_sql) drawn by propensity."""
    return customer_keys(ctx)(sample_cdf(rng, customer_cdf(ctx), n))


def build_customers(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    rng, n, window = ctx.rng("customers", chunk.number), chunk.size, ctx.window
    index = chunk.start + rng.permutation(n)
    country = categorical(rng, n, [pii.COUNTRY_WEIGHTS[c] for c in COUNTRIES])
    since = days_before(rng, window.end_date, n, 0, 3650)
    # Capped: a window ending before midnight must not hold accounts created later that day.
    created = np.minimum(since.astype("datetime64[s]") + seconds(rng.random(n) * 86_400), window.end)
    # ~55% were updated inside the window; the rest any time since they were created.
    low = np.where(rng.random(n) < 0.55, np.maximum(created, window.start), created)
    updated = low + seconds(rng.random(n) * (window.end - low).astype(np.int64))
    if chunk.number == 0 and n:  # a live CRM: its newest change is the window's last second, at any scale
        updated[0] = window.end
    columns: Columns = {
        "_num": customer_keys(ctx)(index),
        "_row": index + 1,
        "_domain": pick(pii.EMAIL_DOMAINS, rng.integers(0, len(pii.EMAIL_DOMAINS), n)),
        "_p1": rng.integers(201, 990, n), "_p2": rng.integers(0, 10_000, n), "_p3": rng.integers(0, 10_000, n),
        "_z": rng.integers(0, 10**9, n),
        "_house": np.ceil(np.exp(rng.uniform(0.0, np.log(9999), n))).astype(np.int64),
        "_street": pick(_STREETS, choose_within(rng, _STREET_OFF[country], _STREET_LEN[country])),
        "customer_id": key_sql("CUST-", "_num", CUSTOMER_KEY_WIDTH),
        "first_name": pick(pii.FIRST_NAMES, rng.integers(0, len(pii.FIRST_NAMES), n)),
        "last_name": pick(pii.LAST_NAMES, rng.integers(0, len(pii.LAST_NAMES), n)),
        "email": Sql(f"{_ascii('first_name')} || '.' || {_ascii('last_name')} || _row::VARCHAR || '@' || _domain"),
        "phone_number": PHONE_SQL,
        "date_of_birth": _DOB_START + rng.integers(0, _DOB_DAYS + 1, n).astype("timedelta64[D]"),
        "street_address": STREET_SQL,
        "city": pick(_CITIES, choose_within(rng, _CITY_OFF[country], _CITY_LEN[country])),
        "postal_code": POSTAL_SQL,
        "country": pick(COUNTRIES, country),
        "region": pick([COUNTRY_REGIONS[c] for c in COUNTRIES], country),
        "account_status": pick(ACCOUNT_STATUSES, categorical(rng, n, (0.8, 0.1, 0.04, 0.06))),
        "customer_since": since,
        "created_at": created,
        "updated_at": updated,
    }
    return {"customers": columns}


def product_dim(ctx: LandingContext) -> dict[str, np.ndarray]:
    """All product attributes (small table), memoized: prices feed transactions and orders."""

    def build(c: LandingContext) -> dict[str, np.ndarray]:
        rng, n = c.rng("products"), c.rows["products"]
        category = categorical(rng, n, cat.PRODUCT_CATEGORY_WEIGHTS)
        raw_price = _CATEGORY_MEDIANS[category] * np.exp(0.7 * rng.standard_normal(n))
        list_price = np.ceil(np.maximum(raw_price, 1.0)) - 0.01  # charm pricing: 24.99
        margin = rng.uniform(0.10, 0.60, n)
        return {
            "num": c.ids("products", 900_000, 100_000)(np.arange(n)),
            "category": category,
            "noun": choose_within(rng, _NOUN_OFF[category], _NOUN_LEN[category]),
            "adjective": rng.integers(0, len(cat.PRODUCT_ADJECTIVES), n),
            "model": rng.integers(0, 26 * 900, n),
            "brand": rng.integers(0, len(cat.BRANDS), n),
            "list_price": list_price,
            "unit_cost": round_money(list_price * (1.0 - margin)),
            "launched_on": days_before(rng, c.window.end_date, n, 30, 3650),
            "is_active": rng.random(n) < 0.95,
            "cdf": popularity_cdf(c.rng("products/popularity"), n, 1.0, 5.0),
        }

    return ctx.memo("products", build)


def build_products(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    dim = {k: v[chunk.start:chunk.stop] for k, v in product_dim(ctx).items()}
    columns: Columns = {
        "_num": dim["num"], "_adj": pick(cat.PRODUCT_ADJECTIVES, dim["adjective"]),
        "_noun": pick(_NOUNS, dim["noun"]), "_model": dim["model"],
        "product_id": key_sql("PRD-", "_num", PRODUCT_KEY_WIDTH),
        "product_name": Sql(
            "_adj || ' ' || _noun || ' ' || chr((65 + _model % 26)::INTEGER) || (100 + _model // 26)::VARCHAR"
        ),
        "category": pick(tuple(cat.PRODUCT_CATEGORIES), dim["category"]),
        "brand": pick(cat.BRANDS, dim["brand"]),
        "unit_cost": dim["unit_cost"], "list_price": dim["list_price"],
        "launched_on": dim["launched_on"], "is_active": dim["is_active"],
    }
    return {"products": columns}


def sample_products(ctx: LandingContext, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(product key numbers, list prices) drawn by Zipf-like popularity."""
    dim = product_dim(ctx)
    index = sample_cdf(rng, dim["cdf"], n)
    return dim["num"][index], dim["list_price"][index]


def build_transactions(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    rng, n = ctx.rng("transactions", chunk.number), chunk.size
    product, price = sample_products(ctx, rng, n)
    quantity = 1 + categorical(rng, n, (0.46, 0.24, 0.1, 0.06, 0.05, 0.03, 0.02, 0.02, 0.01, 0.01))
    discount = np.where(rng.random(n) < 0.7, 0.0, rng.integers(1, 7, n) * 0.05).round(2)
    channel = categorical(rng, n, (0.55, 0.25, 0.15, 0.05))
    store = np.where(channel == 0, rng.integers(1, STORE_COUNT + 1, n), 9000 + channel)
    columns: Columns = {
        "_num": ctx.ids("transactions", 10**12)(chunk.start + rng.permutation(n)),
        "_customer": sample_customers(ctx, rng, n), "_product": product, "_store": store,
        "transaction_id": key_sql("TXN-", "_num", 12),
        "transaction_ts": event_times(rng, ctx.window, n),
        "customer_id": key_sql("CUST-", "_customer", CUSTOMER_KEY_WIDTH),
        "product_id": key_sql("PRD-", "_product", PRODUCT_KEY_WIDTH),
        "quantity": quantity, "unit_price": price, "discount_pct": discount,
        # DuckDB's round() rounds the exact binary value (76.485 -> 76.48); let it compute the
        # amount so checks written as this same expression hold exactly.
        "amount": Sql("round(quantity * unit_price * (1 - discount_pct), 2)"),
        "channel": pick(TXN_CHANNELS, channel),
        "store_id": key_sql("STR-", "_store", 4),
    }
    return {"transactions": columns}
