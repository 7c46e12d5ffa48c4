"""Sanitize a production landing zone into the pilot stage's landing zone (seed 004, issue 10).

Names become keyed pseudonyms, emails fake but valid addresses; phones, street addresses, postal
codes and national ids or credentials are removed (null). Every other column, dates included, is
copied as is. DuckDB streams each Parquet part file to its twin, so no table is held in memory.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dataops_assets.sql_text import literal as _literal
from dataops_assets.governance.leaks import load_raw_pii
from dataops_assets.governance.leaks import parquet_columns as _columns
from dataops_assets.sql_text import quote as _quote
from dataops_assets.governance.leaks import table_dirs as _table_dirs
from dataops_assets.sources.event_window import WINDOW_RECORD
from dataops_assets.sources.landing_contract import LandingTable, check_landing

PSEUDONYM, FAKE_EMAIL, REMOVE = "pseudonym", "fake_email", "remove"
PILOT_EMAIL_DOMAIN = "pilot.example.com"

# Personal data per landing table and what the pilot gets instead. postal_code goes with the street
# address: together with date_of_birth it singles people out. city, country and region stay (coarse);
# vendor names are companies, serial numbers and coordinates belong to equipment, ids are pseudonymous.
PII_RULES: dict[tuple[str, str], dict[str, str]] = {
    ("crm", "customers"): {
        "first_name": PSEUDONYM, "last_name": PSEUDONYM, "email": FAKE_EMAIL,
        "phone_number": REMOVE, "street_address": REMOVE, "postal_code": REMOVE,
    },
}
# Removed from any table that has them (names compared lower-case). No landing table has one today;
# this stops one added to a source from reaching a pilot before PII_RULES is updated.
NATIONAL_ID_COLUMNS: frozenset[str] = frozenset({
    "ssn", "social_security_number", "national_id", "national_id_number", "national_insurance_number",
    "tax_id", "taxpayer_id", "passport_number", "drivers_license_number", "id_card_number",
    "password", "password_hash", "credential", "credentials", "api_key", "access_token", "secret",
})


@dataclass(frozen=True)
class SanitizeReport:
    """What sanitize_landing wrote, per "<source>/<table>": rows, pseudonymized and removed columns."""

    rows: dict[str, int]
    anonymized: dict[str, tuple[str, ...]]
    removed: dict[str, tuple[str, ...]]

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(self.rows)


def _keyed_hash(key: bytes, column: str) -> str:
    # DuckDB has no HMAC; sha256 over a fixed-length secret prefix is a keyed hash good enough for
    # pseudonyms (the key must stay secret, or names can be confirmed by hashing guesses).
    return f"sha256({_literal(key.hex())} || CAST({_quote(column)} AS VARCHAR))"


def column_rules(source: str, table: str, columns: list[str]) -> dict[str, str]:
    """The rule for each column of one table that is not copied as is."""
    rules = {c: REMOVE for c in columns if c.lower() in NATIONAL_ID_COLUMNS}
    rules.update({c: r for c, r in PII_RULES.get((source, table), {}).items() if c in columns})
    return rules


def _expression(column: str, data_type: str, rule: str | None, key: bytes) -> str:
    if rule == PSEUDONYM:
        return f"'Anon-' || substr({_keyed_hash(key, column)}, 1, 10) AS {_quote(column)}"
    if rule == FAKE_EMAIL:
        return f"substr({_keyed_hash(key, column)}, 1, 16) || '@{PILOT_EMAIL_DOMAIN}' AS {_quote(column)}"
    if rule == REMOVE:
        return f"CAST(NULL AS {data_type}) AS {_quote(column)}"
    return _quote(column)


def _copy_table(con: duckdb.DuckDBPyConnection, landing: Path, work: Path, source: str, table: str,
                key: bytes) -> tuple[int, dict[str, str]]:
    """Stream each part file of one table to its sanitized twin; (rows, rules applied)."""
    (work / source / table).mkdir(parents=True)
    rows, applied = 0, {}
    for file in sorted((landing / source / table).glob("*.parquet")):
        found = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_literal(file)})").fetchall()
        rules = column_rules(source, table, [name for name, *_ in found])
        applied.update(rules)
        select = ", ".join(_expression(name, data_type, rules.get(name), key) for name, data_type, *_ in found)
        target = work / source / table / file.name
        rows += con.execute(f"COPY (SELECT {select} FROM read_parquet({_literal(file)})) "
                            f"TO {_literal(target)} (FORMAT parquet, COMPRESSION zstd)").fetchone()[0]
    return rows, applied


def sanitize_landing(source: Path, target: Path, key: bytes, tables: Iterable[LandingTable]) -> SanitizeReport:
    """Copy every declared landing table (`tables`) and the window record from `source` to a new `target`, sanitized.

    `target` must not exist or be empty. The copy is written beside it and renamed into place at
    the end, so a failure never leaves a half-sanitized landing zone.
    """
    source, target = Path(source), Path(target)
    if not key:
        raise ValueError("sanitize key: empty, expected a secret of at least one byte")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValueError(f"{target}: pilot landing target exists and is not empty, expected a new or empty folder")
    tables = sorted(tables, key=lambda t: t.key)
    check_landing(source, tables)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.parent / f".{target.name}.sanitizing-{uuid.uuid4().hex[:8]}"
    rows, anonymized, removed = {}, {}, {}
    try:
        with duckdb.connect(":memory:", config={"threads": 2, "memory_limit": "1GB"}) as con:
            for src, table in ((t.source, t.name) for t in tables):
                label = f"{src}/{table}"
                rows[label], applied = _copy_table(con, source, work, src, table, key)
                anonymized[label] = tuple(c for c, r in applied.items() if r != REMOVE)
                removed[label] = tuple(c for c, r in applied.items() if r == REMOVE)
        if (source / WINDOW_RECORD).exists():
            shutil.copy2(source / WINDOW_RECORD, work / WINDOW_RECORD)
        if target.exists():
            target.rmdir()
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return SanitizeReport(rows, anonymized, removed)


_SUBSTRING_HITS = """
WITH sides AS (
    SELECT cell, parts[i] AS before_at, parts[i + 1] AS after_at
    FROM (SELECT cell, parts, unnest(range(1, len(parts))) AS i
          FROM (SELECT cell, string_split(value, '@') AS parts FROM pilot_at))
), tails AS (
    SELECT cell, after_at, right(before_at, n) AS local_tail
    FROM (SELECT *, unnest(range(1, least(length(before_at), ?) + 1)) AS n FROM sides)
)
SELECT label, count(DISTINCT cell) FROM tails JOIN raw_email
    ON tails.local_tail = raw_email.local_part AND starts_with(tails.after_at, raw_email.domain)
GROUP BY label
"""


def leaked_values(production_landing: Path, pilot_landing: Path,
                  rules: dict[tuple[str, str], dict[str, str]] | None = None) -> dict[str, int]:
    """Pilot cells holding a production PII value, per "<source>/<table>.<column>" it came from ({} when clean).

    A full scan: every non-empty value of every production PII column (PII_RULES, or `rules`, plus
    national-id columns) against every VARCHAR cell of every pilot table. Emails count when they
    appear anywhere inside a cell: a raw email lies in a cell iff, at one of the cell's '@', the text
    before ends with its local part and the text after starts with its domain, so a hash join on the
    local part finds them without comparing every email with every cell.
    """
    rules = PII_RULES if rules is None else rules
    hits: dict[str, int] = {}
    with duckdb.connect(":memory:", config={"threads": 2, "memory_limit": "1GB"}) as con:
        load_raw_pii(con, production_landing, rules, NATIONAL_ID_COLUMNS, table="raw_pii")
        one_at = "length(value) - length(replace(value, '@', '')) = 1"
        con.execute("CREATE TABLE raw_email AS SELECT label, split_part(value, '@', 1) AS local_part, "
                    f"split_part(value, '@', 2) AS domain FROM raw_pii WHERE {one_at}")
        con.execute(f"DELETE FROM raw_pii WHERE {one_at}")  # emails are found by the substring join below
        con.execute("CREATE TABLE pilot_at (cell BIGINT, value VARCHAR)")
        con.execute("CREATE SEQUENCE cell_ids")
        for _, _, folder in _table_dirs(pilot_landing):
            scan = f"read_parquet({_literal(folder / '*.parquet')}, union_by_name=true)"
            for column, data_type in _columns(con, folder):
                if data_type != "VARCHAR":
                    continue
                for label, count in con.execute(f"SELECT label, count(*) FROM {scan} p JOIN raw_pii "
                                                f"ON p.{_quote(column)} = raw_pii.value GROUP BY label").fetchall():
                    hits[label] = hits.get(label, 0) + count
                con.execute(f"INSERT INTO pilot_at SELECT nextval('cell_ids'), {_quote(column)} FROM {scan} "
                            f"WHERE contains({_quote(column)}, '@')")
        longest = con.execute("SELECT coalesce(max(length(local_part)), 0) FROM raw_email").fetchone()[0]
        for label, count in con.execute(_SUBSTRING_HITS, [longest]).fetchall():
            hits[label] = hits.get(label, 0) + count
    return dict(sorted(hits.items()))
