"""The Dagster Definitions as the UI sees them: a group with owners per product, lineage across them."""

from __future__ import annotations

import dagster as dg
import pytest

from tests.sandbox import PRODUCT_IDS

from dataops_assets.definitions import build_definitions, defs
from dataops_assets.settings import Settings



@pytest.fixture(scope="module")
def asset_graph(tmp_path_factory):
    settings = Settings(home=tmp_path_factory.mktemp("defs_home"))
    return build_definitions(settings).resolve_asset_graph()


def test_definitions_load_through_the_module_entry_point():
    dg.Definitions.validate_loadable(defs())


def test_a_group_per_product_each_with_an_owner(asset_graph):
    groups: dict[str, set[str]] = {}
    for key in asset_graph.get_all_asset_keys():
        node = asset_graph.get(key)
        groups.setdefault(node.group_name, set()).update(node.owners)
    assert PRODUCT_IDS <= set(groups)
    assert set(groups) - PRODUCT_IDS == {"landing", "staging", "datasets"}
    for group in groups:
        assert groups[group], f"group {group} has no owner"
        assert any("@" in owner for owner in groups[group])


def test_lineage_edge_between_products(asset_graph):
    revenue = asset_graph.get(dg.AssetKey("revenue_monthly"))
    upstream_groups = {asset_graph.get(k).group_name for k in revenue.parent_keys}
    assert "customer_360" in upstream_groups


def test_lineage_starts_at_landing_tables(asset_graph):
    staging = asset_graph.get(dg.AssetKey("stg_crm__customers"))
    assert staging.parent_keys == {dg.AssetKey(["landing", "crm", "customers"])}
    landing = asset_graph.get(dg.AssetKey(["landing", "crm", "customers"]))
    assert landing.group_name == "landing" and not landing.is_materializable


def test_product_assets_carry_spec_tags_and_metadata(asset_graph):
    node = asset_graph.get(dg.AssetKey("customer_360"))
    assert node.tags["classification"] == "C"
    assert node.tags["domain"] == "customer"
    assert node.tags["lifecycle_status"] == "production"
    assert "team:marketing-data" in node.owners
    assert node.metadata["dataops/product"].value["name"] == "Customer 360"
    assert "email" in node.metadata["dataops/pii_columns"].value
    assert {"dbt", "duckdb"} <= set(node.kinds)


def test_dbt_tests_are_asset_checks(asset_graph):
    checks = {key.name for key in asset_graph.get_check_keys_for_assets({dg.AssetKey("stg_crm__customers")})}
    assert checks == {"unique_stg_crm__customers_customer_id", "not_null_stg_crm__customers_customer_id",
                      "no_invalid_values_stg_crm__customers_"}


def test_suite_expectations_are_asset_checks(asset_graph):
    checks = {key.name for key in asset_graph.get_check_keys_for_assets({dg.AssetKey("customer_360_unmasked")})}
    assert {"customer_id_unique", "customer_id_match_regex", "country_in_set", "row_count_between"} <= checks


def test_every_public_model_and_its_publication_carry_a_blocking_pii_leak_check(asset_graph):
    from tests.sandbox import public_models

    for model in public_models():
        for key in (dg.AssetKey(model), dg.AssetKey(f"published_{model}")):
            spec = asset_graph.get_check_spec(dg.AssetCheckKey(key, "pii_leak"))
            assert spec.blocking and spec.metadata["severity"] == "error", key


def test_every_dbt_model_writes_through_the_duckdb_pool(asset_graph):
    # Datasets build into their own DuckDB file (datasets/<id>/), not the shared warehouse.
    dbt_models = [k for k in asset_graph.get_all_asset_keys()
                  if asset_graph.get(k).is_materializable and asset_graph.get(k).group_name != "datasets"]
    assert dbt_models
    assert all(set(asset_graph.get(k).pools) == {"duckdb"} for k in dbt_models)


def test_dbt_tests_carry_severity_and_dimension_for_the_report(asset_graph):
    def metadata(check: str) -> dict:
        spec = asset_graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey("stg_crm__customers"), check))
        return {k: spec.metadata.get(k) for k in ("severity", "dimension")}

    assert metadata("unique_stg_crm__customers_customer_id") == {"severity": "error", "dimension": "uniqueness"}
    assert metadata("no_invalid_values_stg_crm__customers_") == {"severity": "warn", "dimension": "validity"}
