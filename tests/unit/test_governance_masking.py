"""The Python masking (check examples): hash and tokenize are keyed, the same value and key give the same
output, another key another one, and without a key nothing is masked (one-line error). The SQL twin (dbt
macros) is held equal to it in tests/integration/test_masking_sql.py."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import pytest

from dataops_assets.governance.masking import (
    REDACTED,
    MaskingKeyError,
    create_masking_key,
    hmac_pads,
    mask_value,
    read_masking_key,
)
from dataops_assets.settings import load_settings

VALUES = ["jane.doe@example.com", "+1-555-0100", "555-867-1234", "a@b@example.org", "ab", "it's", "x1 2", None]
KEY = b"a-test-masking-key-0123456789"
OTHER_KEY = b"another-test-masking-key-9876543"


@pytest.mark.parametrize("key", [KEY, b"k" * 64, b"a-key-longer-than-one-sha256-block-" * 3])
def test_the_pads_given_to_sql_make_the_same_hmac(key):
    inner, outer = hmac_pads(key)
    message = b"jane.doe@example.com"
    rebuilt = hashlib.sha256(outer + hashlib.sha256(inner + message).digest()).hexdigest()
    assert rebuilt == hmac.new(key, message, hashlib.sha256).hexdigest() == mask_value(message.decode(), "hash", key)


def test_hash_is_hmac_sha256_with_the_key():
    assert mask_value("jane.doe@example.com", "hash", KEY) == hmac.new(KEY, b"jane.doe@example.com", hashlib.sha256).hexdigest()
    assert mask_value("jane.doe@example.com", "hash", KEY) != hashlib.sha256(b"jane.doe@example.com").hexdigest()


@pytest.mark.parametrize("strategy", ["hash", "tokenize"])
def test_keyed_strategies_are_deterministic_and_depend_on_the_key(strategy):
    values = [v for v in VALUES if v is not None]
    assert [mask_value(v, strategy, KEY) for v in values] == [mask_value(v, strategy, KEY) for v in values]
    assert all(mask_value(v, strategy, KEY) != mask_value(v, strategy, OTHER_KEY) for v in values)
    assert mask_value(None, strategy, KEY) is None


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
        mask_value("jane", "rot13", KEY)


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
