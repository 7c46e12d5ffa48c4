"""Loading product specs from a (trimmed, real) dbt manifest, and every way a spec can be wrong."""

import copy
import json
from pathlib import Path

import pytest

from tests.manifest_fixture import fixture_products

from dataops_assets.catalog.errors import SpecError
from dataops_assets.catalog.products import (
    downstream_products, load_products, models_by_name, platform_upstream, product_detail, upstream_models,
)

FIXTURE = Path(__file__).parent.parent / "fixtures" / "manifest_products.json"


@pytest.fixture
def manifest() -> dict:
    return json.loads(FIXTURE.read_text())


def _spec(manifest: dict, product: str) -> dict:
    return manifest["groups"][f"group.dataops.{product}"]["config"]["meta"]["data_product"]


def test_every_product_folder_is_a_product_with_owner_spec_and_public_models(manifest):
    products = load_products(manifest)
    assert set(products) == fixture_products()
    for product in products.values():
        assert product.spec.owner.email.endswith("@example.com")
        assert product.public_models, product.id
        assert product.spec_file == f"models/products/{product.id}/_product.yml"


def test_staging_group_is_not_a_product(manifest):
    assert "staging" not in load_products(manifest)


def test_cross_product_lineage(manifest):
    products = load_products(manifest)
    assert products["revenue_analytics"].upstream_products == ("customer_360",)
    assert downstream_products(products, "customer_360") == ("revenue_analytics",)
    assert "crm.customers" in products["customer_360"].sources
    detail = product_detail(products, "customer_360")
    assert detail["downstream_products"] == ["revenue_analytics"]
    assert {"model": "customer_360_v2", "column": "email", "masking": "tokenize"} in detail["spec"]["pii_fields"]


def _load_error(manifest: dict) -> str:
    with pytest.raises(SpecError) as excinfo:
        load_products(manifest)
    message = str(excinfo.value)
    assert "\n" not in message
    return message


def test_missing_owner_email(manifest):
    manifest["groups"]["group.dataops.customer_360"]["owner"] = {"name": "Marketing", "email": None}
    message = _load_error(manifest)
    assert message.startswith("models/products/customer_360/_product.yml: group 'customer_360'")
    assert "field 'owner.email': required but missing" in message


def test_unknown_classification(manifest):
    _spec(manifest, "sales_daily_metrics")["classification"] = "SECRET-ish"
    message = _load_error(manifest)
    assert "group 'sales_daily_metrics'" in message
    assert "field 'classification'" in message and "'U', 'C', 'S' or 'TS'" in message and "SECRET-ish" in message


@pytest.mark.parametrize(
    ("slo", "value"),
    [("availability_pct", 120), ("completeness_pct", -1), ("latency_p95_ms", 0), ("freshness_minutes", -5)],
)
def test_slo_out_of_range(manifest, slo, value):
    _spec(manifest, "mission_logistics")["slos"][slo] = value
    message = _load_error(manifest)
    assert f"field 'slos.{slo}'" in message and str(value) in message


def test_missing_slos(manifest):
    del _spec(manifest, "mission_logistics")["slos"]
    assert "field 'slos': required but missing" in _load_error(manifest)


def test_pii_column_not_in_model(manifest):
    _spec(manifest, "customer_360")["pii_fields"].append({"model": "customer_360", "column": "ssn", "masking": "redact"})
    message = _load_error(manifest)
    assert "field 'pii_fields.10.column': expected a column of model 'customer_360', got 'ssn'" in message


def test_pii_model_not_in_group(manifest):
    _spec(manifest, "customer_360")["pii_fields"][0]["model"] = "sales_daily_metrics"
    assert "field 'pii_fields.0.model': expected a model of the group" in _load_error(manifest)


def test_unknown_masking_strategy(manifest):
    _spec(manifest, "customer_360")["pii_fields"][0]["masking"] = "scramble"
    assert "field 'pii_fields.0.masking'" in _load_error(manifest)


def test_unknown_spec_field_is_rejected(manifest):
    _spec(manifest, "revenue_analytics")["clasification"] = "C"
    assert "field 'clasification': extra inputs are not permitted" in _load_error(manifest)


def test_bad_version(manifest):
    _spec(manifest, "revenue_analytics")["version"] = "v1"
    assert "field 'version'" in _load_error(manifest)


def test_product_group_without_spec(manifest):
    del manifest["groups"]["group.dataops.product_performance"]["config"]["meta"]["data_product"]
    assert "field 'config.meta.data_product': expected a mapping" in _load_error(manifest)


def test_product_without_public_model(manifest):
    broken = copy.deepcopy(manifest)
    broken["nodes"]["model.dataops.vendor_category_spend"]["access"] = "protected"
    assert "expected at least one model with access: public" in _load_error(broken)


def _model(manifest: dict, name: str) -> dict:
    return models_by_name(manifest)[name]


def test_partitioned_products_and_their_partition_columns(manifest):
    products = load_products(manifest)
    assert {p.id: p.partitioning.value for p in products.values()} == {
        "sales_daily_metrics": "daily", "revenue_analytics": "monthly", "contract_spend_analysis": "monthly",
        "customer_360": "none", "product_performance": "none", "mission_logistics": "none"}
    assert products["sales_daily_metrics"].partition_columns == {
        "sales_daily_metrics": "sales_date", "sales_daily_region_metrics": "sales_date"}
    assert products["customer_360"].partition_columns == {}


def test_cluster_by_names_the_columns_a_served_copy_is_ordered_by(manifest):
    assert load_products(manifest)["sales_daily_metrics"].cluster_by == {
        "sales_daily_metrics": ("region", "sales_date")}
    _model(manifest, "equipment_status")["config"]["cluster_by"] = "status"  # one column, as dbt also takes it
    assert load_products(manifest)["mission_logistics"].cluster_by == {"equipment_status": ("status",)}


@pytest.mark.parametrize("value", ["state", ["region", "region"], [], 3, ["region", None]])
def test_cluster_by_must_name_distinct_columns_of_the_model(manifest, value):
    _model(manifest, "sales_daily_metrics")["config"]["cluster_by"] = value
    message = _load_error(manifest)
    assert message.startswith("models/products/sales_daily_metrics/sales_daily_metrics.sql: model "
                              "'sales_daily_metrics': config 'cluster_by': expected a column or a list of distinct "
                              "columns of the model (")
    assert "region, revenue, sales_date" in message
    assert message.endswith(f"got {value!r}")


def test_partitioned_model_without_partition_column(manifest):
    del _model(manifest, "revenue_monthly")["config"]["partition_column"]
    message = _load_error(manifest)
    assert message == ("models/products/revenue_analytics/revenue_monthly.sql: model 'revenue_monthly': config "
                       "'partition_column': product 'revenue_analytics' is partitioned monthly, expected one of "
                       "the model's columns, got None")


def test_partition_column_not_a_column(manifest):
    _model(manifest, "sales_daily_metrics")["config"]["partition_column"] = "day"
    assert "expected one of the model's columns, got 'day'" in _load_error(manifest)


def test_partitioned_model_must_replace_its_window(manifest):
    _model(manifest, "vendor_category_spend")["config"]["materialized"] = "table"
    assert "incremental with incremental_strategy 'replace_window' on duckdb (config(**partitioned_incremental('spend_month'))), got 'table'/'replace_window'" in _load_error(manifest)


def test_unpartitioned_product_with_a_partition_column(manifest):
    _model(manifest, "customer_360")["config"]["partition_column"] = "signup_date"
    assert "product 'customer_360' has partitions: none, expected no partition column, got 'signup_date'" in (
        _load_error(manifest))


def test_unknown_partitioning(manifest):
    _spec(manifest, "revenue_analytics")["partitions"] = "hourly"
    assert "field 'partitions': input should be 'none', 'daily' or 'monthly', got 'hourly'" in _load_error(manifest)


def test_upstream_models_reach_staging_and_other_products(manifest):
    upstream = upstream_models(manifest, "revenue_monthly")
    assert {"customer_360_v2", "int_orders__revenue", "stg_shop__orders"} <= set(upstream)  # ref() reads the latest
    assert "customer_360" not in upstream  # v1, kept for the consumers still reading it
    assert "revenue_monthly" not in upstream and "sales_daily_metrics" not in upstream


def test_partitioned_model_on_spark_overwrites_its_partitions(manifest):
    manifest["metadata"]["adapter_type"] = "spark"
    assert ("incremental with incremental_strategy 'insert_overwrite' on spark "
            "(config(**partitioned_incremental('spend_month'))), got 'incremental'/'replace_window'") in _load_error(manifest)


def test_platform_upstream_stops_at_other_products(manifest):
    found = platform_upstream(manifest, ["revenue_monthly"])
    assert "int_orders__revenue" in found and "stg_shop__orders" in found
    # revenue_monthly reads customer_360, a product: neither it nor what only it reads is rebuilt for it.
    assert not {"customer_360", "customer_360_unmasked", "int_customer__support_summary"} & set(found)
    assert platform_upstream(manifest, ["sales_daily_metrics"]) == (
        "int_sales__transactions_enriched", "stg_catalog__products", "stg_crm__customers", "stg_pos__transactions")
