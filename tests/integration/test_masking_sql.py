"""The masking macros (dbt_project/macros/masking.sql), run by dbt on DuckDB with the key handed over by our
dbt-duckdb plugin, give exactly what the Python masking gives (check examples); hash and tokenize depend on the
key, and without one the query fails in one line instead of masking with nothing."""

from __future__ import annotations

import json
import subprocess

import pytest

from dataops_assets.governance.masking import REDACTED, hmac_pads, mask_value
from tests.sandbox import REPO_ROOT, VENV_BIN, dataops_env

VALUES = ["jane.doe@example.com", "+1-555-0100", "555-867-1234", "+44 20 3564 0880", "a@b@example.org", "ab",
          "it's", "x1 2", "Zoë", None]
STRATEGIES = ("redact", "hash", "tokenize", "partial")
KEY = "a-test-masking-key-0123456789"
OTHER_KEY = "another-test-masking-key-9876543"


def _literal(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


def dbt_show(tmp_path, sql: str, key: str | None) -> subprocess.CompletedProcess:
    project = REPO_ROOT / "dbt_project"
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {**dataops_env(home), "DATAOPS_MASKING_KEY": key or ""}
    return subprocess.run(
        [str(VENV_BIN / "dbt"), "--quiet", "show", "--inline", sql, "--output", "json", "--limit", "100",
         "--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        env=env, capture_output=True, text=True)


def masked_by_dbt(tmp_path, key: str | None) -> list[dict]:
    rows = " union all ".join(f"select {i} as i, cast({_literal(v)} as varchar) as v" for i, v in enumerate(VALUES))
    columns = ", ".join(f"{{{{ mask('v', '{s}', 'varchar') }}}} as {s}" for s in STRATEGIES)
    sql = (f"select i, {columns}, {{{{ mask('d', 'redact', 'date') }}}} as redacted_date "
           f"from (select *, date '1990-01-02' as d from ({rows})) order by i")
    result = dbt_show(tmp_path, sql, key)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return json.loads(result.stdout)["show"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple]:
    """Key -> (masked rows, the folder the dbt run wrote its files to)."""
    folders = {key: tmp_path_factory.mktemp(f"key{i}") for i, key in enumerate((KEY, OTHER_KEY))}
    return {key: (masked_by_dbt(folder, key), folder) for key, folder in folders.items()}


@pytest.fixture(scope="module")
def by_key(runs) -> dict[str, list[dict]]:
    return {key: rows for key, (rows, _) in runs.items()}


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_the_dbt_macro_equals_the_python_masking(by_key, strategy):
    masked = [row[strategy] for row in by_key[KEY]]
    assert masked == [mask_value(v, strategy, KEY.encode()) for v in VALUES]
    assert not set(masked) & set(VALUES) - {None}


def test_partial_and_redact_as_the_issue_shows_them(by_key):
    rows = {VALUES[row["i"]]: row for row in by_key[KEY]}
    assert rows["jane.doe@example.com"]["partial"] == "j***@example.com"
    assert rows["555-867-1234"]["partial"] == "***-***-1234"
    assert rows["jane.doe@example.com"]["redact"] == REDACTED
    assert {row["redacted_date"] for row in by_key[KEY]} == {None}  # redact: NULL for a type that is not text


@pytest.mark.parametrize("strategy", ["hash", "tokenize"])
def test_a_keyed_strategy_changes_with_the_key(by_key, strategy):
    pairs = [(a[strategy], b[strategy]) for a, b in zip(by_key[KEY], by_key[OTHER_KEY]) if a[strategy] is not None]
    assert pairs and all(a != b for a, b in pairs)
    unkeyed = [(a["partial"], b["partial"]) for a, b in zip(by_key[KEY], by_key[OTHER_KEY])]
    assert all(a == b for a, b in unkeyed)


def test_without_a_key_the_query_fails_in_one_line(tmp_path):
    result = dbt_show(tmp_path, "select {{ mask(\"'jane'\", 'hash', 'varchar') }} as h", None)
    assert result.returncode != 0
    assert "masking key: not set; expected DATAOPS_MASKING_KEY or the file" in result.stdout + result.stderr


def test_an_unknown_strategy_fails_compilation(tmp_path):
    result = dbt_show(tmp_path, "select {{ mask(\"'jane'\", 'rot13', 'varchar') }} as h", KEY)
    assert result.returncode != 0
    assert "expected one of redact, hash, tokenize, partial, got 'rot13'" in result.stdout + result.stderr


def test_the_key_is_in_no_compiled_file_or_log(runs):
    written = [p for p in runs[KEY][1].rglob("*") if p.is_file()]
    assert written
    secrets = [KEY.encode(), *(pad.hex().encode() for pad in hmac_pads(KEY.encode()))]
    assert not [p for p in written if any(secret in p.read_bytes() for secret in secrets)]


def test_masked_columns_needs_the_models_contract_columns(tmp_path):
    result = dbt_show(tmp_path, "select {{ masked_columns(ref('customer_360_unmasked')) }} "
                                "from {{ ref('customer_360_unmasked') }}", KEY)
    assert result.returncode != 0
    assert "expected its contract columns in its YAML" in result.stdout + result.stderr
