"""PII where consumers read, on the real stack: no raw email or phone of the landing data in any published
snapshot or public model; the pii_leak check failing (and nothing published) when a raw email reaches a public
output; tokens that detokenize through the CLI only for a principal holding the grant."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from dataops_assets.publish.records import current_files, current_publication, list_publications
from tests.sandbox import (
    REPO_ROOT, VENV_BIN, check_evaluation, check_metadata, copy_home, dataops_env, latest_materialization_run,
    materialize, public_models,
    published_version, rewrite_landing,
)

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")


def raw_contacts(home: Path) -> dict[str, set[str]]:
    """Every email (lower case) and phone number of the landing data's customers."""
    with duckdb.connect() as con:
        rows = con.execute(f"select email, phone_number from read_parquet('{home}/landing/crm/customers/*.parquet')").fetchall()
    return {"email": {e.lower() for e, _ in rows if e}, "phone": {p for _, p in rows if p}}


def text_cells(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    columns = [name for name, kind, *_ in con.execute(f"describe select * from {relation}").fetchall() if kind == "VARCHAR"]
    return [cell for column in columns
            for (cell,) in con.execute(f'select "{column}" from {relation} where "{column}" is not null').fetchall()]


def contacts_in(cells: list[str], raw: dict[str, set[str]]) -> dict[str, int]:
    """Cells holding a raw email (anywhere in the cell) or equal to a raw phone number."""
    emails = sum(1 for cell in cells if {e.lower() for e in EMAIL.findall(cell)} & raw["email"])
    phones = sum(1 for cell in cells if cell in raw["phone"])
    return {"email": emails, "phone": phones}


def test_no_published_snapshot_or_public_model_holds_a_raw_email_or_phone(materialized_home):
    raw = raw_contacts(materialized_home)
    assert len(raw["email"]) > 100 and len(raw["phone"]) > 100
    publications = list_publications(materialized_home / "published")
    assert {p.model for p in publications} == public_models()
    found = {}
    with duckdb.connect(str(materialized_home / "warehouse.duckdb"), read_only=True) as con:
        for publication in publications:
            files = ", ".join(f"'{f}'" for f in current_files(publication))
            found[f"published {publication.model}"] = contacts_in(
                text_cells(con, f"read_parquet([{files}], union_by_name = true)"), raw)
        for model in sorted(public_models()):
            found[f"warehouse {model}"] = contacts_in(text_cells(con, f"main.{model}"), raw)
        # The same scan finds them where they are meant to be: the private model customer_360 masks.
        unmasked = contacts_in(text_cells(con, "main.customer_360_unmasked"), raw)
    assert all(counts == {"email": 0, "phone": 0} for counts in found.values()), found
    assert len(found) == 2 * len(public_models())
    assert unmasked["email"] == len(raw["email"]) and unmasked["phone"] >= len(raw["phone"])


@pytest.mark.parametrize(("model", "email", "phone"), [
    ("customer_360_v2", "tok_[0-9a-f]{16}", "[^0-9]*([0-9][^0-9]*){0,4}"),  # tokenized; last four digits
    ("customer_360", r"[^@]\*\*\*@[A-Za-z0-9.-]+", r"\*\*\*"),  # v1: partial; redacted
])
def test_each_version_of_customer_360_publishes_its_own_masking(materialized_home, model, email, phone):
    publication = current_publication(materialized_home / "published", "customer_360", model)
    files = [str(f) for f in current_files(publication)]
    with duckdb.connect() as con:
        emails, names, phones, births = con.execute(
            "select count(*) filter (where regexp_full_match(email, ?)), "
            "count(*) filter (where regexp_full_match(first_name, '[0-9a-f]{64}')), "
            "count(*) filter (where regexp_full_match(phone_number, ?)), "
            "count(date_of_birth) from read_parquet(?)", [email, phone, files]).fetchone()
    assert emails == names == phones == publication.rows > 0 and births == 0


def test_a_raw_email_in_a_public_output_fails_pii_leak_and_publishes_nothing(defect_baseline, tmp_path):
    home = copy_home(defect_baseline, tmp_path / "home")
    before = current_publication(home / "published", "product_performance", "product_performance")
    email = sorted(raw_contacts(home)["email"])[0]
    # A free-text field of another source picks up a customer's address: the model carries it unmasked.
    rewrite_landing(home, "catalog", "products", f"""
        select * replace (case when row_number() over (order by product_id) <= 3 then 'contact {email}'
                               else product_name end as product_name) from landing""")

    result = materialize(home, select="product_performance,published_product_performance")

    assert result.returncode != 0
    assert check_evaluation(home, "product_performance", "pii_leak") == (False, "ERROR")
    assert check_metadata(home, "product_performance", "pii_leak")["leaks"] == {"product_name: email": 3}
    # The blocking check stops the run before publication: consumers keep the previous version.
    assert "pii_leak" in result.output
    assert latest_materialization_run(home, "published_product_performance") not in result.run_ids
    assert published_version(home, "product_performance", "product_performance") == before.version
    assert email not in result.output  # messages name columns and counts, never a value


@pytest.fixture
def pii_home(materialized_home, tmp_path) -> Path:
    """A home reading the session's warehouse (read-only), with grants of its own."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "warehouse.duckdb").symlink_to(materialized_home / "warehouse.duckdb")
    return home


def dataops(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "dataops"), *args], cwd=REPO_ROOT, env=dataops_env(home),
                          capture_output=True, text=True)


def test_tokens_detokenize_only_for_a_principal_holding_the_grant(materialized_home, pii_home):
    with duckdb.connect(str(materialized_home / "warehouse.duckdb"), read_only=True) as con:
        expected = dict(con.execute("select m.email, u.email from main.customer_360_v2 m join main.customer_360_unmasked u "
                                    "using (customer_id) order by customer_id limit 5").fetchall())
    tokens = list(expected)
    ask = ("pii", "detokenize", *tokens, "--product", "customer_360", "--principal", "marketing-analysts", "--json")

    refused = dataops(pii_home, *ask)
    assert refused.returncode == 1
    assert refused.stderr.strip() == ("Error: detokenize: principal 'marketing-analysts' holds no PII grant for "
                                      "customer_360; expected one given with `dataops pii grant marketing-analysts "
                                      "--product customer_360`")
    assert not set(expected.values()) & set(refused.stdout.split())

    assert dataops(pii_home, "pii", "grant", "marketing-analysts", "--product", "customer_360").returncode == 0
    answered = dataops(pii_home, *ask)
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout) == expected

    assert dataops(pii_home, "pii", "revoke", "marketing-analysts", "--product", "customer_360").returncode == 0
    assert dataops(pii_home, *ask).returncode == 1
    events = [json.loads(line)["event"] for line in (pii_home / "pii_access.jsonl").read_text().splitlines()]
    assert events == ["refused", "granted", "detokenized", "revoked", "refused"]


def test_detokenize_refuses_a_product_without_tokens_and_a_malformed_token(pii_home):
    no_vault = dataops(pii_home, "pii", "detokenize", "tok_0123456789abcdef", "--product", "mission_logistics",
                       "--principal", "ops")
    assert no_vault.returncode == 2 and "product 'mission_logistics' tokenizes no PII field" in no_vault.stderr
    dataops(pii_home, "pii", "grant", "ops", "--product", "customer_360")
    malformed = dataops(pii_home, "pii", "detokenize", "jane@example.com", "--product", "customer_360",
                        "--principal", "ops")
    assert malformed.returncode == 1
    assert malformed.stderr.strip() == ("Error: tokens: expected one or more tokens like tok_0123456789abcdef, "
                                        "got 'jane@example.com'")
