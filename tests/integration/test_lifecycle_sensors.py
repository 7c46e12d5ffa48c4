"""Datasets driven by the real lifecycle sensors (built contexts on a real instance) and real runs:
provision -> READY -> teardown -> ARCHIVED, bad data ending in FAILED with the failing checks named, and a
pilot dataset scanned whole for any raw personal data of the production landing zone."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from dagster._core.test_utils import instance_for_test

from tests.lifecycle import provision_with_sensors, tick
from tests.sandbox import generate, rewrite_landing

from dataops_assets.definitions import build_definitions
from dataops_assets.governance.masking import create_masking_key
from dataops_assets.lifecycle.assets import DATASETS, archive_path
from dataops_assets.lifecycle.registry import Registry
from dataops_assets.lifecycle.states import DatasetState
from dataops_assets.lifecycle.workspace import workspace
from dataops_assets.settings import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    create_masking_key(tmp_path / "home")  # what `make instance` leaves in a home
    return Settings(home=tmp_path / "home")


@pytest.fixture
def instance():
    with instance_for_test() as instance:
        yield instance


def test_a_sandbox_dataset_goes_ready_then_archived(settings, instance):
    repository = build_definitions(settings).get_repository_def()
    registry = Registry(settings.registry_url)
    dataset = registry.request_provisioning("mission_logistics", "sandbox", "acme", "test")
    tick(repository, instance, "dataset_requests")
    assert dataset.dataset_id in instance.get_dynamic_partitions(DATASETS.name)
    tick(repository, instance, "dataset_progress")
    ready = registry.get(dataset.dataset_id)
    assert ready.status is DatasetState.READY, ready.error_message
    assert ready.quality_score >= 95 and ready.record_count > 0 and ready.size_bytes > 0
    assert [(e.from_state, e.to_state) for e in registry.audit_trail(dataset.dataset_id)
            if e.event == "dataset_status_changed"] == [("provisioning", "validating"), ("validating", "ready")]
    folder = workspace(settings, dataset.dataset_id).root
    assert (folder / "warehouse.duckdb").exists() and not (settings.home / "warehouse.duckdb").exists()

    registry.request_teardown(dataset.dataset_id, "test")
    tick(repository, instance, "dataset_requests")  # -> TEARDOWN, teardown run
    tick(repository, instance, "dataset_progress")  # -> ARCHIVED
    archived = registry.get(dataset.dataset_id)
    assert archived.status is DatasetState.ARCHIVED
    assert archived.archive_path == str(archive_path(settings, dataset.dataset_id))
    assert archive_path(settings, dataset.dataset_id).exists() and not folder.exists()
    assert registry.audit_trail(dataset.dataset_id)[-1].event == "dataset_archived"


def test_bad_production_data_ends_failed_naming_the_failing_checks(settings, instance):
    generate(settings.home)
    rewrite_landing(settings.home, "crm", "customers",
                    "select * replace (case when row_number() over () <= 5 then 'not-an-email' else email end "
                    "as email) from landing")
    failed = provision_with_sensors(settings, instance, "customer_360", "production")
    assert failed.status is DatasetState.FAILED
    assert "failed error checks: " in failed.error_message and "customer_360:" in failed.error_message
    gate = [e for e in Registry(settings.registry_url).audit_trail(failed.dataset_id)
            if e.event == "quality_check_executed"]
    assert len(gate) == 1 and gate[0].details["passed"] is False


EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]+")


def raw_personal_data(landing: Path) -> dict[str, set[str]]:
    """Every name, full name, email, phone and national id of the production customers."""
    with duckdb.connect() as con:
        rows = con.execute("select first_name, last_name, email, phone_number, national_id from "
                           f"read_parquet('{landing}/crm/customers/*.parquet')").fetchall()
    return {
        "name": {n for first, last, *_ in rows for n in (first, last, f"{first} {last}") if n},
        "email": {email.lower() for _, _, email, _, _ in rows if email},
        "phone": {phone for *_, phone, _ in rows if phone},
        "national id": {nid for *_, nid in rows if nid},
    }


def text_cells(folder: Path) -> dict[str, set[str]]:
    """Every distinct text value of every Parquet file, DuckDB database (tables and views) and text file
    under `folder`, per file."""
    cells: dict[str, set[str]] = {}
    with duckdb.connect() as con:
        for file in sorted(folder.rglob("*")):
            if file.suffix == ".parquet":
                scan = f"read_parquet('{file}')"
                columns = [c for c, kind, *_ in con.execute(f"describe select * from {scan}").fetchall() if kind == "VARCHAR"]
                cells[str(file)] = {v for c in columns for (v,) in con.execute(f'select distinct "{c}" from {scan}').fetchall()}
            elif file.suffix == ".duckdb":
                con.execute(f"attach '{file}' as db (read_only)")
                found = set()
                for schema, table, column in con.execute(
                        "select table_schema, table_name, column_name from information_schema.columns "
                        "where table_catalog = 'db' and data_type = 'VARCHAR'").fetchall():
                    found |= {v for (v,) in con.execute(f'select distinct "{column}" from db."{schema}"."{table}"').fetchall()}
                con.execute("detach db")
                cells[str(file)] = found
            elif file.is_file() and file.suffix in (".json", ".csv", ".txt", ".out", ".log", ".sql"):
                cells[str(file)] = {file.read_text(errors="replace")}
    return {f: {v for v in values if v} for f, values in cells.items()}


def test_a_pilot_dataset_holds_no_raw_personal_data_of_production(settings, instance):
    generate(settings.home)
    rewrite_landing(settings.home, "crm", "customers",  # a national id column, as a new source might deliver
                    "select *, 'NI' || lpad(cast(hash(customer_id) % 100000000 as varchar), 8, '0') as national_id "
                    "from landing")
    raw = raw_personal_data(settings.landing_dir)
    assert all(raw.values()), {kind: len(values) for kind, values in raw.items()}
    pilot = provision_with_sensors(settings, instance, "customer_360", "pilot")
    assert pilot.status is DatasetState.READY, pilot.error_message
    folder = workspace(settings, pilot.dataset_id).root

    cells = text_cells(folder)
    assert any(f.endswith(".duckdb") for f in cells) and any("published" in f for f in cells)
    assert not leaks(cells, raw), {f: sorted(v)[:3] for f, v in leaks(cells, raw).items()}
    # The scan finds what it looks for: on the production landing zone it finds every kind.
    found = set().union(*leaks(text_cells(settings.landing_dir / "crm"), raw).values())
    assert {kind for kind, values in raw.items() if values & found} == set(raw)


def leaks(cells: dict[str, set[str]], raw: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per file, the raw values found: a cell equal to a name, phone or national id, an email anywhere in a
    cell, and any phone or national id inside a text file."""
    exact = raw["name"] | raw["phone"] | raw["national id"]
    found: dict[str, set[str]] = {}
    for file, values in cells.items():
        for value in values:
            hits = ({value} & exact) | ({e.lower() for e in EMAIL.findall(value)} & raw["email"])
            if not file.endswith((".parquet", ".duckdb")):
                hits |= {p for p in raw["phone"] | raw["national id"] if p in value}
            if hits:
                found.setdefault(file, set()).update(hits)
    return found
