"""Every expectation of every shipped suite can fail: the expectations table builds a frame that
breaks it, and Great Expectations reports that expectation failed on it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from dataops_assets.catalog.products import models_by_name
from dataops_assets.catalog.products import load_products, slos_by_product
from dataops_assets.quality.expectations import SUPPORTED
from dataops_assets.quality.suite import load_suites
from dataops_assets.quality.validation import validate_frame
from dataops_assets.settings import QUALITY_SUITES_DIR
from tests.manifest_fixture import fixture_products

FIXTURE = Path(__file__).parent.parent / "fixtures" / "manifest_products.json"
MANIFEST = json.loads(FIXTURE.read_text())
MODELS = models_by_name(MANIFEST)
SLOS = slos_by_product(load_products(MANIFEST))
SUITES = load_suites(QUALITY_SUITES_DIR, MODELS, QUALITY_SUITES_DIR.parent, product_slos=SLOS, only=fixture_products())
CASES = [(suite, e) for suite in SUITES.values() for e in suite.expectations]


@pytest.mark.parametrize(("suite", "expectation"), CASES, ids=[f"{s.model}:{e.check_name}" for s, e in CASES])
def test_every_expectation_fails_on_a_frame_built_to_break_it(suite, expectation):
    rows = SUPPORTED[expectation.type].violation(expectation.kwargs)
    assert rows is not None, f"{suite.path.name}: {expectation.check_name} has no way to fail"
    [result] = validate_frame(pd.DataFrame(rows), dataclasses.replace(suite, expectations=(expectation,)))
    assert result.passed is False, (expectation.check_name, rows)


def test_a_clean_frame_passes_so_the_failure_above_is_the_violation():
    suite = SUITES["customer_360_unmasked"]
    expectation = next(e for e in suite.expectations if e.check_name == "country_in_set")
    [result] = validate_frame(pd.DataFrame({"country": ["US", "JP"]}),
                              dataclasses.replace(suite, expectations=(expectation,)))
    assert result.passed is True


def test_an_expectation_without_a_way_to_fail_is_reported():
    between = SUPPORTED["expect_column_values_to_be_between"]
    assert between.violation({"column": "x"}) is None  # no bound given: nothing can be outside it


# Each product's freshness: the age of its newest record at the as-of instant, against slos.freshness_minutes.
FRESHNESS = [(s, e) for s, e in CASES if e.dimension == "timeliness" and "max_value" in e.slo_thresholds]


def test_every_product_has_a_freshness_check_among_the_cases():
    assert {s.product for s, _ in FRESHNESS} == set(SLOS)
    assert len(FRESHNESS) == len(SUITES)  # one per suite


@pytest.mark.parametrize(("suite", "expectation"), FRESHNESS, ids=[f"{s.model}:{e.check_name}" for s, e in FRESHNESS])
def test_freshness_fails_one_minute_over_the_slo_and_passes_at_it(suite, expectation):
    budget = SLOS[suite.product].freshness_minutes
    assert expectation.kwargs["max_value"] == budget
    only = dataclasses.replace(suite, expectations=(expectation,))
    column = expectation.kwargs["column"]
    [late] = validate_frame(pd.DataFrame({column: [int(budget) + 1] * 2}), only)
    [on_time] = validate_frame(pd.DataFrame({column: [int(budget), int(budget)]}), only)
    assert (late.passed, late.observed_value, on_time.passed) == (False, int(budget) + 1, True)
