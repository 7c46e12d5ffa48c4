"""Reports name causes: a failed shared staging key check blocks every product that reads it, and
both reports say so, whether it stopped the product's checks or only its publication.

The defect runs once on a copy of the session's defect baseline, and both commands read that copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataops_assets.cli.main import cli
from dataops_assets.catalog.products import load_products, upstream_models
from dataops_assets.catalog.spec import Partitioning
from tests.sandbox import PRODUCT_IDS, Materialized, materialize, project_manifest, rewrite_landing

DUPLICATE_CUSTOMER_ID = "stg_crm__customers:unique_stg_crm__customers_customer_id"


def _catalog_sets() -> tuple[set[str], set[str], set[str]]:
    """From the catalog: products built in the unpartitioned dbt step the failed test stopped (their checks
    did not run); partitioned ones checked in their own runs but reading stg_crm__customers (not
    published); the rest (unaffected)."""
    manifest = project_manifest()
    products = load_products(manifest)
    not_checked = {p.id for p in products.values() if p.partitioning is Partitioning.NONE}
    not_published = {p.id for p in products.values() if p.id not in not_checked and any(
        "stg_crm__customers" in upstream_models(manifest, m) for m in p.public_models)}
    return not_checked, not_published, set(products) - not_checked - not_published


NOT_CHECKED, NOT_PUBLISHED, UNAFFECTED = _catalog_sets()


@pytest.fixture(scope="module")
def duplicated(defect_baseline, tmp_path_factory) -> tuple[Path, Materialized]:
    """The baseline re-materialized after one customer row was landed twice."""
    home = tmp_path_factory.mktemp("causes_duplicate") / "home"
    shutil.copytree(defect_baseline, home)
    rewrite_landing(home, "crm", "customers", "select * from landing union all (select * from landing limit 1)")
    result = materialize(home)
    assert result.returncode != 0, "a failed error-severity staging key check must fail the run"
    return home, result


@pytest.fixture
def dataops(monkeypatch):
    def invoke(home: Path, *args: str) -> str:
        monkeypatch.setenv("DATAOPS_HOME", str(home))
        monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_clean_home_names_no_cause(defect_baseline, dataops):
    report = json.loads(dataops(defect_baseline, "quality", "report", "--json"))
    assert {p["id"] for p in report["products"]} == PRODUCT_IDS
    for product in report["products"]:
        assert product["blocked_by"] == [] and product["score_reason"] is None, product["id"]
        assert product["quality_score"] is not None
        assert all(m["blocked_by"] == [] and m["quality_score"] is not None for m in product["models"])
    platform = report["platform"]
    assert platform["id"] == "staging" and platform["blocked_by"] == []
    assert "stg_crm__customers" in {m["model"] for m in platform["models"]}

    summary = json.loads(dataops(defect_baseline, "summary", "--json"))
    assert {s["product_id"] for s in summary["products"]} == PRODUCT_IDS
    for status in summary["products"]:
        assert status["blocked_by"] == [] and status["quality_score"] is not None, status["product_id"]
    assert summary["platform"]["product_id"] == "staging"
    assert summary["platform"]["checks_passed"] > 0 and summary["platform"]["checks_failed"] == 0


def test_report_names_the_staging_check_that_blocked_every_product(duplicated, dataops):
    home, result = duplicated
    report = json.loads(dataops(home, "quality", "report", "--json"))
    products = {p["id"]: p for p in report["products"]}
    not_run = {p["id"] for p in report["products"]
               if any(c["status"] == "not_run" for m in p["models"] for c in m["checks"])}
    assert not_run == NOT_CHECKED
    for product_id in NOT_CHECKED | NOT_PUBLISHED:
        assert DUPLICATE_CUSTOMER_ID in products[product_id]["blocked_by"], product_id
    for product_id in NOT_CHECKED:
        product = products[product_id]
        assert product["quality_score"] is None and DUPLICATE_CUSTOMER_ID in product["score_reason"]
        for model in product["models"]:
            run_id = model["latest_run_id"]
            assert run_id in result.run_ids
            assert DUPLICATE_CUSTOMER_ID in model["blocked_by"], model["model"]
            # The baseline's score is stale: it must not be shown.
            assert (model["quality_score"], model["dimensions"], model["scored_at"]) == (None, {}, None)
            assert model["score_reason"].startswith(f"not scored by the latest run {run_id[:8]}: blocked by ")
    for product_id in NOT_PUBLISHED:
        public = [m for m in products[product_id]["models"] if m["publication_blocked_by"]]
        assert public and all(DUPLICATE_CUSTOMER_ID in m["publication_blocked_by"] for m in public), product_id
        assert products[product_id]["quality_score"] is not None  # its checks ran on what was built
    for product_id in UNAFFECTED:
        assert products[product_id]["blocked_by"] == [], product_id

    staging = {m["model"]: m for m in report["platform"]["models"]}
    checks = {c["name"]: c for c in staging["stg_crm__customers"]["checks"]}
    failed = checks["unique_stg_crm__customers_customer_id"]
    assert failed["status"] == "failed" and failed["run_id"] in result.run_ids
    assert report["platform"]["blocked_by"] == []  # the staging checks ran; one of them failed


def test_summary_names_the_staging_check_that_blocked_every_product(duplicated, dataops):
    home, _ = duplicated
    summary = json.loads(dataops(home, "summary", "--json"))
    statuses = {s["product_id"]: s for s in summary["products"]}
    assert set(statuses) == PRODUCT_IDS
    for product_id in NOT_CHECKED:
        status = statuses[product_id]
        assert status["checks_not_run"] > 0 and DUPLICATE_CUSTOMER_ID in status["blocked_by"], product_id
        assert status["quality_score"] is None and status["score_reason"]
    for product_id in NOT_PUBLISHED:
        assert DUPLICATE_CUSTOMER_ID in statuses[product_id]["blocked_by"], product_id
    assert DUPLICATE_CUSTOMER_ID in summary["platform"]["failed_checks"]

    lines = dataops(home, "summary").splitlines()
    for product_id in NOT_CHECKED | NOT_PUBLISHED:
        [line] = [line for line in lines if line.startswith(f"{product_id}: ")]
        assert line.endswith("[BLOCKED]"), line
        if product_id in NOT_CHECKED:
            assert f"quality - (not scored by the latest run: blocked by {DUPLICATE_CUSTOMER_ID})" in line
    for product_id in UNAFFECTED:
        [line] = [line for line in lines if line.startswith(f"{product_id}: ")]
        assert line.endswith("[ok]"), line
    assert f"    FAILED {DUPLICATE_CUSTOMER_ID}" in lines
    assert any(line.startswith("staging (platform): checks ") for line in lines)
