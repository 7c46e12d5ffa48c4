"""Check landing files against the landing contract before anything reads them.

A dropped or retyped column otherwise surfaces as an obscure SQL binder error deep in a dbt run;
here it becomes one line naming the table, the column, what was found and what was expected.
A text (VARCHAR) column is accepted for any type: staging parses it with try_cast, and values
that do not parse become null and fail the staging model's `no_invalid_values` check.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dataops_assets.sources.landing_tables import LANDING_SCHEMAS

TEXT = "VARCHAR"


def landing_problems(landing_dir: Path, source: str, table: str) -> list[str]:
    """Every way the Parquet files of one landing table break the contract (empty when they don't)."""
    where = f"landing/{source}/{table}"
    expected = dict(LANDING_SCHEMAS[source][table])
    files = sorted((landing_dir / source / table).glob("*.parquet"))
    if not files:
        return [f"{where}: no Parquet files in {landing_dir / source / table}, expected at least one *.parquet"]
    problems = []
    con = duckdb.connect()
    try:
        for file in files:
            try:
                found = {row[0]: row[1] for row in con.execute(f"describe select * from read_parquet('{file}')").fetchall()}
            except duckdb.Error as exc:
                problems.append(f"{where}/{file.name}: unreadable Parquet ({str(exc).splitlines()[0]})")
                continue
            for column, data_type in expected.items():
                if column not in found:
                    problems.append(f"{where}/{file.name}: column '{column}' is missing, expected {data_type}")
                elif found[column] not in (data_type, TEXT):
                    problems.append(f"{where}/{file.name}: column '{column}' is {found[column]}, expected {data_type} "
                                    f"(or {TEXT} to be parsed)")
    finally:
        con.close()
    return problems


def check_landing(landing_dir: Path, tables: list[tuple[str, str]]) -> None:
    """Raise ValueError (one line, problems joined by "; ") if any of the (source, table) pairs breaks the contract."""
    problems = [p for source, table in sorted(tables) for p in landing_problems(landing_dir, source, table)]
    if problems:
        raise ValueError("; ".join(problems))
