"""`dataops quality report` over the session's materialized home, and the scores it reads."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import pytest
from click.testing import CliRunner

from dataops_assets.cli.main import cli
from tests.sandbox import PRODUCT_IDS, TEST_END, latest_materialization_run


GROUP_FIELDS = {"id", "quality_score", "score_reason", "blocked_by", "models"}
MODEL_FIELDS = {"model", "quality_score", "score_reason", "dimensions", "scored_at", "latest_run_id", "blocked_by",
                "publication_blocked_by", "checks"}
CHECK_FIELDS = {"name", "source", "status", "passed", "severity", "dimension", "unexpected_count",
                "unexpected_percent", "evaluated_at", "run_id", "partition_window"}


@pytest.fixture
def report(materialized_home, monkeypatch):
    monkeypatch.setenv("DATAOPS_HOME", str(materialized_home))
    monkeypatch.setenv("DAGSTER_HOME", str(materialized_home / "dagster"))

    def run(*args: str):
        return CliRunner().invoke(cli, ["quality", "report", *args])

    return run


def test_report_json_on_clean_data(report, materialized_home):
    result = report("--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    products = {p["id"]: p for p in document["products"]}
    assert set(products) == PRODUCT_IDS
    for product in products.values():
        assert set(product) == GROUP_FIELDS
        # Clean sandbox data: every check passes; a `mostly` check (3 % stale positions allowed)
        # still costs mission_logistics a fraction of a point.
        assert 99.0 <= product["quality_score"] <= 100.0
        assert (product["score_reason"], product["blocked_by"]) == (None, [])
        for model in product["models"]:
            assert set(model) == MODEL_FIELDS
            assert 99.0 <= model["quality_score"] <= 100.0
            assert (model["score_reason"], model["blocked_by"], model["publication_blocked_by"]) == (None, [], [])
            # Each partitions definition has its own run: a model's is the one that last built it.
            assert model["latest_run_id"] == latest_materialization_run(materialized_home, model["model"]), model["model"]
            for check in model["checks"]:
                assert set(check) == CHECK_FIELDS
                assert check["status"] == "passed", (model["model"], check["name"])
    customer_models = {m["model"]: m for m in products["customer_360"]["models"]}
    assert set(customer_models) == {"customer_360", "customer_360_v2", "customer_360_unmasked"}
    leak = {c["name"]: c for c in customer_models["customer_360"]["checks"]}["pii_leak"]
    assert (leak["source"], leak["severity"], leak["status"]) == ("governance", "error", "passed")
    customer = customer_models["customer_360_unmasked"]
    checks = {c["name"]: c for c in customer["checks"]}
    assert checks["customer_id_unique"]["dimension"] == "uniqueness"
    assert checks["customer_id_unique"]["source"] == "great_expectations"
    assert checks["lifetime_value_between"]["severity"] == "warn"
    assert products["customer_360"]["quality_score"] == 100.0
    assert checks["customer_id_unique"]["partition_window"] is None  # unpartitioned: the whole model
    [sales_model] = [m for m in products["sales_daily_metrics"]["models"] if m["model"] == "sales_daily_metrics"]
    sales = {c["name"]: c for c in sales_model["checks"]}
    # The session's run built every partition at once: its checks read the whole range.
    assert {c["partition_window"] for c in sales.values() if c["source"] == "great_expectations"} == {
        f"{TEST_END.date() - dt.timedelta(days=89)}..{TEST_END.date() + dt.timedelta(days=1)}"}
    assert set(customer["dimensions"]) >= {"completeness", "validity", "uniqueness", "consistency", "timeliness"}
    platform = document["platform"]
    assert set(platform) == GROUP_FIELDS and platform["id"] == "staging"
    assert (platform["quality_score"], platform["score_reason"], platform["blocked_by"]) == (None, "no quality suite", [])
    staging = {m["model"]: m for m in platform["models"]}
    assert {c["name"]: c["source"] for c in staging["stg_crm__customers"]["checks"]}[
        "unique_stg_crm__customers_customer_id"] == "dbt"
    assert all(c["status"] == "passed" for m in staging.values() for c in m["checks"])


def test_report_for_one_product_as_text(report):
    result = report("--product", "mission_logistics")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("mission_logistics: quality score 99.")
    assert "PASSED  error validity     risk_score_between" in result.output
    assert "customer_360" not in result.output
    assert "staging (platform): quality score - (no quality suite)" in result.output


def test_report_unknown_product(report):
    result = report("--product", "nope")
    assert result.exit_code == 2
    assert "Invalid value for --product: unknown product 'nope'" in result.output


def test_scores_are_numeric_observation_metadata(materialized_home):
    with dg.DagsterInstance.from_config(str(materialized_home / "dagster")) as instance:
        [record] = instance.fetch_observations(dg.AssetRecordsFilter(asset_key=dg.AssetKey("customer_360")),
                                               limit=1).records
    metadata = record.asset_observation.metadata
    assert isinstance(metadata["dataops/quality_score"], dg.FloatMetadataValue)
    assert metadata["dataops/quality_score"].value == 100.0
    assert metadata["dataops/product_quality_score"].value == 100.0
    assert metadata["dataops/quality/uniqueness"].value == 100.0
