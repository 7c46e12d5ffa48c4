"""Defect injection: corrupt the landing data, rerun, and the specific check fails with its severity.

Each run injects several independent defects (different products or columns) so the suite stays
fast; an `error` failure keeps the model and every product consuming it (revenue_analytics) from
being published, while the warehouse holds the new rows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dataops_assets.catalog.products import load_products, models_by_name, slos_by_product
from dataops_assets.quality.suite import load_suites
from dataops_assets.settings import QUALITY_SUITES_DIR, REPO_ROOT
from dataops_assets.dbt.assets import BLOCKED_TAG
from tests.sandbox import (
    TEST_END,
    VENV_BIN,
    dataops_env,
    check_evaluation,
    check_metadata,
    latest_materialization_run,
    materialize,
    product_of,
    project_manifest,
    public_models,
    published_version,
    rewrite_landing,
    run_tags,
    warehouse_scalar,
)


CUSTOMER_360_FINGERPRINT = "select count(*) || ':' || sum(lifetime_value) from main.customer_360"


@pytest.fixture
def home(defect_baseline, tmp_path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(defect_baseline, copy)
    return copy


def test_clean_data_fails_no_check(defect_baseline):
    manifest = project_manifest()
    slos = slos_by_product(load_products(manifest))
    suites = load_suites(QUALITY_SUITES_DIR, models_by_name(manifest), REPO_ROOT, product_slos=slos)
    assert set(suites) == public_models() | {"customer_360_unmasked"}  # the raw values customer_360 masks
    for model, suite in suites.items():
        for expectation in suite.expectations:
            assert check_evaluation(defect_baseline, model, expectation.check_name)[0] is True, (model, expectation.check_name)


def quality_report_json(home: Path) -> dict:
    """`dataops quality report --json` over `home`, as a user runs it."""
    result = subprocess.run([str(VENV_BIN / "dataops"), "quality", "report", "--json"], env=dataops_env(home),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def assert_failed(home: Path, model: str, check: str, severity: str) -> None:
    assert check_evaluation(home, model, check) == (False, severity), f"{model}:{check}"


def test_customer_and_spend_defects(home):
    # Nulls in a required column, an unknown enum value, an out-of-range amount: all in customers/orders.
    rewrite_landing(home, "crm", "customers", """
        select * replace (
            case when row_number() over () <= 10 then null else country end as country,
            case when row_number() over () between 11 and 15 then 'frozen' else account_status end as account_status,
            case when row_number() over () between 16 and 18 then 'broken' || row_number() over () || '-at-example.com' else email end as email)
        from landing""")
    rewrite_landing(home, "shop", "orders", """
        select * replace (case when order_id = (select min(order_id) from landing where status = 'completed')
                               then 2000000.0 else amount end as amount)
        from landing""")
    # Orphan foreign keys in procurement; stale position reports in the fleet feed.
    rewrite_landing(home, "procurement", "spend", """
        select * replace (case when row_number() over () <= 5 then 'VND-99999' else vendor_id end as vendor_id)
        from landing""")
    rewrite_landing(home, "fleet", "equipment",
                    "select * replace (last_ping_ts - interval 30 day as last_ping_ts) from landing")

    result = materialize(home, "--only", "none", "monthly")
    assert result.returncode != 0, "an error-severity check failed, so the run must fail"

    assert_failed(home, "customer_360_unmasked", "country_not_null", "ERROR")
    assert_failed(home, "customer_360_unmasked", "account_status_in_set", "ERROR")
    assert_failed(home, "customer_360_unmasked", "lifetime_value_between", "WARN")
    assert_failed(home, "customer_360_unmasked", "email_match_regex", "ERROR")
    email = check_metadata(home, "customer_360_unmasked", "email_match_regex")
    assert (email["dimension"], email["unexpected_count"]) == ("validity", 3)
    # A PII column: examples masked as the spec masks it in customer_360 (tokens), never the raw values.
    assert len(set(email["examples"])) == 3 and all(re.fullmatch("tok_[0-9a-f]{16}", e) for e in email["examples"])
    status = check_metadata(home, "customer_360_unmasked", "account_status_in_set")
    assert status["examples"] == ["frozen"] * 5 and status["unexpected_percent"] > 0
    assert_failed(home, "vendor_category_spend", "orphan_vendor_id_null", "ERROR")
    assert_failed(home, "equipment_status", "newest_ping_within_freshness", "WARN")
    assert check_evaluation(home, "customer_360_unmasked", "email_unique") == (True, "ERROR")
    # The public model shows account statuses unmasked: its own check fails too.
    assert_failed(home, "customer_360", "account_status_in_set", "ERROR")
    assert check_evaluation(home, "stg_procurement__spend",
                            "relationships_stg_procurement__spend_vendor_id__vendor_id__ref_stg_procurement__vendors_")[0] is False

    # Every model was rebuilt in the warehouse; what failed an error check, and what consumed it
    # (revenue_analytics reads customer_360), was not published.
    daily = {"sales_daily_metrics", "sales_daily_region_metrics"}
    assert all(latest_materialization_run(home, model) in result.run_ids for model in public_models() - daily)
    for model in ("customer_360", "customer_360_v2", "revenue_monthly", "vendor_category_spend"):
        assert latest_materialization_run(home, f"published_{model}") not in result.run_ids, model
        assert published_version(home, product_of(model), model) == 1, model
    # Products with only warnings or no defects went through.
    for model in ("equipment_status", "product_performance"):
        assert latest_materialization_run(home, f"published_{model}") in result.run_ids, model
        assert published_version(home, product_of(model), model) == 2, model


def test_malformed_ids_and_volume_drop(home):
    malformed = "case when customer_id like '%7' then replace(customer_id, 'CUST-', 'CUST') else customer_id end"
    for source, table in [("crm", "customers"), ("shop", "orders"), ("pos", "transactions"),
                          ("helpdesk", "support_tickets")]:
        rewrite_landing(home, source, table, f"select * replace ({malformed} as customer_id) from landing")
    # A 90 % volume drop in the sales feed.
    rewrite_landing(home, "pos", "transactions", "select * from landing where hash(transaction_id) % 10 = 0")

    result = materialize(home)
    assert result.returncode != 0
    assert_failed(home, "customer_360", "customer_id_match_regex", "ERROR")
    assert_failed(home, "sales_daily_metrics", "row_count_between", "ERROR")
    assert check_evaluation(home, "sales_daily_metrics", "revenue_gap_pct_max_between") == (True, "ERROR")
    assert latest_materialization_run(home, "revenue_monthly") in result.run_ids
    assert latest_materialization_run(home, "published_revenue_monthly") not in result.run_ids


def test_duplicate_keys_fail_the_staging_key_check(home):
    rewrite_landing(home, "catalog", "products", "select * from landing union all (select * from landing limit 2)")
    result = materialize(home, "--only", "none", "daily")
    assert result.returncode != 0
    assert_failed(home, "stg_catalog__products", "unique_stg_catalog__products_product_id", "ERROR")
    # A failed key check in the shared staging layer fails closed: dbt builds nothing downstream of
    # it in that step, and no model reading it (sales from its own run included) is published.
    assert latest_materialization_run(home, "product_performance") not in result.run_ids
    for model in ("product_performance", "sales_daily_metrics", "sales_daily_region_metrics"):
        assert latest_materialization_run(home, f"published_{model}") not in result.run_ids, model
        assert published_version(home, product_of(model), model) == 1, model
    assert "product_performance (skipped)" in result.output


def test_a_dropped_column_and_a_missing_table_block_only_the_products_reading_them(home):
    before = warehouse_scalar(home, CUSTOMER_360_FINGERPRINT)
    rewrite_landing(home, "crm", "customers", "select * exclude (email) from landing")
    shutil.rmtree(home / "landing" / "meteo" / "weather")
    result = materialize(home, "--only", "none")
    assert result.returncode == 0, "the step builds, audits and publishes every product reading neither table"
    [run_id] = result.run_ids
    # sales_daily_metrics: its unpartitioned intermediate view joins the customers.
    assert run_tags(home, run_id)[BLOCKED_TAG] == (
        "blocked: products customer_360, mission_logistics, sales_daily_metrics not built (they read unusable "
        "landing tables): landing/crm/customers/part-0000.parquet: column 'email' is missing, expected VARCHAR; "
        f"landing/meteo/weather: no Parquet files in {home / 'landing' / 'meteo' / 'weather'}, expected at least "
        "one *.parquet")
    assert "blocked: products customer_360, mission_logistics, sales_daily_metrics not built" in result.output
    assert latest_materialization_run(home, "product_performance") == run_id
    assert latest_materialization_run(home, "published_product_performance") == run_id
    for model in ("customer_360", "customer_360_v2", "equipment_status"):
        assert latest_materialization_run(home, model) != run_id, model
        assert latest_materialization_run(home, f"published_{model}") != run_id, model
    assert warehouse_scalar(home, CUSTOMER_360_FINGERPRINT) == before  # customer_360 keeps its tables


def test_stalled_fleet_feed_fails_timeliness_and_an_hour_earlier_passes(home):
    mission = "group:mission_logistics"
    # Nothing was reported for the hour before as_of: every ping is older than the 5-minute budget.
    stalled = materialize(home, select=mission, as_of=TEST_END + dt.timedelta(hours=1))
    assert stalled.returncode == 0, "a warn check records the stall without failing the run"
    assert_failed(home, "equipment_status", "newest_ping_within_freshness", "WARN")
    metadata = check_metadata(home, "equipment_status", "newest_ping_within_freshness")
    assert metadata["observed_value"] == {"value": 60}
    assert metadata["dataops/quality/slo_threshold"] == "slos.freshness_minutes"  # the budget is the spec's

    fresh = materialize(home, select=mission, as_of=TEST_END)
    assert fresh.returncode == 0
    assert check_evaluation(home, "equipment_status", "newest_ping_within_freshness") == (True, "WARN")


def test_unparseable_amount_fails_a_validity_check_and_the_other_rows_build(home):
    rewrite_landing(home, "pos", "transactions", """
        select * replace (case when row_number() over (order by transaction_id) = 1 then 'n/a'
                               else cast(amount as varchar) end as amount)
        from landing""")
    result = materialize(home, "--only", "none", "daily")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert_failed(home, "stg_pos__transactions", "no_invalid_values_stg_pos__transactions_", "WARN")
    assert check_metadata(home, "stg_pos__transactions", "no_invalid_values_stg_pos__transactions_")[
        "dagster_dbt/failed_row_count"] == 1
    assert latest_materialization_run(home, "published_sales_daily_metrics") in result.run_ids
    report = quality_report_json(home)
    [invalid] = [c for m in report["platform"]["models"] if m["model"] == "stg_pos__transactions"
                 for c in m["checks"] if c["name"] == "no_invalid_values_stg_pos__transactions_"]
    assert (invalid["status"], invalid["severity"], invalid["dimension"], invalid["unexpected_count"]) == (
        "failed", "warn", "validity", 1)
    parsed = warehouse_scalar(home, "select sum(amount) from main.stg_pos__transactions")
    assert warehouse_scalar(home, "select count(*) from main.stg_pos__transactions where amount is null") == 1
    assert float(warehouse_scalar(home, "select sum(revenue) from main.sales_daily_metrics")) == pytest.approx(parsed, abs=0.01)
