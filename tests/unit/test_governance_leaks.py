"""The PII leak scan: each pattern and the raw landing values are found (so the pii_leak check can fail),
masked values and ordinary ids are not, and a published version holding PII is never made current."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dataops_assets.governance.leak_checks import PiiLeakError, load_landing_pii, snapshot_vet
from dataops_assets.governance.leaks import LANDING_VALUE, describe_leaks, find_leaks
from dataops_assets.governance.masking import mask_value
from dataops_assets.publish.records import current_publication
from dataops_assets.publish.snapshots import publish_snapshot

KEY = b"a-test-masking-key-0123456789"
CLEAN = ["CUST-9222081206", "2026-11-27", "2026-11-27 10:00:00", "SN-2024-000123", "west", "US", "12.50",
         mask_value("jane.doe@example.com", "partial", None), mask_value("+1-922-722-6590", "partial", None),
         mask_value("555-867-1234", "partial", None), mask_value("jane.doe@example.com", "tokenize", KEY),
         mask_value("Jane", "hash", KEY), "***", None]


@pytest.fixture
def landing(tmp_path) -> Path:
    """A landing zone whose crm customers hold one person's raw PII."""
    folder = tmp_path / "landing" / "crm" / "customers"
    folder.mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(f"copy (select 'CUST-0000000001' as customer_id, 'Quillon' as first_name, 'Marchetti' as last_name, "
                    f"'q.marchetti@mail.example' as email, '+44 20 7946 0018' as phone_number) "
                    f"to '{folder / 'part-0000.parquet'}' (format parquet)")
    return tmp_path / "landing"


def leaks_in(values: list, landing: Path | None = None) -> dict[str, int]:
    with duckdb.connect() as con:
        con.execute("create table outputs (cell varchar, amount double)")
        con.executemany("insert into outputs values (?, 1.0)", [[v] for v in values])
        if landing is None:
            return find_leaks(con, "outputs", raw_table=None)
        load_landing_pii(con, landing)
        return find_leaks(con, "outputs")


def test_masked_values_and_ordinary_cells_are_clean(landing):
    assert leaks_in(CLEAN, landing) == {}


@pytest.mark.parametrize(("value", "kind"), [
    ("write to jane.doe@example.com today", "email"),
    ("+1-922-722-6590", "phone"),
    ("call (555) 867-1234", "phone"),
    ("+49 30 70270005", "phone"),
    ("ssn 078-05-1120", "national_id"),
])
def test_each_pattern_is_found(value, kind):
    assert leaks_in([*CLEAN, value]) == {f"cell: {kind}": 1}


@pytest.mark.parametrize("value", ["Quillon", "Marchetti"])
def test_a_raw_landing_value_is_found(landing, value):
    assert leaks_in([*CLEAN, value, value], landing) == {f"cell: {LANDING_VALUE}": 2}


def test_a_raw_email_counts_as_both_kinds_and_the_message_names_no_value(landing):
    found = leaks_in(["q.marchetti@mail.example"], landing)
    assert found == {"cell: email": 1, f"cell: {LANDING_VALUE}": 1}
    assert describe_leaks(found) == "cell: email 1 cell, cell: landing_value 1 cell"


def test_a_version_holding_pii_is_not_published_and_the_previous_stays_current(landing, tmp_path):
    published = tmp_path / "published"
    with duckdb.connect() as con:
        con.execute("create table people as select 'CUST-0000000001' as customer_id, 'tok_0123456789abcdef' as email")
        first = publish_snapshot(con, published, "crm", "people", "select * from people", run_id="run-1",
                                 vet=snapshot_vet("people", landing, {}))
        con.execute("update people set email = 'q.marchetti@mail.example'")
        found: dict[str, int] = {}
        with pytest.raises(PiiLeakError, match=r"^people: PII in the version to publish \(email: email 1 cell, "
                                               r"email: landing_value 1 cell\); not published"):
            publish_snapshot(con, published, "crm", "people", "select * from people", run_id="run-2",
                             vet=snapshot_vet("people", landing, found))
    assert found == {"email: email": 1, f"email: {LANDING_VALUE}": 1}
    assert current_publication(published, "crm", "people").version == first.version == 1
    assert sorted(p.name for p in (published / "crm" / "people").iterdir()) == ["current", "v=1"]


def test_the_dataset_gate_fails_a_public_model_holding_pii(landing, tmp_path):
    from types import SimpleNamespace

    from dataops_assets.lifecycle.gate import _leak_failures

    product = SimpleNamespace(public_models=("people", "orders"))
    space = SimpleNamespace(landing_dir=landing)
    models = {"people": {"relation_name": "people"}, "orders": {"relation_name": "orders"}}
    with duckdb.connect() as con:
        con.execute("create table people as select 'Marchetti' as last_name")
        con.execute("create table orders as select 'O-1' as order_id")
        problems: list[str] = []
        assert _leak_failures(con, product, space, models, problems) == ["people:pii_leak"]
    assert problems == [f"people: PII found: last_name: {LANDING_VALUE} 1 cell"]
