"""PII masking strategies: what a caller without a grant sees instead of the value."""

from __future__ import annotations

import hashlib
from typing import Any

REDACTED = "***"


def mask_value(value: Any, strategy: str) -> Any:
    """Mask one value: redact | hash | tokenize | partial. None stays None."""
    if value is None:
        return None
    text = str(value)
    if strategy == "redact":
        return REDACTED
    digest = hashlib.sha256(text.encode()).hexdigest()
    if strategy == "hash":
        return digest
    if strategy == "tokenize":
        return f"tok_{digest[:12]}"
    if strategy == "partial":
        # The customer-360 seed's masked view: the first three characters stay readable.
        return f"{text[:3]}***@***" if "@" in text else f"{text[:3]}{REDACTED}"
    raise ValueError(f"masking strategy: expected one of redact, hash, tokenize, partial, got {strategy!r}")


def masking_sql(column: str, strategy: str) -> str:
    """The same masking as mask_value, as a DuckDB expression over a column (published files use it)."""
    value = f'cast("{column}" as varchar)'
    digest = f"sha256({value})"
    expressions = {
        "redact": f"'{REDACTED}'",
        "hash": digest,
        "tokenize": f"'tok_' || left({digest}, 12)",
        "partial": f"left({value}, 3) || case when contains({value}, '@') then '***@***' else '{REDACTED}' end",
    }
    if strategy not in expressions:
        raise ValueError(f"masking strategy: expected one of redact, hash, tokenize, partial, got {strategy!r}")
    return f'case when "{column}" is null then null else {expressions[strategy]} end'
