"""What the sandbox generator fills the landing zone with: value domains and row counts.

The tables' columns, types and keys are the landing contract, declared in the dbt sources YAML
(sources/landing_contract.py reads it); here is only what the generator needs beyond it.
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
