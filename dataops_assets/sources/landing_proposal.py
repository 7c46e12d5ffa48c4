"""A landing contract proposed from the files of an undeclared landing table, as dbt sources YAML."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import duckdb

from dataops_assets.settings import REPO_ROOT
from dataops_assets.sources.landing_contract import SAMPLE_GENERATOR, LandingTable
from dataops_assets.sources.landing_import import ORIGIN_FILE
from dataops_assets.sql_text import parquet_files
from dataops_assets.sql_text import quote as _quote


_KEY_NAME = re.compile(r"^(id|sku|key|code)$|_(id|key|code)$")
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ./-]*$")


def _scalar(text: str) -> str:
    """`text` as a YAML flow scalar: plain when it can be, else double-quoted (JSON is YAML)."""
    return text if _PLAIN.match(text) else json.dumps(text)


def propose_table(landing_dir: Path, source: str, table: str) -> LandingTable:
    """The table as its Parquet files are: their columns and types, and as primary key the first column
    named like a key (`id`, `*_id`, `sku`, `*_key`, `*_code`) whose values are all present and distinct,
    or, when no column is named so, the first column if its values are (else none). Files imported from
    inside the repository become the table's sample (`generator: sample`): `dataops generate` imports them
    again, so the sandbox, `make run` and the tests have the table too."""
    folder = landing_dir / source / table
    files = sorted(folder.glob("*.parquet"))
    if not files:
        raise ValueError(f"landing/{source}/{table}: no Parquet files in {folder}, expected `dataops landing import` "
                         f"to have written some")
    relation = parquet_files(files)
    with duckdb.connect() as con:
        columns = tuple((row[0], row[1]) for row in con.execute(f"describe select * from {relation}").fetchall())
        key: tuple[str, ...] = ()
        candidates = [name for name, _ in columns if _KEY_NAME.search(name)] or [columns[0][0]]
        for name in candidates:
            rows, distinct = con.execute(f"select count(*), count(distinct {_quote(name)}) from {relation}").fetchone()
            if rows and rows == distinct:
                key = (name,)
                break
    origin = folder / ORIGIN_FILE
    imported = Path(json.loads(origin.read_text())["path"]) if origin.exists() else None
    if imported is not None and imported.is_relative_to(REPO_ROOT):
        return LandingTable(source, table, columns, key, SAMPLE_GENERATOR,
                            sample=imported.relative_to(REPO_ROOT).as_posix())
    return LandingTable(source, table, columns, key)


def sources_yaml(source: str, tables: Iterable[LandingTable], description: str = "") -> str:
    """A dbt sources file declaring `tables` of `source`: the landing contract in the project's form."""
    lines = ["version: 2", "", "sources:", f"  - name: {source}"]
    if description:
        lines.append(f"    description: {description}")
    lines.append("    tables:")
    lines += [line for table in tables for line in table_yaml(table)]
    return "\n".join(lines) + "\n"


def table_yaml(table: LandingTable) -> list[str]:
    """One table's entry under a source's `tables:` (six spaces in, as in the project's files)."""
    lines = [f"      - name: {table.name}"]
    meta = {}
    if table.generator:
        meta["generator"] = table.generator
    if table.sample:
        meta["sample"] = _scalar(table.sample)
    if table.primary_key:
        meta["primary_key"] = "[" + ", ".join(_scalar(c) for c in table.primary_key) + "]"
    if meta:
        lines.append("        meta: {" + ", ".join(f"{k}: {v}" for k, v in meta.items()) + "}")
    lines.append("        columns:")
    lines += [f"          - {{name: {_scalar(name)}, data_type: {_scalar(data_type)}}}" for name, data_type in table.columns]
    return lines
