"""`dataops contract diff`: each rule of seed 002 on a before/after pair in a temporary git repository,
breaking or not, and a breaking change passing only with a major version bump."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from dataops_assets.cli.main import cli
from dataops_assets.governance.contract_diff import (
    SCHEMA_RULES, contracts, diff, git_reader, product_ids, working_tree_reader,
)

SPEC = {"version": "1.0.0", "classification": "C", "pii_fields": [{"model": "orders", "column": "email",
        "masking": "partial"}], "slos": {"availability_pct": 99.9, "freshness_minutes": 60, "latency_p95_ms": 500}}
COLUMNS = [{"name": "order_id", "data_type": "varchar", "description": "Order id."},
           {"name": "status", "data_type": "varchar"}, {"name": "email", "data_type": "varchar"},
           {"name": "note", "data_type": "varchar"}, {"name": "amount", "data_type": "decimal(10,2)"}]
EXPECTATIONS = [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "order_id"}},
    {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "order_id", "regex": "^O-\\d+$"}},
    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "status", "value_set": ["open", "closed"]}},
]


def write(repo: Path, spec: dict, columns: list[dict], expectations: list[dict], model: dict | None = None) -> None:
    product = repo / "dbt_project" / "models" / "products" / "shop"
    product.mkdir(parents=True, exist_ok=True)
    (product / "_product.yml").write_text(yaml.safe_dump({"version": 2, "groups": [
        {"name": "shop", "config": {"meta": {"data_product": spec}}}]}))
    private = {"name": "orders_unmasked", "access": "private", "columns": [{"name": "raw", "data_type": "varchar"}]}
    (product / "orders.yml").write_text(yaml.safe_dump({"version": 2, "models": [
        model or {"name": "orders", "columns": columns}, private]}))
    suites = repo / "quality_suites" / "shop"
    suites.mkdir(parents=True, exist_ok=True)
    (suites / "orders.json").write_text(json.dumps({"expectations": expectations}))


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    write(tmp_path, SPEC, COLUMNS, EXPECTATIONS)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "v1")
    return tmp_path


def changes_after(repo: Path, spec=SPEC, columns=COLUMNS, expectations=EXPECTATIONS, model=None) -> dict:
    write(repo, spec, columns, expectations, model)
    before, now = git_reader(repo, "HEAD"), working_tree_reader(repo)
    return diff(contracts(before, product_ids(before)), contracts(now, product_ids(now)))


def column(name: str, **changes) -> list[dict]:
    return [{**c, **changes} if c["name"] == name else c for c in COLUMNS]


CASES = [
    ("column-removed", "breaking", {"columns": [c for c in COLUMNS if c["name"] != "note"]}),
    ("type-changed", "breaking", {"columns": column("amount", data_type="double")}),
    ("now-required", "breaking", {"expectations": [*EXPECTATIONS, {"type": "expect_column_values_to_not_be_null",
                                                                  "kwargs": {"column": "note"}}]}),
    ("now-nullable", "non-breaking", {"expectations": EXPECTATIONS[1:]}),
    ("column-added", "non-breaking", {"columns": [*COLUMNS, {"name": "channel", "data_type": "varchar"}]}),
    ("column-added-required", "breaking", {
        "columns": [*COLUMNS, {"name": "channel", "data_type": "varchar"}],
        "expectations": [*EXPECTATIONS, {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "channel"}}]}),
    ("enum-narrowed", "breaking", {"expectations": [*EXPECTATIONS[:2], {"type": "expect_column_values_to_be_in_set",
                                                                     "kwargs": {"column": "status", "value_set": ["open"]}}]}),
    ("enum-widened", "non-breaking", {"expectations": [*EXPECTATIONS[:2], {
        "type": "expect_column_values_to_be_in_set", "kwargs": {"column": "status", "value_set": ["open", "closed", "held"]}}]}),
    ("regex-changed", "breaking", {"expectations": [EXPECTATIONS[0], {"type": "expect_column_values_to_match_regex",
                                                                   "kwargs": {"column": "order_id", "regex": "^O-\\d{6}$"}},
                                                    EXPECTATIONS[2]]}),
    ("classification-raised", "breaking", {"spec": {**SPEC, "classification": "S"}}),
    ("pii-added", "breaking", {"spec": {**SPEC, "pii_fields": [*SPEC["pii_fields"],
                                                             {"model": "orders", "column": "note", "masking": "redact"}]}}),
    ("masking-changed", "breaking", {"spec": {**SPEC, "pii_fields": [{**SPEC["pii_fields"][0], "masking": "tokenize"}]}}),
    ("slo-looser", "breaking", {"spec": {**SPEC, "slos": {**SPEC["slos"], "freshness_minutes": 120}}}),
    ("slo-tighter", "non-breaking", {"spec": {**SPEC, "slos": {**SPEC["slos"], "availability_pct": 99.99}}}),
    ("docs", "non-breaking", {"columns": column("order_id", description="The order's id.")}),
]


@pytest.mark.parametrize("rule, kind, change", CASES, ids=[c[0] for c in CASES])
def test_each_rule(repo, rule, kind, change):
    result = changes_after(repo, **change)
    assert [(c["rule"], c["kind"]) for c in result["changes"]] == [(rule, kind)], result["changes"]
    assert bool(result["unversioned_breaking"]) == (kind == "breaking")
    # A change of shape must come as a new dbt model version; other breaking changes need the major bump only.
    assert [m["model"] for m in result["unversioned_models"]] == (["orders"] if rule in SCHEMA_RULES else [])


def test_a_private_model_beside_the_public_one_is_no_contract(repo):
    product = repo / "dbt_project" / "models" / "products" / "shop" / "orders.yml"
    document = yaml.safe_load(product.read_text())
    document["models"][1]["columns"] = []
    product.write_text(yaml.safe_dump(document))
    now = working_tree_reader(repo)
    assert list(contracts(now, product_ids(now))["shop"].models) == ["orders"]


def test_a_shape_change_in_a_new_model_version_keeps_v1_for_its_consumers(repo):
    without_note = [c for c in COLUMNS if c["name"] != "note"]
    versioned = {"name": "orders", "columns": COLUMNS, "latest_version": 2,
                 "versions": [{"v": 2, "columns": [{"include": "all", "exclude": ["note"]}]},
                              {"v": 1, "config": {"alias": "orders"}}]}
    result = changes_after(repo, spec={**SPEC, "version": "2.0.0"}, model=versioned)
    assert [(c["rule"], c["kind"], c["detail"]) for c in result["changes"]] == [
        ("model-added", "non-breaking", "public model orders_v2 added")]  # v1 (alias orders) is unchanged
    assert result["unversioned_models"] == [] and result["unversioned_breaking"] == []
    now = working_tree_reader(repo)
    contract = contracts(now, product_ids(now))["shop"]
    assert list(contract.models["orders_v2"]) == [c["name"] for c in without_note]
    assert contract.versions == {"orders_v2": ("orders", "2", "2"), "orders": ("orders", "1", "2")}


def test_a_shape_change_in_place_is_refused_even_with_a_major_bump(repo):
    result = changes_after(repo, spec={**SPEC, "version": "2.0.0"}, columns=[c for c in COLUMNS if c["name"] != "note"])
    assert result["unversioned_breaking"] == []
    [model] = result["unversioned_models"]
    assert model["model"] == "orders" and "keep orders as version 1" in model["expected"]
    cli_result = CliRunner().invoke(cli, ["contract", "diff", "--repo", str(repo)])
    assert cli_result.exit_code == 1
    assert "shop: public model orders changed shape in place; consumers of it break: keep orders as version 1" in (
        cli_result.output)


def test_a_breaking_change_with_a_major_bump_passes(repo):
    result = changes_after(repo, spec={**SPEC, "version": "2.0.0"}, columns=column("amount", data_type="double"))
    assert result["changes"][0]["kind"] == "breaking" and result["unversioned_breaking"] == []
    minor = changes_after(repo, spec={**SPEC, "version": "1.1.0"}, columns=column("amount", data_type="double"))
    assert minor["unversioned_breaking"] == [{"product": "shop", "from_version": "1.0.0", "to_version": "1.1.0"}]


def test_the_command_exits_1_on_an_unversioned_breaking_change(repo):
    assert CliRunner().invoke(cli, ["contract", "diff", "--repo", str(repo)]).output.startswith("no contract changes")
    write(repo, SPEC, column("amount", data_type="double"), EXPECTATIONS)
    result = CliRunner().invoke(cli, ["contract", "diff", "--repo", str(repo)])
    assert result.exit_code == 1
    assert "breaking      shop: orders.amount type decimal(10,2) -> double [type-changed]" in result.output
    assert "shop: breaking changes need a major version bump (version 1.0.0 -> 1.0.0)" in result.output
    document = json.loads(CliRunner().invoke(cli, ["contract", "diff", "--repo", str(repo), "--json"]).output)
    assert document["changes"][0]["rule"] == "type-changed"


def test_an_unknown_base_is_one_line(repo):
    result = CliRunner().invoke(cli, ["contract", "diff", "--repo", str(repo), "--base", "nope"])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: --base 'nope': not a commit of {repo}; expected a branch, tag or commit"


def test_the_default_base_is_the_merge_base_with_main(repo):
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, SPEC, column("amount", data_type="double"), EXPECTATIONS)
    git(repo, "commit", "-q", "-am", "breaking")
    result = CliRunner().invoke(cli, ["contract", "diff", "--repo", str(repo)])
    assert result.exit_code == 1 and "[type-changed]" in result.output  # committed on the branch, still found
    git(repo, "branch", "-q", "-m", "main", "trunk")
    result = CliRunner().invoke(cli, ["contract", "diff", "--repo", str(repo)])
    assert result.exit_code == 1 and "no merge base with 'main' or 'origin/main'" in result.output
