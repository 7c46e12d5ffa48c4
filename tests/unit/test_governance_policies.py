"""Each governance policy holds on the project's catalog and fails on a product built to break it; the
classification of a product follows its lineage; certifications are UI tags; `dataops policy check` exits 1
naming every violation."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dataops_assets.catalog.errors import SpecError
from dataops_assets.catalog.products import load_products, models_by_name
from dataops_assets.catalog.spec import Classification, Deprecation, ProductStatus
from dataops_assets.governance.policies import POLICIES, Catalog, check_policies
from dataops_assets.settings import QUALITY_SUITES_DIR

FIXTURE = Path(__file__).parent.parent / "fixtures" / "manifest_products.json"


@pytest.fixture
def manifest() -> dict:
    return json.loads(FIXTURE.read_text())


def catalog_of(manifest: dict, suites_dir: Path = QUALITY_SUITES_DIR, **changed_specs) -> Catalog:
    """The manifest's catalog, with `product=dict(field=value)` changes made to specs without validation."""
    products = load_products(manifest)
    for product_id, fields in changed_specs.items():
        product = products[product_id]
        products[product_id] = dataclasses.replace(product, spec=product.spec.model_copy(update=fields))
    return Catalog(products, models_by_name(manifest), suites_dir)


def messages(catalog: Catalog, policy: str) -> list[str]:
    return [v.line() for v in check_policies(catalog, {policy: POLICIES[policy]})]


def test_the_project_breaks_no_policy(manifest):
    assert check_policies(catalog_of(manifest)) == []


@pytest.mark.parametrize("fields, expected", [
    ({"steward": ""}, "no data steward"),
    ({"steward": None}, "no data steward"),
])
def test_owner_and_steward(manifest, fields, expected):
    [line] = messages(catalog_of(manifest, customer_360=fields), "owner-and-steward")
    assert line.startswith("models/products/customer_360/_product.yml: [owner-and-steward] customer_360: ")
    assert expected in line


def test_owner_and_steward_needs_an_owner(manifest):
    products = load_products(manifest)
    owner = products["customer_360"].spec.owner.model_copy(update={"email": " "})
    [line] = messages(catalog_of(manifest, customer_360={"owner": owner}), "owner-and-steward")
    assert "no owner" in line


def test_pii_has_strategy(manifest):
    spec = load_products(manifest)["customer_360"].spec
    email, *rest = spec.pii_fields
    unmasked = email.model_copy(update={"masking": None})
    elsewhere = email.model_copy(update={"column": "nickname"})
    lines = messages(catalog_of(manifest, customer_360={"pii_fields": (unmasked, elsewhere, *rest)}), "pii-has-strategy")
    assert any("customer_360.email has no masking strategy" in line for line in lines), lines
    assert any("declares no column 'nickname'" in line for line in lines), lines


def test_masked_publication(manifest):
    spec = load_products(manifest)["customer_360"].spec
    without_email = tuple(f for f in spec.pii_fields if (f.model, f.column) != ("customer_360_v2", "email"))
    [line] = messages(catalog_of(manifest, customer_360={"pii_fields": without_email}), "masked-publication")
    assert "customer_360_v2.email looks like personal data and has no masking strategy" in line
    assert "a C product publishes only masked personal data" in line
    # The same columns in an unclassified product: the rule applies from C up.
    lowered = catalog_of(manifest, customer_360={"pii_fields": without_email, "classification": Classification.UNCLASSIFIED})
    assert messages(lowered, "masked-publication") == []


def test_masked_publication_needs_the_model_to_mask_its_pii_fields(manifest):
    node = models_by_name(manifest)["customer_360_v2"]
    node["raw_code"] = "select * from {{ ref('customer_360_unmasked') }}"  # PII fields named, nothing masked
    [line] = messages(catalog_of(manifest), "masked-publication")
    assert line.endswith("customer_360_v2 has PII fields (date_of_birth, email, first_name, last_name, phone_number) "
                         "but does not mask them: expected its SQL to select {{ masked_columns(ref('<its unmasked "
                         "model>')) }} (macros/masking.sql)")


def test_production_ready_needs_a_suite_per_public_model(manifest, tmp_path):
    lines = messages(catalog_of(manifest, tmp_path), "production-ready")
    public = {m for p in load_products(manifest).values() for m in p.public_models}
    assert {line.split("quality suite for ")[1].split(":")[0] for line in lines} == public


def test_production_ready_needs_an_enforced_typed_contract(manifest):
    broken = copy.deepcopy(manifest)
    node = next(n for n in broken["nodes"].values() if n["name"] == "equipment_status")
    node["config"]["contract"] = {"enforced": False}
    node["columns"]["risk_score"]["data_type"] = None
    lines = messages(catalog_of(broken), "production-ready")
    assert any("equipment_status expected config contract: {enforced: true}" in line for line in lines), lines
    assert any("equipment_status columns without data_type: risk_score" in line for line in lines), lines
    # Only production products are held to it.
    assert messages(catalog_of(broken, mission_logistics={"status": ProductStatus.STAGING}), "production-ready") == []


def test_deprecation_named(manifest):
    deprecated = {"status": ProductStatus.DEPRECATED}
    [line] = messages(catalog_of(manifest, product_performance=deprecated), "deprecation-named")
    assert "deprecated without 'deprecation'" in line
    itself = Deprecation(replacement="product_performance", sunset_date=dt.date(2027, 6, 30))
    [line] = messages(catalog_of(manifest, product_performance={**deprecated, "deprecation": itself}), "deprecation-named")
    assert "expected another product of the catalog" in line
    moved = Deprecation(replacement="sales_daily_metrics", sunset_date=dt.date(2027, 6, 30))
    assert messages(catalog_of(manifest, product_performance={**deprecated, "deprecation": moved}),
                    "deprecation-named") == []


def test_a_product_is_classified_at_least_as_high_as_what_it_consumes(manifest):
    manifest["groups"]["group.dataops.revenue_analytics"]["config"]["meta"]["data_product"]["classification"] = "U"
    with pytest.raises(SpecError) as error:
        load_products(manifest)
    assert str(error.value) == ("models/products/revenue_analytics/_product.yml: field 'classification': product "
                                "'revenue_analytics' is U but consumes 'customer_360' (C); expected at least C")


def test_certifications_are_tags_and_must_be_tag_safe(manifest):
    from dataops_assets.dbt.translator import _tags_for

    tags = _tags_for(load_products(manifest)["mission_logistics"])
    assert tags["certification/IL5"] == "" and tags["certification/FedRAMP-High"] == ""
    manifest["groups"]["group.dataops.mission_logistics"]["config"]["meta"]["data_product"]["certifications"] = ["IL 5"]
    with pytest.raises(SpecError, match=r"field 'certifications': expected certification names .* got 'IL 5'"):
        load_products(manifest)


def test_policy_check_exits_1_with_one_line_per_violation(manifest, monkeypatch):
    from dataops_assets.cli.main import cli

    broken = catalog_of(manifest, customer_360={"steward": ""},
                        product_performance={"status": ProductStatus.DEPRECATED})
    monkeypatch.setattr("dataops_assets.cli.products.load_catalog_and_models",
                        lambda: (broken.products, broken.models))
    result = CliRunner().invoke(cli, ["policy", "check"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[:2] == [
        "models/products/customer_360/_product.yml: [owner-and-steward] customer_360: no data steward: "
        "expected 'steward' with an email",
        "models/products/product_performance/_product.yml: [deprecation-named] product_performance: deprecated "
        "without 'deprecation': expected a replacement product and a sunset_date"]
    assert lines[-1] == "5 policies over 6 products: 2 violations"
    as_json = json.loads(CliRunner().invoke(cli, ["policy", "check", "--json"]).output)
    assert [v["policy"] for v in as_json["violations"]] == ["owner-and-steward", "deprecation-named"]
