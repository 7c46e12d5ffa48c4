"""`dataops product create` planned without dbt: the files, their contents, and every refusal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from dataops_assets.catalog.errors import SpecError
from dataops_assets.catalog.products import load_products
from dataops_assets.create.scaffold import Plan, ScaffoldError, parse_inputs, plan_scaffold, with_group_mapping, write_plan
from dataops_assets.quality.expectations import SUPPORTED
from dataops_assets.settings import DBT_PROJECT_DIR
from dataops_assets.sources.landing_contract import landing_contract
from dataops_assets.sources.landing_import import import_landing
from tests.manifest_fixture import FIXTURE

JAFFLE = Path(__file__).parent.parent / "fixtures" / "jaffle"
MANIFEST = json.loads(FIXTURE.read_text())
CONTRACT = landing_contract(MANIFEST)


@pytest.fixture
def repo(tmp_path) -> Path:
    (tmp_path / "repo" / "dbt_project").mkdir(parents=True)
    shutil.copy(DBT_PROJECT_DIR / "dbt_project.yml", tmp_path / "repo" / "dbt_project" / "dbt_project.yml")
    return tmp_path / "repo"


@pytest.fixture
def landing(tmp_path) -> Path:
    for table in ("customers", "products", "stores"):
        import_landing(JAFFLE / f"{table}.csv", tmp_path / "landing", "jaffle", table, None, None)
    return tmp_path / "landing"


def plan(repo: Path, landing: Path, inputs: str = "jaffle.customers,jaffle.products,jaffle.stores",
         product_id: str = "jaffle_shop", classification: str = "U", contract=CONTRACT) -> Plan:
    return plan_scaffold(product_id, "retail", "jaffle-data@example.com", "Jaffle Data", classification,
                         parse_inputs(inputs), repo_root=repo, manifest=MANIFEST, contract=contract, landing_dir=landing)


def test_the_plan_is_sources_staging_product_suite_and_group_mapping(repo, landing):
    found = plan(repo, landing)
    staging, product = Path("dbt_project/models/staging"), Path("dbt_project/models/products/jaffle_shop")
    assert sorted(found.files) == sorted([
        staging / "_sources_jaffle.yml", *(staging / f"stg_jaffle__{t}.{x}" for t in ("customers", "products", "stores")
                                           for x in ("sql", "yml")),
        product / "_product.yml", product / "jaffle_shop.sql", product / "jaffle_shop.yml",
        Path("quality_suites/jaffle_shop/jaffle_shop.json")])
    assert list(found.changed) == [Path("dbt_project/dbt_project.yml")]
    sources = yaml.safe_load(found.files[staging / "_sources_jaffle.yml"])["sources"][0]
    assert [t["name"] for t in sources["tables"]] == ["customers", "products", "stores"]
    assert sources["tables"][1]["meta"] == {"generator": "sample", "sample": "tests/fixtures/jaffle/products.csv",
                                            "primary_key": ["sku"]}  # imported from the repository: its sample
    assert "'customer_id': ['id', 'string']" in found.files[staging / "stg_jaffle__customers.sql"]
    assert "'price':       'bigint'" in found.files[staging / "stg_jaffle__products.sql"]
    assert "ref('stg_jaffle__stores')" in found.files[product / "jaffle_shop.sql"]
    contract = yaml.safe_load(found.files[product / "jaffle_shop.yml"])["models"][0]["columns"]
    assert [(c["name"], c["data_type"]) for c in contract] == [("customer_id", "varchar"), ("name", "varchar")]
    spec = yaml.safe_load(found.files[product / "_product.yml"])["groups"][0]
    assert spec["config"]["meta"]["data_product"]["status"] == "draft"
    assert "TODO(scaffold)" in spec["config"]["meta"]["data_product"]["description"]
    assert yaml.safe_load(found.changed[Path("dbt_project/dbt_project.yml")])["models"]["dataops"]["products"][
        "jaffle_shop"] == {"+group": "jaffle_shop"}


def test_the_starter_suite_has_key_row_count_and_a_validity_rule_per_typed_column_each_able_to_fail(repo, landing):
    found = plan(repo, landing, "jaffle.stores,jaffle.customers", product_id="store_directory")
    suite = json.loads(found.files[Path("quality_suites/store_directory/store_directory.json")])
    checks = {(e["type"], e["kwargs"].get("column")) for e in suite["expectations"]}
    assert checks == {("expect_column_values_to_not_be_null", "store_id"), ("expect_column_values_to_be_unique", "store_id"),
                      ("expect_table_row_count_to_be_between", None),
                      ("expect_column_values_to_be_between", "tax_rate"),
                      ("expect_column_values_to_be_null", "opened_at_after_as_of")}
    assert suite["meta"]["computed_columns"] == {"opened_at_after_as_of": "case when opened_at > as_of() then opened_at end"}
    for expectation in suite["expectations"]:
        assert SUPPORTED[expectation["type"]].violation(expectation["kwargs"]) is not None, expectation


def test_columns_named_like_personal_data_are_masked_at_c_and_above(repo, tmp_path, landing):
    (tmp_path / "leads.csv").write_text("lead_id,email,score\nL1,a@example.com,3\nL2,b@example.com,5\n")
    import_landing(tmp_path / "leads.csv", landing, "jaffle", "leads", None, None)
    found = plan(repo, landing, "jaffle.leads", product_id="leads", classification="C")
    folder = Path("dbt_project/models/products/leads")
    assert "masked_columns(ref('leads_unmasked'))" in found.files[folder / "leads.sql"]
    assert yaml.safe_load(found.files[folder / "leads_unmasked.yml"])["models"][0]["access"] == "private"
    spec = yaml.safe_load(found.files[folder / "_product.yml"])["groups"][0]["config"]["meta"]["data_product"]
    assert spec["pii_fields"] == [{"model": "leads", "column": "email", "masking": "redact"}]
    suite = json.loads(found.files[Path("quality_suites/leads/leads.json")])
    assert {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "email", "value_set": ["***"]}} in [
        {k: e[k] for k in ("type", "kwargs")} for e in suite["expectations"]]
    unclassified = plan(repo, landing, "jaffle.leads", product_id="leads_u", classification="U")
    assert Path("dbt_project/models/products/leads_u/leads_u_unmasked.sql") not in unclassified.files


def test_a_declared_table_with_a_staging_model_is_reused_not_rewritten(repo, landing):
    found = plan(repo, landing, "crm.customers", product_id="crm_directory", classification="C")
    assert not [p for p in found.files if "models/staging" in str(p)]
    logic = found.files[Path("dbt_project/models/products/crm_directory/crm_directory_unmasked.sql")]
    assert "ref('stg_crm__customers')" in logic and "    date_of_birth" in logic


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"product_id": "customer_360"}, "ID: a dbt group 'customer_360' exists already"),
    ({"product_id": "Jaffle"}, "ID: string should match pattern"),
    ({"inputs": "jaffle"}, "--from: expected SOURCE.TABLE[,SOURCE.TABLE...] of lower-case names, got 'jaffle'"),
    ({"inputs": "jaffle.stores,jaffle.stores"}, "--from: a table is named twice"),
    ({"inputs": "jaffle.orders"}, "--from jaffle.orders: not declared in the dbt sources YAML, and landing/jaffle/orders: "
                                  "no Parquet files"),
    ({"inputs": "crm.leads"}, "--from crm.leads: source 'crm' is declared in models/staging/__sources.yml without "
                              "table 'leads'"),
])
def test_refusals_are_one_line(repo, landing, kwargs, message):
    import_landing(JAFFLE / "stores.csv", landing, "crm", "leads", None, None)
    with pytest.raises(ScaffoldError) as excinfo:
        plan(repo, landing, **kwargs)
    assert message in str(excinfo.value) and "\n" not in str(excinfo.value)


def test_bad_owner_email_or_domain_name_the_option(repo, landing):
    with pytest.raises(ScaffoldError, match="^--owner-email: string should match pattern"):
        plan_scaffold("x", "retail", "not-an-email", "X", "U", (("jaffle", "stores"),), repo_root=repo,
                      manifest=MANIFEST, contract=CONTRACT, landing_dir=landing)
    with pytest.raises(ScaffoldError, match="^--domain: string should match pattern"):
        plan_scaffold("x", "Retail Ops", "a@example.com", "X", "U", (("jaffle", "stores"),), repo_root=repo,
                      manifest=MANIFEST, contract=CONTRACT, landing_dir=landing)


def test_it_refuses_to_overwrite_an_existing_file(repo, landing):
    (repo / "quality_suites" / "jaffle_shop").mkdir(parents=True)
    (repo / "quality_suites" / "jaffle_shop" / "jaffle_shop.json").write_text("{}")
    with pytest.raises(ScaffoldError, match="refusing to overwrite: quality_suites/jaffle_shop/jaffle_shop.json"):
        plan(repo, landing)


def test_a_second_scaffold_adds_its_table_to_the_sources_file_the_first_wrote(repo, landing):
    first = plan(repo, landing, "jaffle.customers")
    write_plan(first, repo, verify=lambda: None)
    declared = dict(CONTRACT)
    sources = yaml.safe_load((repo / "dbt_project/models/staging/_sources_jaffle.yml").read_text())
    node = {"source_name": "jaffle", "name": "customers", "original_file_path": "models/staging/_sources_jaffle.yml",
            "columns": {c["name"]: c for c in sources["sources"][0]["tables"][0]["columns"]},
            "meta": sources["sources"][0]["tables"][0]["meta"]}
    declared.update(landing_contract({"sources": {"source.dataops.jaffle.customers": node}}))
    second = plan(repo, landing, "jaffle.stores", product_id="stores", contract=declared)
    text = second.changed[Path("dbt_project/models/staging/_sources_jaffle.yml")]
    assert [t["name"] for t in yaml.safe_load(text)["sources"][0]["tables"]] == ["customers", "stores"]


def test_a_failed_verification_restores_every_file(repo, landing):
    found = plan(repo, landing)
    project = (repo / "dbt_project" / "dbt_project.yml").read_text()

    def broken() -> None:
        raise SpecError("models/products/jaffle_shop/_product.yml: field 'x': bad")

    with pytest.raises(SpecError):
        write_plan(found, repo, verify=broken)
    assert (repo / "dbt_project" / "dbt_project.yml").read_text() == project
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*")) == ["dbt_project", "dbt_project/dbt_project.yml"]


def test_group_mapping_goes_after_the_last_product_folder():
    text = "models:\n  dataops:\n    products:\n      +access: public\n      a: {+group: a}\n\nvars: {}\n"
    assert with_group_mapping(text, "b") == ("models:\n  dataops:\n    products:\n      +access: public\n"
                                             "      a: {+group: a}\n      b: {+group: b}\n\nvars: {}\n")
    with pytest.raises(ScaffoldError, match="no `products:` folder"):
        with_group_mapping("models:\n  dataops: {}\n", "b")


def test_a_product_folder_model_outside_its_group_is_reported_plainly():
    manifest = json.loads(FIXTURE.read_text())
    node = next(n for n in manifest["nodes"].values() if n["name"] == "product_performance")
    node["group"] = None
    with pytest.raises(SpecError) as excinfo:
        load_products(manifest)
    assert str(excinfo.value) == (
        "models/products/product_performance/product_performance.sql: model 'product_performance' is in group None, "
        "expected 'product_performance' like its folder; add `product_performance: {+group: product_performance}` "
        "under models: dataops: products: in dbt_project.yml")
