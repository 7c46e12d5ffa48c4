"""Suite loading: the shipped suites are valid, and every way a suite can be wrong is one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dataops_assets.quality.suite import SuiteError, load_suite, load_suites
from dataops_assets.settings import QUALITY_SUITES_DIR

FIXTURE = Path(__file__).parent.parent / "fixtures" / "manifest_products.json"


@pytest.fixture(scope="module")
def models() -> dict:
    manifest = json.loads(FIXTURE.read_text())
    return {n["name"]: n for n in manifest["nodes"].values()}


@pytest.fixture
def suite_file(tmp_path) -> Path:
    target = tmp_path / "customer_360" / "customer_360.json"
    target.parent.mkdir()
    shutil.copy(QUALITY_SUITES_DIR / "customer_360" / "customer_360.json", target)
    return target


def edit(path: Path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def error_for(path: Path, models: dict) -> str:
    with pytest.raises(SuiteError) as excinfo:
        load_suite(path, models, path.parent.parent)
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith("customer_360/customer_360.json: ")
    return message


def test_shipped_suites_cover_every_public_model(models):
    suites = load_suites(QUALITY_SUITES_DIR, models, QUALITY_SUITES_DIR.parent)
    assert set(suites) == {name for name, node in models.items() if node["access"] == "public"}
    for suite in suites.values():
        dimensions = {e.dimension for e in suite.expectations}
        assert {"completeness", "validity", "uniqueness", "consistency"} <= dimensions, suite.model
        assert {e.severity for e in suite.expectations} == {"error", "warn"}, suite.model


def test_customer_360_suite_encodes_the_contract(models):
    suite = load_suites(QUALITY_SUITES_DIR, models, QUALITY_SUITES_DIR.parent)["customer_360"]
    by_name = {e.check_name: e for e in suite.expectations}
    assert by_name["customer_id_match_regex"].kwargs["regex"] == r"^CUST-[0-9]{10}$"
    assert {"customer_id_unique", "customer_id_not_null", "email_unique", "email_match_regex"} <= set(by_name)
    assert by_name["country_in_set"].kwargs["value_set"] == ["US", "CA", "UK", "DE", "FR", "AU", "JP"]
    assert by_name["account_status_in_set"].kwargs["value_set"] == ["active", "inactive", "suspended", "closed"]
    assert (by_name["lifetime_value_between"].kwargs["min_value"], by_name["lifetime_value_between"].kwargs["max_value"]) == (0, 1_000_000)
    # total_orders (not null, >= 0) holds by construction: a count, 0 without orders (customer_360.yml).
    required = {"customer_id", "email", "country", "account_status", "customer_since", "created_at", "updated_at"}
    assert {f"{c}_not_null" for c in required} <= set(by_name)


def test_suite_reads_only_the_columns_it_needs(models):
    suite = load_suites(QUALITY_SUITES_DIR, models, QUALITY_SUITES_DIR.parent)["equipment_status"]
    assert "base" not in suite.columns_read and "risk_score" in suite.columns_read
    # status is read only inside a computed column, evaluated in the same query
    assert "status" not in suite.columns_read and "mission_during_maintenance" in suite.computed_columns


def test_unknown_expectation_type(suite_file, models):
    edit(suite_file, lambda d: d["expectations"][0].update(type="expect_column_values_to_be_purple"))
    message = error_for(suite_file, models)
    assert "expectation 0 (expect_column_values_to_be_purple on 'customer_id'): unknown expectation type" in message


def test_column_not_in_contract(suite_file, models):
    edit(suite_file, lambda d: d["expectations"][2]["kwargs"].update(column="cust_id"))
    message = error_for(suite_file, models)
    assert "expectation 2 (expect_column_values_to_match_regex on 'cust_id'): column 'cust_id' is not in the model's contract" in message


@pytest.mark.parametrize("field", ["severity", "dimension"])
def test_missing_severity_or_dimension(suite_file, models, field):
    edit(suite_file, lambda d: d["expectations"][1]["meta"].pop(field))
    message = error_for(suite_file, models)
    assert f"expectation 1 (expect_column_values_to_be_unique on 'customer_id'): meta.{field} is None" in message


def test_unknown_severity(suite_file, models):
    edit(suite_file, lambda d: d["expectations"][1]["meta"].update(severity="critical"))
    assert "meta.severity is 'critical'; expected error or warn" in error_for(suite_file, models)


def test_unknown_dimension(suite_file, models):
    edit(suite_file, lambda d: d["expectations"][1]["meta"].update(dimension="vibes"))
    assert "meta.dimension is 'vibes'; expected one of completeness, validity" in error_for(suite_file, models)


def test_duplicate_check_name(suite_file, models):
    edit(suite_file, lambda d: d["expectations"].append(d["expectations"][0]))
    assert "check name 'customer_id_not_null' is used twice" in error_for(suite_file, models)


def test_expectation_that_can_never_fail(suite_file, models):
    edit(suite_file, lambda d: d["expectations"][11]["kwargs"].update(min_value=None, max_value=None))
    message = error_for(suite_file, models)
    assert "expectation 11 (expect_column_values_to_be_between on 'lifetime_value'): can never fail" in message


def test_bad_volume_ratio(suite_file, models):
    def change(doc):
        volume = next(e for e in doc["expectations"] if e["type"] == "expect_table_row_count_to_be_between")
        volume["meta"]["min_ratio_to_previous"] = 5
    edit(suite_file, change)
    assert "meta.min_ratio_to_previous is 5; expected a number in (0, 1]" in error_for(suite_file, models)


def test_computed_column_ref_to_unknown_model(suite_file, models):
    edit(suite_file, lambda d: d["meta"]["computed_columns"].update(x="id in (select id from ref('nope'))"))
    assert "computed column 'x': ref('nope') is not a dbt model" in error_for(suite_file, models)


def test_not_json(suite_file, models):
    suite_file.write_text("{ not json")
    assert "not valid JSON" in error_for(suite_file, models)


def test_suite_for_unknown_model(tmp_path, models):
    path = tmp_path / "customer_360" / "customers.json"
    path.parent.mkdir()
    path.write_text('{"expectations": []}')
    with pytest.raises(SuiteError, match="no dbt model named 'customers'"):
        load_suite(path, models, tmp_path)


def test_suite_in_the_wrong_product_folder(tmp_path, models):
    path = tmp_path / "sales_daily_metrics" / "customer_360.json"
    path.parent.mkdir()
    path.write_text('{"expectations": []}')
    with pytest.raises(SuiteError, match="belongs to group 'customer_360', not 'sales_daily_metrics'"):
        load_suite(path, models, tmp_path)
