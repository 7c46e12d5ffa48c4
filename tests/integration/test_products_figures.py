"""Real dbt + Dagster + DuckDB at scale 0.01: product figures recomputed straight from the landing files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.sandbox import TEST_END



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


def cents(values: pd.Series) -> pd.Series:
    return (values * 100).round().astype("int64")


def order_net_revenue_cents(home: Path) -> pd.Series:
    """Net revenue per order, in cents, recomputed from the landing files with the documented rules
    (int_orders__revenue.yml): completed or refunded orders count; the refund is the larger of the
    refund payments and the returns' refunds, never their sum."""
    orders = pd.read_parquet(home / "landing" / "shop" / "orders")
    payments = pd.read_parquet(home / "landing" / "shop" / "payments")
    returns = pd.read_parquet(home / "landing" / "shop" / "returns")
    refunded = payments[payments["status"] == "refunded"]
    by_payment = cents(refunded["amount"]).groupby(refunded["order_id"]).sum()
    by_return = cents(returns["refund_amount"]).groupby(returns["order_id"]).sum()
    refund = pd.concat([orders["order_id"].map(by_payment), orders["order_id"].map(by_return)], axis=1).fillna(0).max(axis=1)
    recognized = orders["status"].isin(["completed", "refunded"])
    net = (cents(orders["amount"]) - refund).where(recognized, 0).astype("int64")
    return pd.Series(net.to_numpy(), index=orders["order_id"])


def test_order_revenue_reconciles_across_products_to_the_cent(db, materialized_home):
    expected = int(order_net_revenue_cents(materialized_home).sum())
    assert expected > 0
    for sql in ("select sum(lifetime_value) from main.customer_360",
                "select sum(net_revenue) from main.product_performance",
                "select sum(net_revenue) from main.revenue_monthly"):
        assert round(scalar(db, sql) * 100) == expected, sql


def test_customer_360_orders_and_lifetime_value(db, materialized_home):
    orders = pd.read_parquet(materialized_home / "landing" / "shop" / "orders")
    assert scalar(db, "select sum(total_orders) from main.customer_360") == len(orders)
    net = order_net_revenue_cents(materialized_home)
    per_customer = net.groupby(orders.set_index("order_id")["customer_id"]).sum()
    actual = db.execute("select customer_id, lifetime_value from main.customer_360").df().set_index("customer_id")
    joined = cents(actual["lifetime_value"].astype(float)).to_frame().join(per_customer.rename("expected")).fillna(0)
    assert (joined["lifetime_value"] == joined["expected"]).all()


def test_customer_360_contract_values(db):
    assert scalar(db, "select count(*) from main.customer_360 where not regexp_full_match(customer_id, 'CUST-[0-9]{10}')") == 0
    assert scalar(db, "select count(*) from main.customer_360 where country not in ('US','CA','UK','DE','FR','AU','JP')") == 0
    assert scalar(db, "select count(*) from main.customer_360 where lifetime_value < 0 or lifetime_value > 1000000") == 0


def test_every_equipment_has_exactly_one_status_as_of_the_pinned_instant(db, materialized_home):
    equipment = pd.read_parquet(materialized_home / "landing" / "fleet" / "equipment")
    assignments = pd.read_parquet(materialized_home / "landing" / "fleet" / "assignments")
    maintenance = pd.read_parquet(materialized_home / "landing" / "fleet" / "maintenance")
    [as_of] = [row[0] for row in db.execute("select distinct as_of_ts from main.equipment_status").fetchall()]
    assert as_of == TEST_END  # DATAOPS_AS_OF, as the tests pin it

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
    # the weather in effect is the as-of day's observation, and no ping is after the as-of instant
    assert scalar(db, "select count(*) from main.equipment_status where weather_date <> cast(as_of_ts as date)") == 0
    assert scalar(db, "select min(minutes_since_ping) from main.equipment_status") >= 0


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


def test_revenue_monthly_growth_only_between_complete_months(db, materialized_home):
    orders = pd.read_parquet(materialized_home / "landing" / "shop" / "orders")
    first_day = orders["order_ts"].min().normalize()
    rows = db.execute("select revenue_month, is_complete_month, net_revenue, prev_month_net_revenue, mom_growth_pct "
                      "from main.revenue_monthly").fetchall()
    for month, complete, net, prev, growth in rows:
        month_start = pd.Timestamp(month)
        assert complete == (first_day <= month_start and month_start + pd.offsets.MonthBegin(1) <= pd.Timestamp(TEST_END))
        if growth is not None:
            assert complete and prev is not None
            assert growth == pytest.approx(100 * (float(net) - float(prev)) / float(prev), abs=1e-6)
    # a 90-day window ending today has a partial first and current month, and at least one growth figure
    assert {complete for _, complete, *_ in rows} == {True, False}
    assert any(growth is not None for *_, growth in rows)


def test_sales_distinct_customers_by_date_and_region(db, materialized_home):
    tx = pd.read_parquet(materialized_home / "landing" / "pos" / "transactions")
    customers = pd.read_parquet(materialized_home / "landing" / "crm" / "customers")[["customer_id", "region"]]
    merged = tx.merge(customers, on="customer_id", how="left")
    expected = merged.groupby([merged["transaction_ts"].dt.date, "region"])["customer_id"].nunique()
    actual = db.execute("select sales_date, region, unique_customers from main.sales_daily_region_metrics").fetchall()
    assert {(d, r): n for d, r, n in actual} == expected.to_dict()
    # the product grain over-counts: a customer buying two products that day counts twice
    assert scalar(db, "select sum(unique_customers) from main.sales_daily_metrics") > sum(expected)
    assert scalar(db, "select sum(revenue) from main.sales_daily_region_metrics") == scalar(
        db, "select sum(revenue) from main.sales_daily_metrics")


def test_contract_spend_totals_and_prorated_contract_value(db, materialized_home):
    spend = pd.read_parquet(materialized_home / "landing" / "procurement" / "spend")
    contracts = pd.read_parquet(materialized_home / "landing" / "procurement" / "contracts")
    assert round(scalar(db, "select sum(total_spend) from main.vendor_category_spend") * 100) == cents(spend["amount"]).sum()
    # Prorated contract value sums to the value of each contract's days inside the covered months, never more.
    covered = scalar(db, "select sum(prorated_contract_value) from main.vendor_category_spend")
    assert 0 < covered <= contracts["contract_value"].sum()
    flag_rate = scalar(db, "select avg(case when is_anomaly then 1.0 else 0 end) from main.vendor_category_spend")
    assert flag_rate < 0.05
