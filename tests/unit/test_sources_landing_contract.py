"""The landing contract check: each kind of drift is one readable problem."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace

import pytest

from dataops_assets.sources.generator import generate_landing
from dataops_assets.sources.landing_contract import LandingContractError, check_landing, landing_contract, landing_problems
from tests.manifest_fixture import fixture_landing
from tests.sandbox import rewrite_landing

CONTRACT = fixture_landing()


def problems(home, source: str, table: str) -> list[str]:
    return landing_problems(home / "landing", CONTRACT[(source, table)])


@pytest.fixture(scope="module")
def clean_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("contract")
    generate_landing(home / "landing", CONTRACT, scale=0.001, seed=5, end_date=dt.date(2026, 3, 31), days=7)
    return home


@pytest.fixture
def home(clean_home, tmp_path):
    copy = tmp_path / "home"
    shutil.copytree(clean_home, copy)
    return copy


def test_generated_landing_meets_the_contract(clean_home):
    check_landing(clean_home / "landing", [table for table in CONTRACT.values() if table.generator == "sandbox"])


def test_missing_column(home):
    rewrite_landing(home, "crm", "customers", "select * exclude (email) from landing")
    assert problems(home, "crm", "customers") == [
        "landing/crm/customers/part-0000.parquet: column 'email' is missing, expected VARCHAR"
    ]


def test_retyped_column(home):
    rewrite_landing(home, "pos", "transactions", "select * replace (cast(amount as bigint) as amount) from landing")
    assert problems(home, "pos", "transactions") == [
        "landing/pos/transactions/part-0000.parquet: column 'amount' is BIGINT, expected DOUBLE (or VARCHAR to be parsed)"
    ]


def test_text_column_is_accepted_for_staging_to_parse(home):
    rewrite_landing(home, "pos", "transactions", "select * replace (cast(amount as varchar) as amount) from landing")
    assert problems(home, "pos", "transactions") == []


def test_extra_column_is_allowed(home):
    rewrite_landing(home, "pos", "transactions", "select *, 'x' as loyalty_tier from landing")
    assert problems(home, "pos", "transactions") == []


def test_missing_files(home):
    shutil.rmtree(home / "landing" / "shop" / "payments")
    [problem] = problems(home, "shop", "payments")
    assert problem.startswith("landing/shop/payments: no Parquet files in ")


def test_corrupt_file(home):
    (home / "landing" / "meteo" / "weather" / "part-0001.parquet").write_bytes(b"not parquet")
    [problem] = problems(home, "meteo", "weather")
    assert problem.startswith("landing/meteo/weather/part-0001.parquet: unreadable Parquet")


def test_check_landing_reports_all_problems_on_one_line(home):
    shutil.rmtree(home / "landing" / "shop" / "payments")
    rewrite_landing(home, "crm", "customers", "select * exclude (email, country) from landing")
    with pytest.raises(ValueError) as excinfo:
        check_landing(home / "landing", [CONTRACT[key] for key in (("shop", "payments"), ("crm", "customers"), ("pos", "transactions"))])
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.count("; ") == 2
    assert "'country' is missing" in message and "shop/payments" in message


def _source_node(source: str, table: str, columns: dict, meta: dict | None = None) -> dict:
    return {"source_name": source, "name": table, "original_file_path": "models/staging/_sources_x.yml",
            "meta": meta or {}, "columns": {name: {"name": name, "data_type": t} for name, t in columns.items()}}


def _contract(*nodes: dict) -> dict:
    return landing_contract({"sources": {f"source.dataops.{n['source_name']}.{n['name']}": n for n in nodes}})


def test_contract_reads_types_keys_and_generator_from_the_sources_yaml():
    table = CONTRACT[("crm", "customers")]
    assert table.types["date_of_birth"] == "DATE" and table.primary_key == ("customer_id",)
    assert table.generator == "sandbox" and table.yaml_file == "models/staging/__sources.yml"


@pytest.mark.parametrize(("columns", "meta", "message"), [
    ({"id": None}, {}, "column 'id': data_type is missing, expected a DuckDB type"),
    ({"id": "INTEGR"}, {}, "column 'id': data_type 'INTEGR' is not a DuckDB type"),
    ({}, {}, "no columns declared"),
    ({"id": "INTEGER"}, {"primary_key": ["key"]}, "meta.primary_key: key not among its columns"),
    ({"id": "INTEGER"}, {"generator": "faker"}, "meta.generator: expected one of sandbox, sample or none"),
    ({"id": "INTEGER"}, {"generator": "sample"}, "meta.sample: expected a repository path (a file or folder) exactly "
                                                 "when generator is sample, got None"),
    ({"id": "INTEGER"}, {"sample": "x.csv"}, "meta.sample: expected a repository path"),
])
def test_a_bad_declaration_is_one_line_naming_file_table_and_field(columns, meta, message):
    with pytest.raises(LandingContractError) as excinfo:
        _contract(_source_node("jaffle", "customers", columns, meta))
    assert str(excinfo.value).startswith("models/staging/_sources_x.yml: source 'jaffle' table 'customers'")
    assert message in str(excinfo.value) and "\n" not in str(excinfo.value)


def test_table_names_repeat_across_sources_and_the_generator_leaves_real_drop_tables_alone(tmp_path):
    jaffle = _source_node("jaffle", "customers", {"id": "INTEGER", "name": "VARCHAR"})
    contract = {**CONTRACT, **_contract(jaffle)}
    assert contract[("jaffle", "customers")].generator is None
    counts = generate_landing(tmp_path / "landing", contract, scale=0.001, seed=5, end_date=dt.date(2026, 3, 31), days=7)
    assert "crm/customers" in counts and "jaffle/customers" not in counts
    assert not (tmp_path / "landing" / "jaffle").exists()


def test_a_sample_table_is_its_sample_file_imported_by_the_contract(tmp_path):
    stores = _source_node("jaffle", "stores", {"id": "VARCHAR", "name": "VARCHAR", "opened_at": "TIMESTAMP",
                                               "tax_rate": "DOUBLE"},
                          {"generator": "sample", "sample": "tests/fixtures/jaffle/stores.csv"})
    contract = {**CONTRACT, **_contract(stores)}
    counts = generate_landing(tmp_path / "landing", contract, scale=0.001, seed=5, end_date=dt.date(2026, 3, 31), days=7)
    assert counts["jaffle/stores"] == 4
    assert landing_problems(tmp_path / "landing", contract[("jaffle", "stores")]) == []


def test_two_sandbox_tables_of_one_name_or_an_unknown_one_are_refused(tmp_path):
    twin = _source_node("jaffle", "customers", {"customer_id": "VARCHAR"}, {"generator": "sandbox"})
    with pytest.raises(ValueError, match="jaffle.customers and crm.customers both have meta generator: sandbox"):
        generate_landing(tmp_path, {**CONTRACT, **_contract(twin)}, scale=0.001, seed=5, end_date=dt.date(2026, 3, 31))
    unknown = _source_node("jaffle", "stores", {"id": "VARCHAR"}, {"generator": "sandbox"})
    with pytest.raises(ValueError, match="the sandbox generator builds no table 'stores'"):
        generate_landing(tmp_path, {**CONTRACT, **_contract(unknown)}, scale=0.001, seed=5, end_date=dt.date(2026, 3, 31))


def test_a_sandbox_table_declaring_a_column_the_generator_lacks_is_one_line(tmp_path):
    table = CONTRACT[("catalog", "products")]
    extended = {**CONTRACT, ("catalog", "products"): replace(table, columns=(*table.columns, ("supplier", "VARCHAR")))}
    with pytest.raises(ValueError, match="landing contract of catalog.products declares column 'supplier', which the "
                                         "sandbox generator does not produce"):
        generate_landing(tmp_path / "landing", extended, scale=0.001, seed=5, end_date=dt.date(2026, 3, 31), days=7)
    assert not (tmp_path / "landing" / "catalog" / "products").exists()
