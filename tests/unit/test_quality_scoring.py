"""Scores, masking and the GX run on small frames (no dbt)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dataops_assets.catalog.products import models_by_name
from dataops_assets.catalog.products import load_products, slos_by_product
from dataops_assets.governance.masking import mask_value
from dataops_assets.quality.score import Outcome, dimension_scores, overall_score, pass_share, product_score
from dataops_assets.quality.suite import load_suite
from dataops_assets.quality.validation import model_query, validate_frame

FIXTURE = Path(__file__).parent.parent / "fixtures" / "manifest_products.json"


def test_pass_share_row_level_and_aggregate():
    assert pass_share(Outcome("a", "validity", "error", False, 25.0)) == 0.75
    assert pass_share(Outcome("b", "timeliness", "warn", False, None)) == 0.0
    assert pass_share(Outcome("c", "timeliness", "warn", True, None)) == 1.0


def test_dimension_and_overall_scores():
    outcomes = [
        Outcome("a", "completeness", "error", True, 0.0),
        Outcome("b", "completeness", "error", False, 10.0),
        Outcome("c", "validity", "error", False, 50.0),
        Outcome("d", "timeliness", "warn", True, None),
    ]
    dims = dimension_scores(outcomes)
    assert dims == {"completeness": 95.0, "validity": 50.0, "timeliness": 100.0}
    assert overall_score(dims) == pytest.approx(81.67)
    assert overall_score(dims, {"validity": 2.0}) == pytest.approx((95 + 100 + 2 * 50) / 4, abs=0.01)
    assert overall_score({}) is None
    assert product_score([80.0, None, 100.0]) == 90.0


@pytest.mark.parametrize(
    ("strategy", "masked"),
    [("redact", "***"), ("partial", "j***@example.com"), ("tokenize", "tok_"), ("hash", "")],
)
def test_masking(strategy, masked):
    value = mask_value("jane.doe@example.com", strategy, b"a-test-masking-key-0123")
    assert "jane.doe" not in value
    assert value.startswith(masked)
    assert mask_value(None, strategy, b"a-test-masking-key-0123") is None


def test_unknown_masking_strategy():
    with pytest.raises(ValueError, match="masking strategy: expected one of"):
        mask_value("x", "shred", b"a-test-masking-key-0123")


@pytest.fixture(scope="module")
def customer_suite(tmp_path_factory):
    from dataops_assets.settings import QUALITY_SUITES_DIR

    manifest = json.loads(FIXTURE.read_text())
    models = models_by_name(manifest)
    slos = slos_by_product(load_products(manifest))
    return load_suite(QUALITY_SUITES_DIR / "customer_360" / "customer_360_unmasked.json", models, QUALITY_SUITES_DIR.parent,
                      product_slos=slos)


def customers(n: int = 20) -> pd.DataFrame:
    ts = pd.Timestamp.now().floor("s")
    return pd.DataFrame({
        "customer_id": [f"CUST-{i:010d}" for i in range(n)],
        "email": [f"user{i}@example.com" for i in range(n)],
        "country": ["US"] * n,
        "account_status": ["active"] * n,
        "customer_since": [ts.date()] * n,
        "total_orders": [1] * n,
        "lifetime_value": [10.0] * n,
        "created_at": [ts] * n,
        "updated_at": [ts] * n,
        "date_of_birth_out_of_range": [False] * n,
        "minutes_since_last_update": [0] * n,
        "lifetime_value_gap": [0.0] * n,
    })


def by_name(results):
    return {r.expectation.check_name: r for r in results}


def test_clean_frame_passes_everything(customer_suite):
    results = validate_frame(customers(), customer_suite)
    assert [r.expectation.check_name for r in results if not r.passed] == []


def test_bad_rows_fail_their_checks_with_masked_examples(customer_suite):
    frame = customers()
    frame.loc[0, "email"] = "not-an-email"
    frame.loc[1, "customer_id"] = "CUST-12"
    frame.loc[[2, 3], "country"] = "XX"
    results = by_name(validate_frame(frame, customer_suite, pii_masking={"email": "partial"}))
    assert not results["email_match_regex"].passed
    assert results["email_match_regex"].unexpected_count == 1
    assert results["email_match_regex"].examples == ["n***"]  # PII: masked
    assert results["customer_id_match_regex"].examples == ["CUST-12"]  # not PII: shown
    assert results["country_in_set"].unexpected_percent == pytest.approx(10.0)
    assert results["email_unique"].passed


def test_volume_check_uses_previous_row_count(customer_suite):
    results = by_name(validate_frame(customers(20), customer_suite, previous_row_count=100))
    assert not results["row_count_between"].passed
    assert results["row_count_between"].observed_value == 20
    assert by_name(validate_frame(customers(20), customer_suite, previous_row_count=30))["row_count_between"].passed


def test_query_selects_only_needed_columns(customer_suite):
    sql = model_query(customer_suite, '"warehouse"."main"."customer_360_unmasked"', {"x": "1"})
    assert '"first_name"' not in sql and '"email"' in sql and '1 as "x"' in sql


def test_observed_values_are_plain_json_numbers(customer_suite):
    results = by_name(validate_frame(customers(20), customer_suite))
    observed = results["minutes_since_last_update_max_between"].observed_value
    assert observed == 0 and type(observed) is int  # not numpy's int64, not the string '0'
