"""Masking in SQL (published files) gives exactly what the Python masking gives (check examples); hash and
tokenize are keyed: the same value and key give the same output, another key another one, and without a key
nothing is masked (one-line error)."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import duckdb
import pytest

from dataops_assets.governance.masking import (
    REDACTED,
    MaskingKeyError,
    create_masking_key,
    mask_value,
    masking_sql,
    read_masking_key,
)
from dataops_assets.publish.assets import PublishTarget, published_query
from dataops_assets.settings import load_settings

VALUES = ["jane.doe@example.com", "+1-555-0100", "555-867-1234", "a@b@example.org", "ab", "it's", "x1 2", None]
KEY = b"a-test-masking-key-0123456789"
OTHER_KEY = b"another-test-masking-key-9876543"


def sql_masked(strategy: str, key: bytes) -> list:
    with duckdb.connect() as con:
        con.execute("create table people (email varchar)")
        con.executemany("insert into people values (?)", [[v] for v in VALUES])
        return [row[0] for row in con.execute(f"select {masking_sql('email', strategy, key)} from people").fetchall()]


@pytest.mark.parametrize("strategy", ["redact", "hash", "tokenize", "partial"])
def test_sql_masking_equals_python_masking(strategy):
    masked = sql_masked(strategy, KEY)
    assert masked == [mask_value(v, strategy, KEY) for v in VALUES]
    assert not set(masked) & set(VALUES) - {None}


def test_hash_is_hmac_sha256_with_the_key():
    assert mask_value("jane.doe@example.com", "hash", KEY) == hmac.new(KEY, b"jane.doe@example.com", hashlib.sha256).hexdigest()
    assert mask_value("jane.doe@example.com", "hash", KEY) != hashlib.sha256(b"jane.doe@example.com").hexdigest()


@pytest.mark.parametrize("strategy", ["hash", "tokenize"])
def test_keyed_strategies_are_deterministic_and_depend_on_the_key(strategy):
    assert sql_masked(strategy, KEY) == sql_masked(strategy, KEY)
    different = [a != b for a, b in zip(sql_masked(strategy, KEY), sql_masked(strategy, OTHER_KEY)) if a is not None]
    assert different and all(different)


def test_a_token_is_not_the_hash_of_the_same_value():
    token = mask_value("jane.doe@example.com", "tokenize", KEY)
    assert token.startswith("tok_") and len(token) == 20
    assert token[4:] not in mask_value("jane.doe@example.com", "hash", KEY)


def test_partial_keeps_the_domain_or_the_last_four_digits_or_one_character():
    assert mask_value("jane.doe@example.com", "partial", None) == "j***@example.com"
    assert mask_value("555-867-1234", "partial", None) == "***-***-1234"
    assert mask_value("+1-555-0100", "partial", None) == "+*-***-0100"
    assert mask_value("Jane", "partial", None) == f"J{REDACTED}"
    assert mask_value("12345", "partial", None) == f"1{REDACTED}"  # too few digits for a phone number


def test_unknown_strategy_is_refused():
    with pytest.raises(ValueError, match="masking strategy: expected one of redact, hash, tokenize, partial, got 'rot13'"):
        masking_sql("email", "rot13", KEY)


def test_a_keyed_strategy_without_a_key_is_refused():
    with pytest.raises(MaskingKeyError, match="masking key: hash needs one; expected DATAOPS_MASKING_KEY"):
        mask_value("jane", "hash", None)


def test_the_key_comes_from_the_environment_or_the_home_file(tmp_path):
    with pytest.raises(MaskingKeyError) as missing:
        read_masking_key(tmp_path, None)
    assert str(missing.value) == (f"masking key: not set; expected DATAOPS_MASKING_KEY or the file "
                                  f"{tmp_path / 'masking.key'} (`make instance` creates one)")
    path = create_masking_key(tmp_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_masking_key(tmp_path, None) == path.read_text().strip().encode()
    assert create_masking_key(tmp_path).read_text() == path.read_text()  # never replaced
    assert read_masking_key(tmp_path, "from-the-environment-1234") == b"from-the-environment-1234"
    with pytest.raises(ValueError, match="DATAOPS_MASKING_KEY: expected at least 16 characters, got 5"):
        load_settings({"DATAOPS_HOME": str(tmp_path), "DATAOPS_MASKING_KEY": "short"})


def test_published_rows_carry_masked_pii_and_every_other_column(tmp_path):
    target = PublishTarget(product="crm", model="people", model_key=None, relation="people", checks={},
                           pii_masking={"email": "partial", "name": "hash"})
    with duckdb.connect() as con:
        con.execute("create table people as select 'jane.doe@example.com' as email, 'Jane' as name, 42 as age")
        assert con.execute(published_query(target.relation, target.pii_masking, KEY)).fetchall() == [
            ("j***@example.com", hmac.new(KEY, b"Jane", hashlib.sha256).hexdigest(), 42)]
        unmasked = PublishTarget(product="crm", model="people", model_key=None, relation="people", checks={})
        assert con.execute(published_query(unmasked.relation, unmasked.pii_masking, KEY)).fetchall() == [
            ("jane.doe@example.com", "Jane", 42)]
