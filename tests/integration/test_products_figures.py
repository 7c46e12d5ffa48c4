"""Real dbt + Dagster + DuckDB at scale 0.01: product figures recomputed straight from the landing files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def db(materialized_home: Path):
    con = duckdb.connect(str(materialized_home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def landing(home: Path, source: str, table: str) -> str:
    return f"read_parquet('{home / 'landing' / source / table}/*.parquet')"


def scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]


def test_sales_revenue_matches_landing_transactions(db, materialized_home):
    expected = scalar(db, f"select sum(amount) from {landing(materialized_home, 'pos', 'transactions')}")
    actual = float(scalar(db, "select sum(revenue) from main.sales_daily_metrics"))
    # Each group's revenue is rounded to cents: allow a cent per row.
    rows = scalar(db, "select count(*) from main.sales_daily_metrics")
    assert actual == pytest.approx(expected, abs=0.01 * rows)
    units = scalar(db, f"select sum(quantity) from {landing(materialized_home, 'pos', 'transactions')}")
    assert scalar(db, "select sum(units_sold) from main.sales_daily_metrics") == units


def test_sales_average_order_value_is_revenue_over_transactions(db):
    off = scalar(
        db,
        "select count(*) from main.sales_daily_metrics "
        "where abs(avg_order_value - revenue / transaction_count) > 0.01",
    )
    assert off == 0


def test_sales_grain_is_date_region_product(db, materialized_home):
    tx = pd.read_parquet(materialized_home / "landing" / "pos" / "transactions")
    customers = pd.read_parquet(materialized_home / "landing" / "crm" / "customers")[["customer_id", "region"]]
    merged = tx.merge(customers, on="customer_id", how="left")
    expected_groups = merged.groupby([merged["transaction_ts"].dt.date, "region", "product_id"]).ngroups
    assert scalar(db, "select count(*) from main.sales_daily_metrics") == expected_groups


def test_customer_360_one_row_per_customer(db, materialized_home):
    customers = scalar(db, f"select count(*) from {landing(materialized_home, 'crm', 'customers')}")
    assert scalar(db, "select count(*) from main.customer_360") == customers
    assert scalar(db, "select count(distinct customer_id) from main.customer_360") == customers


def test_customer_360_orders_and_lifetime_value(db, materialized_home):
    orders = pd.read_parquet(materialized_home / "landing" / "shop" / "orders")
    returns = pd.read_parquet(materialized_home / "landing" / "shop" / "returns")
    assert scalar(db, "select sum(total_orders) from main.customer_360") == len(orders)
    kept = orders[orders["status"].isin(["completed", "refunded"])]
    refunds = returns.groupby("order_id")["refund_amount"].sum()
    per_customer = (
        kept.groupby("customer_id")["amount"].sum()
        .sub(orders.assign(refund=orders["order_id"].map(refunds).fillna(0)).groupby("customer_id")["refund"].sum(),
             fill_value=0)
        .clip(lower=0)
    )
    actual = db.execute("select customer_id, lifetime_value from main.customer_360").df().set_index("customer_id")
    joined = actual["lifetime_value"].astype(float).to_frame().join(per_customer.rename("expected")).fillna(0)
    assert (joined["lifetime_value"] - joined["expected"]).abs().max() <= 0.01


def test_customer_360_contract_values(db):
    assert scalar(db, "select count(*) from main.customer_360 where not regexp_full_match(customer_id, 'CUST-[0-9]{10}')") == 0
    assert scalar(db, "select count(*) from main.customer_360 where country not in ('US','CA','UK','DE','FR','AU','JP')") == 0
    assert scalar(db, "select count(*) from main.customer_360 where lifetime_value < 0 or lifetime_value > 1000000") == 0


def test_every_equipment_has_exactly_one_status(db, materialized_home):
    equipment = pd.read_parquet(materialized_home / "landing" / "fleet" / "equipment")
    assignments = pd.read_parquet(materialized_home / "landing" / "fleet" / "assignments")
    maintenance = pd.read_parquet(materialized_home / "landing" / "fleet" / "maintenance")
    as_of = equipment["last_ping_ts"].max()

    def open_at(frame: pd.DataFrame) -> set[str]:
        active = (frame["start_ts"] <= as_of) & (frame["end_ts"].isna() | (frame["end_ts"] > as_of))
        return set(frame.loc[active, "equipment_id"])

    in_maintenance, on_mission = open_at(maintenance), open_at(assignments)
    expected = {
        eq: "maintenance" if eq in in_maintenance else "in-use" if eq in on_mission else "available"
        for eq in equipment["equipment_id"]
    }
    actual = dict(db.execute("select equipment_id, status from main.equipment_status").fetchall())
    assert scalar(db, "select count(*) from main.equipment_status") == len(equipment)
    assert actual == expected
    assert set(actual.values()) == {"available", "in-use", "maintenance"}


def test_risk_score_in_range(db):
    low, high = db.execute("select min(risk_score), max(risk_score) from main.equipment_status").fetchone()
    assert 0 <= low <= high <= 100


def test_product_performance_units_and_returns(db, materialized_home):
    orders = pd.read_parquet(materialized_home / "landing" / "shop" / "orders")
    returns = pd.read_parquet(materialized_home / "landing" / "shop" / "returns")
    sold = int(orders.loc[orders["status"].isin(["completed", "refunded"]), "quantity"].sum())
    assert scalar(db, "select sum(units_sold) from main.product_performance") == sold
    assert scalar(db, "select sum(units_returned) from main.product_performance") == int(returns["quantity"].sum())
    products = scalar(db, f"select count(*) from {landing(materialized_home, 'catalog', 'products')}")
    assert scalar(db, "select count(*) from main.product_performance") == products


def test_revenue_monthly_matches_payments(db, materialized_home):
    payments = pd.read_parquet(materialized_home / "landing" / "shop" / "payments")
    gross = payments.loc[payments["status"].isin(["captured", "refunded"]), "amount"].sum()
    refunded = payments.loc[payments["status"] == "refunded", "amount"].sum()
    rows = scalar(db, "select count(*) from main.revenue_monthly")
    assert float(scalar(db, "select sum(net_revenue) from main.revenue_monthly")) == pytest.approx(
        gross - refunded, abs=0.01 * rows
    )
    growth = db.execute(
        "select net_revenue, prev_month_net_revenue, mom_growth_pct from main.revenue_monthly "
        "where prev_month_net_revenue is not null"
    ).fetchall()
    assert growth
    for net, prev, pct in growth:
        assert pct == pytest.approx(100 * (float(net) - float(prev)) / float(prev), abs=1e-6)


def test_contract_spend_totals_and_anomalies(db, materialized_home):
    spend = pd.read_parquet(materialized_home / "landing" / "procurement" / "spend")
    rows = scalar(db, "select count(*) from main.vendor_category_spend")
    assert float(scalar(db, "select sum(total_spend) from main.vendor_category_spend")) == pytest.approx(
        spend["amount"].sum(), abs=0.01 * rows
    )
    medians = spend.groupby("category")["amount"].median()
    outliers = spend[spend["amount"] > 10 * spend["category"].map(medians)]
    assert len(outliers) > 0
    flagged = {
        (v, c) for v, c in db.execute(
            "select vendor_id, category from main.vendor_category_spend where anomaly_reason = 'outlier_invoice'"
        ).fetchall()
    }
    assert flagged == set(zip(outliers["vendor_id"], outliers["category"]))
