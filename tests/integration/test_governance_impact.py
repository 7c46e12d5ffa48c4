"""`dataops impact`: a landing column, a model or a model column, traced through the asset graph and the
column lineage dbt runs recorded, to every model, publication, product, owner and consumer it reaches."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dataops_assets.cli.main import cli


@pytest.fixture
def impact(monkeypatch):
    def run(home, *args: str):
        monkeypatch.setenv("DATAOPS_HOME", str(home))
        monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
        return CliRunner().invoke(cli, ["impact", *args])

    return run


def by_asset(document: dict) -> dict[str, dict]:
    return {a["asset"]: a for a in document["assets"]}


def test_a_landing_email_reaches_customer_360_and_its_owner(impact, materialized_home):
    result = impact(materialized_home, "crm.customers.email", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assets = by_asset(found)
    assert assets["stg_crm__customers"]["columns"] == ["email"]
    assert assets["customer_360_unmasked"]["columns"] == ["email"]
    for version in ("customer_360", "customer_360_v2"):  # masked (partially, a token): still the same column
        assert assets[version]["columns"] == ["email"] and assets[f"published_{version}"]["columns"] == ["email"]
    assert "customer_360_token_vault" in assets
    assert "revenue_monthly" not in assets  # revenue_analytics reads customer_360, not its emails
    [product] = found["products"]
    assert (product["id"], product["owner"], product["steward"]) == (
        "customer_360", "marketing-data@example.com", "priya.shah@example.com")
    assert "reporting-service" in product["consumers"]
    text = impact(materialized_home, "crm.customers.email").output
    assert text.startswith("crm.customers.email reaches 7 assets in 1 products")
    assert "product customer_360 [C]: owner marketing-data@example.com" in text


def test_a_column_crosses_products_through_their_lineage(impact, materialized_home):
    found = json.loads(impact(materialized_home, "stg_crm__customers.country", "--json").output)
    assets = by_asset(found)
    assert assets["customer_360_v2"]["columns"] == ["country"] and assets["revenue_monthly"]["columns"] == ["country"]
    assert {p["id"] for p in found["products"]} == {"customer_360", "revenue_analytics"}
    whole = json.loads(impact(materialized_home, "customer_360_v2", "--json").output)
    assert {a["asset"] for a in whole["assets"]} == {"published_customer_360_v2", "revenue_monthly",
                                                      "published_revenue_monthly"}
    v1 = json.loads(impact(materialized_home, "customer_360", "--json").output)
    assert {a["asset"] for a in v1["assets"]} == {"published_customer_360"}  # ref() reads the latest version


def test_without_a_run_history_models_are_listed_with_their_columns_unknown(impact, tmp_path):
    found = json.loads(impact(tmp_path, "crm.customers.email", "--json").output)
    assert found["column_lineage"].startswith("unavailable")
    assert by_asset(found)["customer_360"]["columns"] is None
    assert by_asset(found)["stg_crm__customers"]["columns"] == ["email"]  # staging keeps landing names


@pytest.mark.parametrize("target, message", [
    ("crm.customers.nope", "crm.customers has no column 'nope'; expected one of account_status"),
    ("nothing_here", "nothing_here: no such asset; expected <model>[.<column>] or <source>.<table>[.<column>]"),
])
def test_an_unknown_target_is_one_line(impact, tmp_path, target, message):
    result = impact(tmp_path, target)
    assert result.exit_code == 2 and message in result.output
