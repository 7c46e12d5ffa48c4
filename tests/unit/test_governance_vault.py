"""PII grants and detokenizing: only a principal holding the product's grant gets values back; every grant,
revocation, refusal and answer is logged; bad input is one line naming what was expected."""

from __future__ import annotations

import json
import os
import stat

import duckdb
import pytest

from dataops_assets.governance.masking import mask_value
from dataops_assets.governance.vault import (
    ACCESS_LOG, GRANTS_FILE, GrantRefused, VaultError, detokenize, grant, load_grants, revoke,
)

KEY = b"a-test-masking-key-0123456789"
EMAILS = ["jane.doe@example.com", "ren.perez@example.net"]


@pytest.fixture
def warehouse(tmp_path):
    """A warehouse holding customer_360's token vault, as the dbt model writes it."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table customer_360_token_vault (token varchar, value varchar)")
        con.executemany("insert into customer_360_token_vault values (?, ?)",
                        [[mask_value(e, "tokenize", KEY), e] for e in EMAILS])
    return path


def log(home) -> list[dict]:
    return [json.loads(line) for line in (home / ACCESS_LOG).read_text().splitlines()]


def test_a_token_is_deterministic_and_detokenizes_only_with_the_grant(warehouse, tmp_path):
    home = tmp_path / "home"
    tokens = [mask_value(e, "tokenize", KEY) for e in EMAILS]
    assert tokens == [mask_value(e, "tokenize", KEY) for e in EMAILS]  # the same value, the same token
    unknown = "tok_0000000000000000"
    with pytest.raises(GrantRefused, match=r"^detokenize: principal 'analysts' holds no PII grant for customer_360; "):
        detokenize(warehouse, home, "customer_360", "analysts", tokens)
    assert grant(home, "customer_360", "analysts", "cli:ops") is True
    assert grant(home, "customer_360", "analysts", "cli:ops") is False  # already held
    assert stat.S_IMODE(os.stat(home / GRANTS_FILE).st_mode) == 0o600
    assert detokenize(warehouse, home, "customer_360", "analysts", [*tokens, unknown]) == {
        tokens[0]: EMAILS[0], tokens[1]: EMAILS[1], unknown: None}
    with pytest.raises(GrantRefused):
        detokenize(warehouse, home, "customer_360", "someone-else", tokens)
    with pytest.raises(GrantRefused):
        detokenize(warehouse, home, "sales_daily_metrics", "analysts", tokens)  # a grant is per product
    assert revoke(home, "customer_360", "analysts", "cli:ops") is True
    with pytest.raises(GrantRefused):
        detokenize(warehouse, home, "customer_360", "analysts", tokens)
    assert [e["event"] for e in log(home)] == ["refused", "granted", "detokenized", "refused", "refused", "revoked",
                                               "refused"]
    assert load_grants(home) == {}
    assert not any(e in (home / ACCESS_LOG).read_text() for e in EMAILS)  # the log holds no value


@pytest.mark.parametrize(("tokens", "message"), [
    ([], "tokens: expected one or more tokens like tok_0123456789abcdef, got none"),
    (["jane.doe@example.com"], "tokens: expected one or more tokens like tok_0123456789abcdef, got 'jane.doe@example.com'"),
])
def test_malformed_tokens_are_refused(warehouse, tmp_path, tokens, message):
    grant(tmp_path, "customer_360", "analysts", "test")
    with pytest.raises(VaultError, match=f"^{message}$"):
        detokenize(warehouse, tmp_path, "customer_360", "analysts", tokens)


def test_a_bad_principal_or_grants_file_is_one_line(tmp_path):
    with pytest.raises(VaultError, match=r"^principal: expected lower-case letters, digits and \. _ @ - "):
        grant(tmp_path, "customer_360", "Robert'); drop table", "test")
    (tmp_path / GRANTS_FILE).write_text("{not json")
    with pytest.raises(VaultError, match=rf"{GRANTS_FILE}: not valid JSON \(.*\); expected"):
        load_grants(tmp_path)
    (tmp_path / GRANTS_FILE).write_text('{"customer_360": "analysts"}')
    with pytest.raises(VaultError, match=r'expected \{"<product>": \["<principal>", \.\.\.\]\}'):
        load_grants(tmp_path)


def test_a_product_without_a_vault_is_named(tmp_path):
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    grant(tmp_path, "mission_logistics", "ops", "test")
    with pytest.raises(VaultError, match="no table mission_logistics_token_vault; expected a run to have built"):
        detokenize(tmp_path / "empty.duckdb", tmp_path, "mission_logistics", "ops", ["tok_0123456789abcdef"])
