"""Suite loading: the shipped suites are valid, and every way a suite can be wrong is one line."""

from __future__ import annotations

import datetime as dt
import json
import numbers
import shutil
from pathlib import Path

import pytest

from dataops_assets.catalog.products import models_by_name
from dataops_assets.catalog.products import load_products, slos_by_product
from dataops_assets.catalog.spec import Slos
from dataops_assets.quality.checks import SLO_THRESHOLD_KEY, check_description, slo_metadata
from dataops_assets.quality.suite import SuiteError, load_suite, load_suites, resolve_as_of
from dataops_assets.settings import QUALITY_SUITES_DIR
from tests.manifest_fixture import fixture_products

FIXTURE = Path(__file__).parent.parent / "fixtures" / "manifest_products.json"
# Timeliness rules that are not the product's freshness: a per-row boolean checked against a value set.
NOT_PRODUCT_FRESHNESS = {("equipment_status", "position_stale_over_a_day")}


@pytest.fixture(scope="module")
def models() -> dict:
    manifest = json.loads(FIXTURE.read_text())
    return models_by_name(manifest)


@pytest.fixture(scope="module")
def slos() -> dict[str, Slos]:
    """Product id -> the SLOs of its spec in the fixture manifest."""
    return slos_by_product(load_products(json.loads(FIXTURE.read_text())))


@pytest.fixture
def suite_file(tmp_path) -> Path:
    target = tmp_path / "customer_360" / "customer_360_unmasked.json"
    target.parent.mkdir()
    shutil.copy(QUALITY_SUITES_DIR / "customer_360" / "customer_360_unmasked.json", target)
    return target


def edit(path: Path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def error_for(path: Path, models: dict, slos: dict[str, Slos]) -> str:
    with pytest.raises(SuiteError) as excinfo:
        load_suite(path, models, path.parent.parent, product_slos=slos)
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith("customer_360/customer_360_unmasked.json: ")
    return message


def test_shipped_suites_cover_every_public_model(models, slos):
    suites = load_suites(QUALITY_SUITES_DIR, models, QUALITY_SUITES_DIR.parent, product_slos=slos, only=fixture_products())
    public = {name for name, node in models.items() if node["access"] == "public"}
    assert set(suites) - public == {"customer_360_unmasked"}  # the raw values customer_360 masks
    assert public <= set(suites)
    for suite in suites.values():
        dimensions = {e.dimension for e in suite.expectations}
        assert {"completeness", "validity", "uniqueness", "consistency"} <= dimensions, suite.model
        assert {e.severity for e in suite.expectations} == {"error", "warn"}, suite.model


def test_customer_360_suite_encodes_the_contract(models, slos):
    suite = load_suites(QUALITY_SUITES_DIR, models, QUALITY_SUITES_DIR.parent, product_slos=slos, only=fixture_products())["customer_360_unmasked"]
    by_name = {e.check_name: e for e in suite.expectations}
    assert by_name["customer_id_match_regex"].kwargs["regex"] == r"^CUST-[0-9]{10}$"
    assert {"customer_id_unique", "customer_id_not_null", "email_unique", "email_match_regex"} <= set(by_name)
    assert by_name["country_in_set"].kwargs["value_set"] == ["US", "CA", "UK", "DE", "FR", "AU", "JP"]
    assert by_name["account_status_in_set"].kwargs["value_set"] == ["active", "inactive", "suspended", "closed"]
    assert (by_name["lifetime_value_between"].kwargs["min_value"], by_name["lifetime_value_between"].kwargs["max_value"]) == (0, 1_000_000)
    # total_orders (not null, >= 0) holds by construction: a count, 0 without orders (customer_360.yml).
    required = {"customer_id", "email", "country", "account_status", "customer_since", "created_at", "updated_at"}
    assert {f"{c}_not_null" for c in required} <= set(by_name)


def test_suite_reads_only_the_columns_it_needs(models, slos):
    suite = load_suites(QUALITY_SUITES_DIR, models, QUALITY_SUITES_DIR.parent, product_slos=slos, only=fixture_products())["equipment_status"]
    assert "base" not in suite.columns_read and "risk_score" in suite.columns_read
    # status is read only inside a computed column, evaluated in the same query
    assert "status" not in suite.columns_read and "mission_during_maintenance" in suite.computed_columns


def test_unknown_expectation_type(suite_file, models, slos):
    edit(suite_file, lambda d: d["expectations"][0].update(type="expect_column_values_to_be_purple"))
    message = error_for(suite_file, models, slos)
    assert "expectation 0 (expect_column_values_to_be_purple on 'customer_id'): unknown expectation type" in message


def test_column_not_in_contract(suite_file, models, slos):
    edit(suite_file, lambda d: d["expectations"][2]["kwargs"].update(column="cust_id"))
    message = error_for(suite_file, models, slos)
    assert "expectation 2 (expect_column_values_to_match_regex on 'cust_id'): column 'cust_id' is not in the model's contract" in message


@pytest.mark.parametrize("field", ["severity", "dimension"])
def test_missing_severity_or_dimension(suite_file, models, slos, field):
    edit(suite_file, lambda d: d["expectations"][1]["meta"].pop(field))
    message = error_for(suite_file, models, slos)
    assert f"expectation 1 (expect_column_values_to_be_unique on 'customer_id'): meta.{field} is None" in message


def test_unknown_severity(suite_file, models, slos):
    edit(suite_file, lambda d: d["expectations"][1]["meta"].update(severity="critical"))
    assert "meta.severity is 'critical'; expected error or warn" in error_for(suite_file, models, slos)


def test_unknown_dimension(suite_file, models, slos):
    edit(suite_file, lambda d: d["expectations"][1]["meta"].update(dimension="vibes"))
    assert "meta.dimension is 'vibes'; expected one of completeness, validity" in error_for(suite_file, models, slos)


def test_duplicate_check_name(suite_file, models, slos):
    edit(suite_file, lambda d: d["expectations"].append(d["expectations"][0]))
    assert "check name 'customer_id_not_null' is used twice" in error_for(suite_file, models, slos)


def test_expectation_that_can_never_fail(suite_file, models, slos):
    edit(suite_file, lambda d: d["expectations"][11]["kwargs"].update(min_value=None, max_value=None))
    message = error_for(suite_file, models, slos)
    assert "expectation 11 (expect_column_values_to_be_between on 'lifetime_value'): can never fail" in message


def test_bad_volume_ratio(suite_file, models, slos):
    def change(doc):
        volume = next(e for e in doc["expectations"] if e["type"] == "expect_table_row_count_to_be_between")
        volume["meta"]["min_ratio_to_previous"] = 5
    edit(suite_file, change)
    assert "meta.min_ratio_to_previous is 5; expected a number in (0, 1]" in error_for(suite_file, models, slos)


def test_computed_column_ref_to_unknown_model(suite_file, models, slos):
    edit(suite_file, lambda d: d["meta"]["computed_columns"].update(x="id in (select id from ref('nope'))"))
    assert "computed column 'x': ref('nope') is not a dbt model" in error_for(suite_file, models, slos)


def test_not_json(suite_file, models, slos):
    suite_file.write_text("{ not json")
    assert "not valid JSON" in error_for(suite_file, models, slos)


def test_suite_for_unknown_model(tmp_path, models, slos):
    path = tmp_path / "customer_360" / "customers.json"
    path.parent.mkdir()
    path.write_text('{"expectations": []}')
    with pytest.raises(SuiteError, match="no dbt model named 'customers'"):
        load_suite(path, models, tmp_path, product_slos=slos)


def test_suite_in_the_wrong_product_folder(tmp_path, models, slos):
    path = tmp_path / "sales_daily_metrics" / "customer_360.json"
    path.parent.mkdir()
    path.write_text('{"expectations": []}')
    with pytest.raises(SuiteError, match="belongs to group 'customer_360', not 'sales_daily_metrics'"):
        load_suite(path, models, tmp_path, product_slos=slos)


def timeliness_expectation(doc: dict) -> dict:
    [found] = [e for e in doc["expectations"] if e["meta"]["dimension"] == "timeliness"]
    return found


def loaded_timeliness(path: Path, models: dict, slos: dict[str, Slos]):
    [found] = [e for e in load_suite(path, models, path.parent.parent, product_slos=slos).expectations
               if e.dimension == "timeliness"]
    return found


def test_slo_token_takes_the_product_spec_value(suite_file, models, slos):
    loaded = loaded_timeliness(suite_file, models, slos)
    assert loaded.kwargs["max_value"] == slos["customer_360"].freshness_minutes
    assert loaded.slo_thresholds == {"max_value": "freshness_minutes"}
    # The spec changes, the threshold follows: nothing is copied into the suite file.
    tighter = {**slos, "customer_360": slos["customer_360"].model_copy(update={"freshness_minutes": 42.0})}
    loaded = loaded_timeliness(suite_file, models, tighter)
    assert loaded.kwargs["max_value"] == 42.0
    assert slo_metadata(loaded) == {SLO_THRESHOLD_KEY: "slos.freshness_minutes"}
    assert check_description(loaded).endswith("[max_value 42 from the product spec's slos.freshness_minutes]")


def test_literal_thresholds_carry_no_slo_metadata(models, slos):
    suite = load_suites(QUALITY_SUITES_DIR, models, QUALITY_SUITES_DIR.parent, product_slos=slos, only=fixture_products())["customer_360_unmasked"]
    literal = next(e for e in suite.expectations if e.check_name == "lifetime_value_between")
    assert (literal.slo_thresholds, slo_metadata(literal), check_description(literal)) == (
        {}, {}, "lifetime value within 0 to 1,000,000 USD")


def test_unknown_slo_field(suite_file, models, slos):
    edit(suite_file, lambda d: timeliness_expectation(d)["kwargs"].update(max_value={"slo": "freshness_hours"}))
    message = error_for(suite_file, models, slos)
    assert ("(expect_column_max_to_be_between on 'minutes_since_last_update'): kwargs.max_value: unknown SLO field "
            "'freshness_hours'; expected one of ") in message
    assert all(name in message for name in Slos.model_fields)


@pytest.mark.parametrize("token", [{"slo": "freshness_minutes", "scale": 2}, {}, {"slo": 5}])
def test_slo_token_not_a_one_key_object(suite_file, models, slos, token):
    edit(suite_file, lambda d: timeliness_expectation(d)["kwargs"].update(max_value=token))
    message = error_for(suite_file, models, slos)
    assert f'kwargs.max_value is {json.dumps(token)}; expected a number or an SLO token {{"slo": "<field>"}}' in message


def test_slo_token_of_a_product_without_spec(suite_file, models, slos):
    others = {product: value for product, value in slos.items() if product != "customer_360"}
    message = error_for(suite_file, models, others)
    assert "kwargs.max_value reads slos.freshness_minutes, but product 'customer_360' has no spec" in message


def test_as_of_is_the_pinned_instant_or_now():
    sql = "date_diff('minute', max(updated_at) over (), as_of())"
    assert resolve_as_of(sql, dt.datetime(2026, 11, 26, 14, 30)) == (
        "date_diff('minute', max(updated_at) over (), cast('2026-11-26 14:30:00' as timestamp))")
    assert resolve_as_of(sql, None) == (
        "date_diff('minute', max(updated_at) over (), cast(timezone('UTC', now()) as timestamp))")
    assert resolve_as_of("as_of_ts, last_as_of()", None) == "as_of_ts, last_as_of()"  # not the token


def test_every_timeliness_bound_is_the_products_freshness_slo():
    """No suite copies a freshness number: each timeliness threshold is {"slo": "freshness_minutes"}."""
    stated = set()
    for path in sorted(p for p in QUALITY_SUITES_DIR.glob("*/*.json") if p.parent.name in fixture_products()):
        for e in json.loads(path.read_text())["expectations"]:
            if e["meta"]["dimension"] != "timeliness":
                continue
            if (path.stem, e["kwargs"].get("column")) in NOT_PRODUCT_FRESHNESS:
                assert e["kwargs"]["value_set"] == [False], path.name  # a computed boolean, no threshold
                continue
            literal = {k: v for k, v in e["kwargs"].items() if isinstance(v, numbers.Number) and k != "mostly"}
            assert literal == {}, (path.name, e["kwargs"])
            assert e["kwargs"]["max_value"] == {"slo": "freshness_minutes"}, path.name
            assert "slos.freshness_minutes" in e["meta"]["description"], path.name
            stated.add(path.parent.name)
    assert stated == fixture_products()  # every product
