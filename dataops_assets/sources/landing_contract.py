"""The landing contract, declared once in the dbt sources YAML, and vetting landing files against it.

Each landing table is a dbt source table whose `columns` carry a DuckDB `data_type`; its `meta` may
name the generator that fills it for `dataops generate` (`sandbox`: synthetic rows; `sample`: the
file or folder `sample`, a path in the repository, imported as it is; none: real drops only) and its
`primary_key`. Everything here reads the contract from the dbt manifest.

A dropped or retyped column otherwise surfaces as an obscure SQL binder error deep in a dbt run;
vetting makes it one line naming the table, the column, what was found and what was expected.
A text (VARCHAR) column is accepted for any type: staging parses it with try_cast, and values
that do not parse become null and fail the staging model's `no_invalid_values` check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from dataops_assets.settings import Settings

TEXT = "VARCHAR"
SANDBOX_GENERATOR = "sandbox"
SAMPLE_GENERATOR = "sample"
GENERATORS = (SANDBOX_GENERATOR, SAMPLE_GENERATOR)
Schema = tuple[tuple[str, str], ...]  # (column, DuckDB type) in file order


class LandingContractError(ValueError):
    """A landing table's declaration in the dbt sources YAML is invalid (one line: file, table, field)."""


@dataclass(frozen=True)
class LandingTable:
    """One declared landing table: <landing>/<source>/<name>/*.parquet with these typed columns."""

    source: str
    name: str
    columns: Schema
    primary_key: tuple[str, ...] = ()
    generator: str | None = None
    yaml_file: str = ""
    sample: str | None = None  # with generator: sample, the repository path of the sample file(s)

    @property
    def key(self) -> str:
        return f"{self.source}.{self.name}"

    @property
    def types(self) -> dict[str, str]:
        return dict(self.columns)

    def folder(self, landing_dir: Path) -> Path:
        return landing_dir / self.source / self.name


LandingContract = dict[tuple[str, str], LandingTable]


def landing_contract(manifest: Mapping[str, Any]) -> LandingContract:
    """Every landing table the dbt project declares, keyed by (source, table)."""
    tables = {}
    with duckdb.connect() as con:
        for node in manifest["sources"].values():
            table = _landing_table(node, con)
            tables[(table.source, table.name)] = table
    return dict(sorted(tables.items()))


def _landing_table(node: Mapping[str, Any], con: duckdb.DuckDBPyConnection) -> LandingTable:
    where = f"{node.get('original_file_path', 'dbt sources')}: source {node['source_name']!r} table {node['name']!r}"
    columns = []
    for name, column in (node.get("columns") or {}).items():
        data_type = (column.get("data_type") or "").strip().upper()
        if not data_type:
            raise LandingContractError(f"{where} column {name!r}: data_type is missing, expected a DuckDB type such as "
                                       f"VARCHAR, BIGINT, DOUBLE, DATE or TIMESTAMP")
        try:
            con.execute(f"select cast(null as {data_type})")
        except duckdb.Error:
            raise LandingContractError(f"{where} column {name!r}: data_type {data_type!r} is not a DuckDB type, "
                                       f"expected e.g. VARCHAR, BIGINT, DOUBLE, DATE or TIMESTAMP") from None
        columns.append((name, data_type))
    if not columns:
        raise LandingContractError(f"{where}: no columns declared, expected `columns` with a data_type each "
                                   f"(`dataops landing import` proposes them from a file)")
    meta = node.get("meta") or {}
    key = meta.get("primary_key") or []
    key = [key] if isinstance(key, str) else list(key)
    unknown = [column for column in key if column not in dict(columns)]
    if unknown:
        raise LandingContractError(f"{where} meta.primary_key: {', '.join(unknown)} not among its columns")
    generator = meta.get("generator")
    if generator is not None and generator not in GENERATORS:
        raise LandingContractError(f"{where} meta.generator: expected one of {', '.join(GENERATORS)} or none "
                                   f"(a real-drop table), got {generator!r}")
    sample = meta.get("sample")
    if (generator == SAMPLE_GENERATOR) != isinstance(sample, str) or (sample is not None and not sample.strip()):
        raise LandingContractError(f"{where} meta.sample: expected a repository path (a file or folder) exactly when "
                                   f"generator is {SAMPLE_GENERATOR}, got {sample!r}")
    return LandingTable(node["source_name"], node["name"], tuple(columns), tuple(key), generator,
                        node.get("original_file_path", ""), sample)


def landing_problems(landing_dir: Path, table: LandingTable) -> list[str]:
    """Every way the Parquet files of one landing table break the contract (empty when they don't)."""
    where = f"landing/{table.source}/{table.name}"
    folder = table.folder(landing_dir)
    files = sorted(folder.glob("*.parquet"))
    if not files:
        return [f"{where}: no Parquet files in {folder}, expected at least one *.parquet"]
    problems = []
    with duckdb.connect() as con:
        for file in files:
            try:
                found = {row[0]: row[1] for row in con.execute(f"describe select * from read_parquet('{file}')").fetchall()}
            except duckdb.Error as exc:
                problems.append(f"{where}/{file.name}: unreadable Parquet ({str(exc).splitlines()[0]})")
                continue
            for column, data_type in table.columns:
                if column not in found:
                    problems.append(f"{where}/{file.name}: column '{column}' is missing, expected {data_type}")
                elif found[column] not in (data_type, TEXT):
                    problems.append(f"{where}/{file.name}: column '{column}' is {found[column]}, expected {data_type} "
                                    f"(or {TEXT} to be parsed)")
    return problems


def check_landing(landing_dir: Path, tables: Iterable[LandingTable]) -> None:
    """Raise ValueError (one line, problems joined by "; ") if any of the tables breaks the contract."""
    problems = [p for table in sorted(tables, key=lambda t: t.key) for p in landing_problems(landing_dir, table)]
    if problems:
        raise ValueError("; ".join(problems))


def load_landing_contract(settings: Settings) -> LandingContract:
    """The contract as the dbt project declares it now (parsing first if the manifest is stale)."""
    from dataops_assets.catalog.products import read_manifest
    from dataops_assets.dbt.manifest import ensure_manifest

    return landing_contract(read_manifest(ensure_manifest(settings)))
