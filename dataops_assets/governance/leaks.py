"""Finding PII in what consumers read: text cells that look like an email address, a phone number or a
national id, or that equal a raw PII value of the landing zone. Reports say how many cells of which column,
never a value.

Used by the `pii_leak` check of every public model, by publication (a snapshot holding PII is never made
current) and by the lifecycle gate. The pilot scan (lifecycle/sanitize.py) loads raw values the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from dataops_assets.sql_text import literal, quote

# RE2 (DuckDB) patterns. A phone number needs a separator after its area code, so ids made of digits
# (CUST-9222081206) are not phone numbers; a masked one (***-***-1234) keeps too few digits to match.
PATTERNS = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    "phone": r"(^|[^0-9A-Za-z*])(\+?[0-9]{1,3}[ .-]?)?\(?[0-9]{2,4}\)?[ .-][0-9]{3,4}[ .-]?[0-9]{4}($|[^0-9])",
    "national_id": r"(^|[^0-9])[0-9]{3}-[0-9]{2}-[0-9]{4}($|[^0-9])",
}
LANDING_VALUE = "landing_value"  # the kind of a cell equal to a raw PII value of the landing zone
RAW_TABLE = "dataops_raw_pii"


def table_dirs(landing: Path) -> list[tuple[str, str, Path]]:
    """Every table folder of a landing zone that holds Parquet, contract or not (hidden ones skipped)."""
    return [(d.parent.name, d.name, d) for d in sorted(Path(landing).glob("*/*"))
            if d.is_dir() and not d.name.startswith(".") and any(d.glob("*.parquet"))]


def parquet_columns(con: duckdb.DuckDBPyConnection, folder: Path) -> list[tuple[str, str]]:
    found = con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(folder / '*.parquet')}, union_by_name=true)")
    return [(name, data_type) for name, data_type, *_ in found.fetchall()]


def load_raw_pii(con: duckdb.DuckDBPyConnection, landing: Path, pii_columns: Mapping[tuple[str, str], Iterable[str]],
                 id_columns: Iterable[str] = (), table: str = RAW_TABLE) -> int:
    """Fill the temporary table `table` (label, value) with every distinct non-blank value of the landing zone's
    PII columns: `pii_columns` per (source, table), plus any column named in `id_columns` (lower case) in any
    table. Returns how many values it holds."""
    ids = {c.lower() for c in id_columns}
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (label VARCHAR, value VARCHAR)")
    for source, name, folder in table_dirs(landing):
        names = [column for column, _ in parquet_columns(con, folder)]
        wanted = {c for c in names if c.lower() in ids} | set(pii_columns.get((source, name), ()))
        for column in sorted(wanted & set(names)):
            con.execute(f"INSERT INTO {table} SELECT DISTINCT ?, CAST({quote(column)} AS VARCHAR) AS v "
                        f"FROM read_parquet({literal(folder / '*.parquet')}, union_by_name=true) "
                        "WHERE trim(v) <> ''", [f"{source}/{name}.{column}"])
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def text_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    """The VARCHAR columns of a relation or table function (read_parquet(...))."""
    return [name for name, data_type, *_ in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
            if data_type == "VARCHAR"]


def find_leaks(con: duckdb.DuckDBPyConnection, relation: str, where: str | None = None,
               raw_table: str | None = RAW_TABLE) -> dict[str, int]:
    """Cells of `relation` (rows matching `where`) holding PII, as {"<column>: <kind>": cells}; {} when none.

    Kinds: each of PATTERNS, and LANDING_VALUE for a cell equal to a value of `raw_table` (load_raw_pii;
    None: patterns only)."""
    columns = text_columns(con, relation)
    if not columns:
        return {}
    counts, labels = [], []
    for column in columns:
        for kind, pattern in PATTERNS.items():
            counts.append(f"count(*) FILTER (WHERE regexp_matches({quote(column)}, {literal(pattern)}))")
            labels.append(f"{column}: {kind}")
        if raw_table:
            counts.append(f"count(*) FILTER (WHERE {quote(column)} IN (SELECT value FROM {raw_table}))")
            labels.append(f"{column}: {LANDING_VALUE}")
    row = con.execute(f"SELECT {', '.join(counts)} FROM {relation}" + (f" WHERE {where}" if where else "")).fetchone()
    return {label: count for label, count in zip(labels, row) if count}


def describe_leaks(leaks: Mapping[str, int]) -> str:
    """'email: email 3 cells, phone_number: landing_value 1 cell' for a one-line message."""
    return ", ".join(f"{label} {n} cell{'s' if n != 1 else ''}" for label, n in sorted(leaks.items()))


