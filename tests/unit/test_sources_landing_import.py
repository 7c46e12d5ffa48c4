"""`dataops landing import` without dbt: typing files by the contract, proposing one, and every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from dataops_assets.sources.landing_contract import LandingTable, landing_problems
from dataops_assets.sources.landing_import import LandingImportError, import_landing
from dataops_assets.sources.landing_proposal import propose_table, sources_yaml

JAFFLE = Path(__file__).parent.parent / "fixtures" / "jaffle"
PRODUCTS = LandingTable("jaffle", "products", (("sku", "VARCHAR"), ("name", "VARCHAR"), ("type", "VARCHAR"),
                                               ("price", "INTEGER"), ("description", "VARCHAR")), ("sku",))


def _types(folder: Path) -> dict[str, str]:
    with duckdb.connect() as con:
        return {r[0]: r[1] for r in con.execute(f"describe select * from read_parquet('{folder}/*.parquet')").fetchall()}


def test_a_declared_table_is_typed_by_its_contract_not_by_inference(tmp_path):
    result = import_landing(JAFFLE / "products.csv", tmp_path, "jaffle", "products", None, PRODUCTS)
    assert (result.rows, result.declared) == (10, True)
    assert _types(result.folder)["price"] == "INTEGER"  # DuckDB alone reads BIGINT
    assert landing_problems(tmp_path, PRODUCTS) == []


def test_an_undeclared_table_is_inferred_and_a_contract_proposed_with_its_key(tmp_path):
    result = import_landing(JAFFLE / "stores.csv", tmp_path, "jaffle", "stores", None, None)
    assert dict(result.columns) == {"id": "VARCHAR", "name": "VARCHAR", "opened_at": "TIMESTAMP", "tax_rate": "DOUBLE"}
    proposal = propose_table(tmp_path, "jaffle", "stores")
    assert proposal.primary_key == ("id",) and proposal.columns == result.columns
    text = sources_yaml("jaffle", [proposal])
    assert ("      - name: stores\n        meta: {generator: sample, sample: tests/fixtures/jaffle/stores.csv, "
            "primary_key: [id]}\n") in text  # a file of the repository: `dataops generate` imports it again
    assert "          - {name: opened_at, data_type: TIMESTAMP}\n" in text
    supplies = import_landing(JAFFLE / "supplies.csv", tmp_path, "jaffle", "supplies", None, None)
    assert supplies.rows == 28 and propose_table(tmp_path, "jaffle", "supplies").primary_key == ()  # id repeats


def test_a_folder_imports_each_file_as_a_part_and_replaces_the_table(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    for name in ("a", "b"):
        (drop / f"{name}.json").write_text("\n".join(json.dumps({"sku": f"{name}{i}", "name": "n", "type": "t",
                                                                "price": i, "description": "d"}) for i in range(3)))
    landing = tmp_path / "landing"
    (landing / "jaffle" / "products").mkdir(parents=True)
    (landing / "jaffle" / "products" / "stale.parquet").write_text("old")
    result = import_landing(drop, landing, "jaffle", "products", "json", PRODUCTS)
    assert result.rows == 6
    assert sorted(p.name for p in result.folder.iterdir()) == ["_import.json", "part-0000.parquet", "part-0001.parquet"]
    assert propose_table(landing, "jaffle", "products").generator is None  # imported from outside the repository


@pytest.mark.parametrize(("csv", "message"), [
    ("sku,name,type,price,description\nA,n,t,12,d\nB,n,t,twelve,d\nC,n,t,x,d\n",
     "bad.csv line 3: column 'price' has 'twelve', expected INTEGER (2 values in all)"),
    ("sku,name,type,description\nA,n,t,d\n", "bad.csv: missing column(s) price (INTEGER) of the landing contract of jaffle.products"),
    ("sku,name,type,price,description,colour\nA,n,t,1,d,red\n",
     "bad.csv: column(s) colour not in the landing contract of jaffle.products"),
])
def test_a_bad_file_is_one_line_naming_file_column_and_type_and_nothing_changes(tmp_path, csv, message):
    landing = tmp_path / "landing"
    good = import_landing(JAFFLE / "products.csv", landing, "jaffle", "products", None, PRODUCTS)
    before = {p.name: p.read_bytes() for p in good.folder.iterdir()}
    (tmp_path / "bad.csv").write_text(csv)
    with pytest.raises(LandingImportError) as excinfo:
        import_landing(tmp_path / "bad.csv", landing, "jaffle", "products", None, PRODUCTS)
    assert message in str(excinfo.value) and "\n" not in str(excinfo.value)
    assert {p.name: p.read_bytes() for p in good.folder.iterdir()} == before


@pytest.mark.parametrize(("path", "source", "table", "file_format", "message"), [
    ("missing.csv", "jaffle", "t", None, "missing.csv: no such file or folder"),
    ("notes.txt", "jaffle", "t", None, "cannot tell the format from the suffix '.txt'"),
    ("", "Jaffle", "t", None, "--source: expected a lower-case identifier"),
    ("", "jaffle", "t-1", None, "--table: expected a lower-case identifier"),
    ("", "jaffle", "t", "parquet", "no parquet files in the folder"),
    ("notes.txt", "jaffle", "t", "xml", "--format: expected one of csv, json, parquet, got 'xml'"),
])
def test_bad_arguments_are_one_line(tmp_path, path, source, table, file_format, message):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(LandingImportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_landing(tmp_path / path, tmp_path / "landing", source, table, file_format, None)
    assert not (tmp_path / "landing").exists()


def test_an_unreadable_file_is_one_line(tmp_path):
    (tmp_path / "broken.parquet").write_text("not parquet")
    with pytest.raises(LandingImportError, match=r"broken.parquet: unreadable \("):
        import_landing(tmp_path / "broken.parquet", tmp_path / "landing", "jaffle", "products", None, PRODUCTS)
