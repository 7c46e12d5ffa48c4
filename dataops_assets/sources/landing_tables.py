"""The landing-zone contract: sources, tables, column types, keys and row counts.

Column names and DuckDB types are a contract with the dbt project's sources; change them
only together with dbt_project.
"""

from __future__ import annotations

LOGISTICS_REGIONS: tuple[str, ...] = ("conus_east", "conus_west", "europe", "pacific", "middle_east")
COUNTRIES: tuple[str, ...] = ("US", "CA", "UK", "DE", "FR", "AU", "JP")
COUNTRY_REGIONS: dict[str, str] = {
    "US": "north_america", "CA": "north_america",
    "UK": "europe", "DE": "europe", "FR": "europe",
    "AU": "asia_pacific", "JP": "asia_pacific",
}
CUSTOMER_ID_PATTERN = r"^CUST-[0-9]{10}$"
EMAIL_PATTERN = r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$"

V, TS, D, F, I, B = "VARCHAR", "TIMESTAMP", "DATE", "DOUBLE", "INTEGER", "BOOLEAN"
Schema = tuple[tuple[str, str], ...]

LANDING_SCHEMAS: dict[str, dict[str, Schema]] = {
    "pos": {
        "transactions": (
            ("transaction_id", V), ("transaction_ts", TS), ("customer_id", V), ("product_id", V),
            ("quantity", I), ("unit_price", F), ("discount_pct", F), ("amount", F),
            ("channel", V), ("store_id", V),
        ),
    },
    "crm": {
        "customers": (
            ("customer_id", V), ("first_name", V), ("last_name", V), ("email", V),
            ("phone_number", V), ("date_of_birth", D), ("street_address", V), ("city", V),
            ("postal_code", V), ("country", V), ("region", V), ("account_status", V),
            ("customer_since", D), ("created_at", TS), ("updated_at", TS),
        ),
    },
    "catalog": {
        "products": (
            ("product_id", V), ("product_name", V), ("category", V), ("brand", V),
            ("unit_cost", F), ("list_price", F), ("launched_on", D), ("is_active", B),
        ),
    },
    "shop": {
        "orders": (
            ("order_id", V), ("customer_id", V), ("product_id", V), ("order_ts", TS),
            ("quantity", I), ("unit_price", F), ("amount", F), ("status", V), ("channel", V),
        ),
        "returns": (
            ("return_id", V), ("order_id", V), ("product_id", V), ("return_ts", TS),
            ("quantity", I), ("refund_amount", F), ("reason", V),
        ),
        "payments": (
            ("payment_id", V), ("order_id", V), ("payment_ts", TS), ("amount", F),
            ("method", V), ("status", V),
        ),
    },
    "helpdesk": {
        "support_tickets": (
            ("ticket_id", V), ("customer_id", V), ("opened_ts", TS), ("closed_ts", TS),
            ("priority", V), ("status", V), ("channel", V), ("csat_score", I),
        ),
    },
    "fleet": {
        "equipment": (
            ("equipment_id", V), ("serial_number", V), ("equipment_type", V), ("region", V),
            ("base", V), ("latitude", F), ("longitude", F), ("commissioned_on", D),
            ("operational_hours", I), ("last_ping_ts", TS),
        ),
        "assignments": (
            ("assignment_id", V), ("equipment_id", V), ("mission_id", V), ("start_ts", TS),
            ("end_ts", TS), ("priority", V),
        ),
        "maintenance": (
            ("maintenance_id", V), ("equipment_id", V), ("maintenance_type", V),
            ("start_ts", TS), ("end_ts", TS), ("cost", F),
        ),
    },
    "meteo": {
        "weather": (
            ("region", V), ("observed_date", D), ("temperature_c", F), ("wind_kph", F),
            ("precipitation_mm", F), ("visibility_km", F), ("severe_weather", B),
        ),
    },
    "procurement": {
        "vendors": (
            ("vendor_id", V), ("vendor_name", V), ("category", V), ("country", V),
            ("risk_rating", V), ("onboarded_on", D),
        ),
        "contracts": (
            ("contract_id", V), ("vendor_id", V), ("category", V), ("start_date", D),
            ("end_date", D), ("contract_value", F), ("currency", V), ("status", V),
        ),
        "spend": (
            ("spend_id", V), ("contract_id", V), ("vendor_id", V), ("category", V),
            ("spend_date", D), ("amount", F), ("cost_center", V), ("invoice_number", V),
        ),
    },
}

LANDING_TABLES: dict[str, tuple[str, ...]] = {
    source: tuple(tables) for source, tables in LANDING_SCHEMAS.items()
}
TABLE_SOURCES: dict[str, str] = {
    table: source for source, tables in LANDING_TABLES.items() for table in tables
}
TABLE_SCHEMAS: dict[str, Schema] = {
    table: schema for tables in LANDING_SCHEMAS.values() for table, schema in tables.items()
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "transactions": ("transaction_id",), "customers": ("customer_id",),
    "products": ("product_id",), "orders": ("order_id",), "returns": ("return_id",),
    "payments": ("payment_id",), "support_tickets": ("ticket_id",),
    "equipment": ("equipment_id",), "assignments": ("assignment_id",),
    "maintenance": ("maintenance_id",), "weather": ("region", "observed_date"),
    "vendors": ("vendor_id",), "contracts": ("contract_id",), "spend": ("spend_id",),
}

# Rows at scale 1; returns and payments follow orders, weather follows the window length, and
# contracts cover each vendor's spend history (3 a vendor on average).
BASE_ROWS: dict[str, int] = {
    "transactions": 1_000_000, "customers": 100_000, "products": 5_000, "orders": 400_000,
    "support_tickets": 60_000, "equipment": 2_000, "assignments": 30_000,
    "maintenance": 8_000, "vendors": 1_000, "contracts": 3_000, "spend": 250_000,
}
# Floors that keep tiny scales joinable (enough parents for every child to reference).
MIN_ROWS: dict[str, int] = {
    "customers": 200, "products": 50, "equipment": 50, "vendors": 20, "contracts": 60,
}
DEFAULT_MIN_ROWS = 100
# Order statuses (shop.orders.status) and their shares.
ORDER_STATUS_SHARES: dict[str, float] = {"completed": 0.85, "cancelled": 0.06, "pending": 0.04, "refunded": 0.05}
RETURN_RATE = 0.05
RETURNS_ON_REFUNDED_ORDERS = 0.25  # share of returns; so about a quarter of refunded orders come with a return
EXTRA_PAYMENT_RATE = 0.05
SPEND_HISTORY_DAYS = 540  # a year of monthly history before the newest months, and then some
CONTRACT_TERM_DAYS = (365, 1095)


def _payments_per_order() -> float:
    """Expected payment rows per order: the main one, failed first attempts, refunds."""
    retries = EXTRA_PAYMENT_RATE * (1 - ORDER_STATUS_SHARES["cancelled"])
    return_refunds = RETURN_RATE * (1 - RETURNS_ON_REFUNDED_ORDERS)  # refunded orders' returns share their refund
    return 1 + retries + ORDER_STATUS_SHARES["refunded"] + return_refunds


def row_counts(scale: float, days: int) -> dict[str, int]:
    """Target row count per table.

    Payments is an expectation (failed attempts and refunds are random); spend gets the planted
    anomalies' few invoices on top.
    """
    counts = {
        table: max(MIN_ROWS.get(table, DEFAULT_MIN_ROWS), round(base * scale))
        for table, base in BASE_ROWS.items()
    }
    counts["returns"] = max(DEFAULT_MIN_ROWS, round(RETURN_RATE * counts["orders"]))
    counts["payments"] = round(_payments_per_order() * counts["orders"])
    counts["weather"] = len(LOGISTICS_REGIONS) * days
    counts["contracts"] = max(counts["contracts"], counts["vendors"] * contracts_per_vendor_at_least(days))
    return counts


def spend_history_days(days: int) -> int:
    """Days of procurement spend: the window, or SPEND_HISTORY_DAYS if that is longer."""
    return max(days, SPEND_HISTORY_DAYS)


def contracts_per_vendor_at_least(days: int) -> int:
    """Contracts a vendor needs for its back-to-back chain to cover the spend history and then some."""
    return -(-(spend_history_days(days) + 1) // CONTRACT_TERM_DAYS[1])
