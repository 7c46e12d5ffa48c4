"""Unit tests for the pilot landing sanitizer: a full scan proves no production PII reaches the pilot."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from dataops_assets.lifecycle import sanitize
from dataops_assets.lifecycle.sanitize import PII_RULES, leaked_values, sanitize_landing
from dataops_assets.sources.generator import generate_landing
from dataops_assets.sources.landing_tables import EMAIL_PATTERN
from tests.manifest_fixture import fixture_landing

KEY = b"pilot-test-key"
CONTRACT = fixture_landing()
TABLES = list(CONTRACT)
LANDING_SCHEMAS = {key: table.columns for key, table in CONTRACT.items()}
PII_COLUMNS = ("first_name", "last_name", "email", "phone_number", "street_address")


def _rows(landing: Path, source: str, table: str, columns: str = "*") -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(f"SELECT {columns} FROM read_parquet('{landing / source / table}/*.parquet')").fetchall()


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("production") / "landing"
    generate_landing(landing, CONTRACT, scale=0.005, seed=3, end_date=dt.datetime(2024, 3, 31, 12), days=30)
    return landing


@pytest.fixture(scope="module")
def pilot(production, tmp_path_factory) -> tuple[Path, sanitize.SanitizeReport]:
    target = tmp_path_factory.mktemp("pilot") / "landing"
    return target, sanitize_landing(production, target, KEY, CONTRACT.values())


def test_no_raw_pii_value_anywhere_in_the_pilot(production, pilot):
    raw = {v for row in _rows(production, "crm", "customers", ", ".join(PII_COLUMNS)) for v in row if v is not None}
    emails = {v for (v,) in _rows(production, "crm", "customers", "email") if v is not None}
    assert len(emails) > 100
    checked = 0
    for source, table in TABLES:
        strings = [name for name, sql_type in LANDING_SCHEMAS[(source, table)] if sql_type == "VARCHAR"]
        for row in _rows(pilot[0], source, table, ", ".join(strings)):
            for value in row:
                if value is None:
                    continue
                checked += 1
                assert value not in raw, f"{source}/{table}: raw PII value {value!r} in the pilot"
                if "@" in value:
                    assert not any(email in value for email in emails), f"{source}/{table}: raw email in {value!r}"
    assert checked > 20_000
    assert leaked_values(production, pilot[0]) == {}


def test_pilot_emails_are_fake_but_valid_and_contact_fields_are_gone(production, pilot):
    rows = _rows(pilot[0], "crm", "customers", "email, phone_number, street_address, postal_code")
    assert all(re.match(EMAIL_PATTERN, email) and email.endswith("@pilot.example.com") for email, *_ in rows)
    assert all(removed == [None, None, None] for _, *removed in rows)
    assert pilot[1].anonymized["crm/customers"] == ("first_name", "last_name", "email")
    assert pilot[1].removed["crm/customers"] == ("phone_number", "street_address", "postal_code")


def test_row_counts_and_non_pii_columns_are_unchanged(production, pilot):
    landing, report = pilot
    assert report.tables == tuple(f"{source}/{table}" for source, table in TABLES)
    for source, table in TABLES:
        kept = [name for name, _ in LANDING_SCHEMAS[(source, table)] if name not in PII_RULES.get((source, table), {})]
        columns = ", ".join(f'"{name}"' for name in kept)
        expected = _rows(production, source, table, columns)
        assert _rows(landing, source, table, columns) == expected, f"{source}/{table} changed"
        assert report.rows[f"{source}/{table}"] == len(expected)
    assert (landing / "_window.json").read_text() == (production / "_window.json").read_text()


def test_pseudonyms_follow_the_person_and_the_key(production, pilot, tmp_path):
    def names(landing: Path) -> list[tuple]:
        return _rows(landing, "crm", "customers", "first_name, last_name")

    raw, pseudo = names(production), names(pilot[0])
    by_raw: dict[str, set[str]] = {}
    for raw_row, pseudo_row in zip(raw, pseudo):
        for original, alias in zip(raw_row, pseudo_row):
            assert alias.startswith("Anon-") and len(alias) == 15
            by_raw.setdefault(original, set()).add(alias)
    assert all(len(aliases) == 1 for aliases in by_raw.values())
    assert len({alias for aliases in by_raw.values() for alias in aliases}) == len(by_raw)
    sanitize_landing(production, tmp_path / "same", KEY, CONTRACT.values())
    sanitize_landing(production, tmp_path / "other", b"another-key", CONTRACT.values())
    assert names(tmp_path / "same") == pseudo
    other = names(tmp_path / "other")
    assert all(a != b for row_a, row_b in zip(other, pseudo) for a, b in zip(row_a, row_b))


def test_the_scan_finds_emails_a_broken_rule_set_lets_through(production, tmp_path, monkeypatch):
    broken = {key: {c: r for c, r in rules.items() if c != "email"} for key, rules in PII_RULES.items()}
    with monkeypatch.context() as patch:
        patch.setattr(sanitize, "PII_RULES", broken)
        sanitize_landing(production, tmp_path / "pilot", KEY, CONTRACT.values())
    assert leaked_values(production, tmp_path / "pilot") == {"crm/customers.email": 500}


def test_the_scan_finds_an_email_inside_any_string_of_any_table(production, pilot, tmp_path):
    email = _rows(production, "crm", "customers", "email")[0][0]
    landing = tmp_path / "pilot"
    shutil.copytree(pilot[0], landing)
    (landing / "helpdesk" / "notes").mkdir()
    notes = [f"call back x{email}", f"{email}", "no contact", f"cc: a@b, {email}y and {email}"]
    with duckdb.connect() as con:
        con.execute("CREATE TABLE notes AS SELECT unnest(?) AS note", [notes])
        con.execute(f"COPY notes TO '{landing / 'helpdesk' / 'notes' / 'part-0000.parquet'}' (FORMAT parquet)")
    assert leaked_values(production, landing) == {"crm/customers.email": 3}


def test_national_id_columns_are_removed_from_any_table(production, tmp_path):
    landing = tmp_path / "production"
    shutil.copytree(production, landing)
    part = landing / "fleet" / "equipment" / "part-0000.parquet"
    with duckdb.connect() as con:
        con.execute(f"CREATE TABLE t AS SELECT *, 'SSN-' || equipment_id AS SSN FROM read_parquet('{part}')")
        con.execute(f"COPY t TO '{part}' (FORMAT parquet)")
    report = sanitize_landing(landing, tmp_path / "pilot", KEY, CONTRACT.values())
    assert report.removed["fleet/equipment"] == ("SSN",)
    assert {v for (v,) in _rows(tmp_path / "pilot", "fleet", "equipment", "SSN")} == {None}
    assert leaked_values(landing, tmp_path / "pilot") == {}
    assert leaked_values(landing, landing)["fleet/equipment.SSN"] == 50


def test_a_non_empty_target_is_refused_in_one_line(production, tmp_path):
    target = tmp_path / "pilot"
    target.mkdir()
    (target / "stale.txt").write_text("x")
    with pytest.raises(ValueError) as error:
        sanitize_landing(production, target, KEY, CONTRACT.values())
    assert str(target) in str(error.value) and "\n" not in str(error.value)


def test_a_failure_leaves_neither_target_nor_temp_folder(production, tmp_path, monkeypatch):
    copied = []

    def copy_then_fail(*args, **kwargs):
        if copied:
            raise RuntimeError("disk full")
        copied.append(args)
        return original(*args, **kwargs)

    original = sanitize._copy_table
    monkeypatch.setattr(sanitize, "_copy_table", copy_then_fail)
    with pytest.raises(RuntimeError):
        sanitize_landing(production, tmp_path / "pilot", KEY, CONTRACT.values())
    assert list(tmp_path.iterdir()) == []
