"""`dataops contract export ID --format odcs`: every product's contract validates against the vendored ODCS
v3.1.0 JSON Schema and carries the spec's schema, suite rules, SLA, owner and classification."""

from __future__ import annotations

import copy

import pytest
import yaml
from click.testing import CliRunner

from dataops_assets.catalog.products import load_products
from dataops_assets.cli.main import cli
from dataops_assets.governance.odcs import OdcsError, validate_odcs
from tests.sandbox import PRODUCT_IDS, project_manifest


@pytest.fixture(scope="module")
def contracts(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("odcs")
    found = {}
    for product in sorted(PRODUCT_IDS):
        target = folder / f"{product}.odcs.yaml"
        result = CliRunner().invoke(cli, ["contract", "export", product, "--format", "odcs", "--output", str(target)])
        assert result.exit_code == 0, result.output
        found[product] = yaml.safe_load(target.read_text())
    return found


def test_every_product_exports_a_valid_odcs_contract(contracts):
    assert set(contracts) == PRODUCT_IDS
    for product, document in contracts.items():
        validate_odcs(document)  # raises on the first invalid field
        assert (document["apiVersion"], document["kind"], document["id"]) == ("v3.1.0", "DataContract", product)


def test_the_contract_carries_the_spec(contracts):
    spec = load_products(project_manifest())["customer_360"].spec
    document = contracts["customer_360"]
    assert document["version"] == spec.version and document["status"] == "active"
    sla = {p["property"]: p["value"] for p in document["slaProperties"]}
    assert sla["availability"] == spec.slos.availability_pct and sla["latency"] == spec.slos.freshness_minutes
    assert [m["username"] for m in document["team"]["members"]] == [spec.owner.email, spec.steward]
    assert {"property": "classification", "value": "C"} in document["customProperties"]
    tables = {t["name"]: t for t in document["schema"]}
    assert set(tables) == {"customer_360", "customer_360_v2"}  # both versions consumers may read
    table = tables["customer_360_v2"]
    columns = {p["name"]: p for p in table["properties"]}
    assert columns["email"]["customProperties"] == [{"property": "maskingStrategy", "value": "tokenize"}]
    v1 = {p["name"]: p for p in tables["customer_360"]["properties"]}
    assert v1["email"]["customProperties"] == [{"property": "maskingStrategy", "value": "partial"}]
    assert columns["customer_id"]["required"] is True and columns["lifetime_value"]["logicalType"] == "number"
    rules = {r["name"]: r for r in table["quality"]}
    assert rules["email_match_regex"]["dimension"] == "conformity" and rules["email_match_regex"]["engine"] == "great-expectations"
    partitioned = {p["name"] for t in contracts["sales_daily_metrics"]["schema"] for p in t["properties"] if p.get("partitioned")}
    assert partitioned == {"sales_date"}


def test_an_invalid_document_is_refused_naming_the_field(contracts):
    broken = copy.deepcopy(contracts["customer_360"])
    broken["schema"][0]["quality"][0]["dimension"] = "validity"  # ours, not an ODCS dimension
    with pytest.raises(OdcsError, match=r"^field 'schema.0.quality.0.dimension': 'validity' is not one of"):
        validate_odcs(broken)
    del broken["apiVersion"]
    with pytest.raises(OdcsError, match=r"'apiVersion' is a required property"):
        validate_odcs(broken)


def test_export_rejects_an_unknown_product():
    result = CliRunner().invoke(cli, ["contract", "export", "nope"])
    assert result.exit_code == 2 and "unknown product 'nope'; expected one of" in result.output
