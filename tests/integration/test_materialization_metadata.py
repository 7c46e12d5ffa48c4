"""What a materialization records in the Dagster instance: row counts, column lineage, check results."""

from __future__ import annotations

import dagster as dg
import pytest

from tests.sandbox import PRODUCT_IDS


@pytest.fixture(scope="module")
def instance(materialized_home):
    with dg.DagsterInstance.from_config(str(materialized_home / "dagster")) as instance:
        yield instance


def latest_metadata(instance, model: str) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(model))
    assert event is not None, f"{model} was never materialized"
    return event.asset_materialization.metadata


@pytest.mark.parametrize(
    "model",
    ["sales_daily_metrics", "equipment_status", "customer_360", "product_performance", "revenue_monthly",
     "vendor_category_spend"],
)
def test_public_models_record_row_count_and_column_lineage(instance, materialized_home, model):
    import duckdb

    metadata = latest_metadata(instance, model)
    con = duckdb.connect(str(materialized_home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(f"select count(*) from main.{model}").fetchone()[0]
    finally:
        con.close()
    assert metadata["dagster/row_count"].value == rows
    assert "dagster/column_lineage" in metadata


def test_column_lineage_traces_revenue_to_transaction_amount(instance):
    lineage = latest_metadata(instance, "sales_daily_metrics")["dagster/column_lineage"].value
    sources = {(dep.asset_key.to_user_string(), dep.column_name) for dep in lineage.deps_by_column["revenue"]}
    assert sources == {("int_sales__transactions_enriched", "amount")}


def test_no_check_failed_on_clean_data(instance, materialized_home):
    from dataops_assets.cli.instance_view import load_project_view
    from dataops_assets.cli.summary import project_statuses
    from dataops_assets.settings import Settings

    settings = Settings(home=materialized_home)
    statuses, platform = project_statuses(instance, load_project_view(settings), settings.published_dir)
    assert {status.product_id for status in statuses} == PRODUCT_IDS
    for status in [*statuses, platform]:
        assert status.checks_failed == 0 and status.checks_not_run == 0, status
        assert status.checks_passed > 0
        assert status.blocked_by == []
    assert all(model.rows for status in statuses for model in status.models)
    # Every public model is published once (one `all` run); partitioned ones count their partitions.
    assert all(model.published_version == 1 for status in statuses for model in status.models)
    sales = next(m for s in statuses if s.product_id == "sales_daily_metrics" for m in s.models)
    assert sales.partitions_materialized == 90
