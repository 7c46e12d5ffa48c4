"""PII masking strategies: what a caller without a grant sees instead of the value.

`hash` and `tokenize` are keyed (HMAC-SHA-256 with the platform's masking key, never in the repository):
without the key nobody can rebuild them by hashing candidate values. The rules live in dbt macros
(dbt_project/macros/masking.sql), which mask public models; this is their Python twin, for what Python must
mask itself (check examples), and a test holds both equal.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REDACTED = "***"
STRATEGIES = ("redact", "hash", "tokenize", "partial")
KEY_FILE = "masking.key"
KEY_ENV = "DATAOPS_MASKING_KEY"
MIN_KEY_LENGTH = 16
_TOKEN_DOMAIN = "tokenize:"  # a token is not the hash of the same value
_TOKEN_HEX = 16


class MaskingKeyError(ValueError):
    """No masking key, or one too short."""


def find_masking_key(home: Path, from_env: str | None) -> str | None:
    """The key's text from DATAOPS_MASKING_KEY, else from <home>/masking.key; None if neither has one."""
    if from_env:
        return from_env
    path = home / KEY_FILE
    return (path.read_text().strip() or None) if path.is_file() else None


def read_masking_key(home: Path, from_env: str | None) -> bytes:
    """The key from DATAOPS_MASKING_KEY, else from <home>/masking.key; MaskingKeyError naming both if neither."""
    text = find_masking_key(home, from_env)
    if not text:
        raise MaskingKeyError(f"masking key: not set; expected {KEY_ENV} or the file {home / KEY_FILE} "
                              "(`make instance` creates one)")
    if len(text) < MIN_KEY_LENGTH:
        raise MaskingKeyError(f"masking key: expected at least {MIN_KEY_LENGTH} characters, got {len(text)}")
    return text.encode()


def create_masking_key(home: Path) -> Path:
    """Write a random key to <home>/masking.key (owner-only) unless one is there; returns its path."""
    path = home / KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n")
        path.chmod(0o600)
    return path


KEYED = frozenset({"hash", "tokenize"})
_MASKED_FROM = re.compile(r"masked_columns\(\s*ref\(\s*['\"]([a-z][a-z0-9_]*)['\"]\s*\)\s*\)")


def unmasked_model(node: Mapping[str, Any]) -> str | None:
    """The model a public model masks: X of its `{{ masked_columns(ref('X')) }}`; None if it masks nothing."""
    found = _MASKED_FROM.search(node.get("raw_code") or "")
    return found.group(1) if found else None


def needs_key(pii_masking: Mapping[str, str]) -> bool:
    """Whether any column of this column -> strategy mapping is masked with a keyed strategy."""
    return any(strategy in KEYED for strategy in pii_masking.values())


def mask_value(value: Any, strategy: str, key: bytes | None) -> Any:
    """Mask one value: redact | hash | tokenize | partial (`key`: only hash and tokenize use it). None stays None."""
    if value is None:
        return None
    text = str(value)
    if strategy in KEYED and not key:
        raise MaskingKeyError(f"masking key: {strategy} needs one; expected {KEY_ENV} or the file {KEY_FILE} "
                              "in DATAOPS_HOME")
    if strategy == "redact":
        return REDACTED
    if strategy == "hash":
        return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    if strategy == "tokenize":
        return "tok_" + hmac.new(key, (_TOKEN_DOMAIN + text).encode(), hashlib.sha256).hexdigest()[:_TOKEN_HEX]
    if strategy == "partial":
        return _partial(text)
    raise ValueError(f"masking strategy: expected one of {', '.join(STRATEGIES)}, got {strategy!r}")


PHONE_MIN_DIGITS = 7  # a partial value with this many digits is masked as a phone number
_DIGITS = "0123456789"


def _partial(text: str) -> str:
    """`j***@example.com` for an email (the domain stays), `***-***-1234` for a phone number (every digit but
    the last four), `J***` for anything else."""
    if "@" in text:
        return f"{text[:1]}***@{text.rpartition('@')[2]}"
    if sum(c in _DIGITS for c in text) >= PHONE_MIN_DIGITS:
        kept, masked = 0, []
        for c in reversed(text):
            if c in _DIGITS:
                kept += 1
                c = c if kept <= 4 else "*"
            masked.append(c)
        return "".join(reversed(masked))
    return f"{text[:1]}{REDACTED}"


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC-SHA-256's inner and outer key pads (RFC 2104): what the SQL side (macros/masking.sql) is given
    instead of the key, as HMAC(key, m) = SHA-256(outer || SHA-256(inner || m))."""
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


if __name__ == "__main__":  # `make instance`: a key for $DATAOPS_HOME unless it has one
    from dataops_assets.settings import load_settings

    print(f"masking key: {create_masking_key(load_settings().home)}")
