"""API keys: who calls the serving layer, and with what clearance.

A key is `dpk_<id>_<secret>`; only its SHA-256 is stored, with the key's id (for revoking and for logs:
a key never appears in a log), the principal it speaks for and its clearance (U, C, S or TS). The store
is `$DATAOPS_HOME/api_keys.json` (owner-only), or the same JSON in DATAOPS_API_KEYS, which then replaces
the file (e.g. a secret mounted into a container). A key's PII grant is the principal's grant in
`pii_grants.json` (`dataops pii grant`): one record of who may see a product's PII, whatever the path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dataops_assets.catalog.spec import Classification
from dataops_assets.governance.vault import VaultError, check_principal

KEY_PREFIX = "dpk_"
KEY_ID = re.compile(r"^[0-9a-f]{8}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SECRET_BYTES = 32


class KeyStoreError(ValueError):
    """A malformed key store, or a bad argument to change it."""


@dataclass(frozen=True)
class ApiKey:
    id: str
    principal: str
    clearance: Classification
    sha256: str
    created_at: str

    def may_read(self, classification: Classification) -> bool:
        """Default deny: a product is readable only at or below the key's clearance."""
        return self.clearance.rank >= classification.rank

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "clearance": self.clearance.value}


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_id_of(presented: str) -> str | None:
    """The id part of something shaped like a key, for logs; None otherwise."""
    parts = presented.split("_")
    return parts[1] if len(parts) == 3 and presented.startswith(KEY_PREFIX) and KEY_ID.match(parts[1]) else None


def parse_keys(text: str, where: str) -> dict[str, ApiKey]:
    """Key id -> key from the store's JSON, `{"keys": [...]}`; KeyStoreError naming `where` and the field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KeyStoreError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}); expected "
                            '{"keys": [{"id", "principal", "clearance", "sha256", "created_at"}, ...]}') from None
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise KeyStoreError(f'{where}: expected an object with a "keys" list, got {type(data).__name__}')
    keys: dict[str, ApiKey] = {}
    for n, entry in enumerate(entries):
        keys_entry = _key_from_json(entry, f"{where}: keys[{n}]")
        if keys_entry.id in keys:
            raise KeyStoreError(f"{where}: keys[{n}].id: {keys_entry.id!r} appears twice; expected unique ids")
        keys[keys_entry.id] = keys_entry
    return keys


def _key_from_json(entry: Any, where: str) -> ApiKey:
    if not isinstance(entry, Mapping):
        raise KeyStoreError(f"{where}: expected an object, got {type(entry).__name__}")
    fields = {"id": KEY_ID, "sha256": _SHA256}
    for name, pattern in fields.items():
        if not (isinstance(entry.get(name), str) and pattern.match(entry[name])):
            raise KeyStoreError(f"{where}.{name}: expected {pattern.pattern}, got {entry.get(name)!r}")
    try:
        principal = check_principal(entry.get("principal") or "")
        clearance = Classification(entry.get("clearance"))
    except VaultError as exc:
        raise KeyStoreError(f"{where}.{exc}") from None
    except ValueError:
        raise KeyStoreError(f"{where}.clearance: expected one of U, C, S, TS, got {entry.get('clearance')!r}") from None
    return ApiKey(entry["id"], principal, clearance, entry["sha256"], str(entry.get("created_at") or ""))


def load_keys(path: Path, from_env: str | None) -> dict[str, ApiKey]:
    """The store: DATAOPS_API_KEYS when set, else the file; {} when neither has keys."""
    if from_env:
        return parse_keys(from_env, "DATAOPS_API_KEYS")
    if not path.exists():
        return {}
    return parse_keys(path.read_text(), str(path))


def create_key(path: Path, principal: str, clearance: str) -> tuple[ApiKey, str]:
    """Add a key for `principal` to the file store; returns it and the key itself (shown once, never stored)."""
    try:
        principal = check_principal(principal)
        level = Classification(clearance)
    except VaultError as exc:
        raise KeyStoreError(str(exc)) from None
    except ValueError:
        raise KeyStoreError(f"clearance: expected one of U, C, S, TS, got {clearance!r}") from None
    keys = load_keys(path, None)
    key_id = secrets.token_hex(4)
    while key_id in keys:
        key_id = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    entry = ApiKey(key_id, principal, level, digest(key), created)
    _write(path, [*keys.values(), entry])
    return entry, key


def revoke_key(path: Path, key_id: str) -> ApiKey:
    keys = load_keys(path, None)
    if key_id not in keys:
        raise KeyStoreError(f"key id: no key {key_id!r} in {path}; expected one of {', '.join(keys) or '(none)'}")
    removed = keys.pop(key_id)
    _write(path, list(keys.values()))
    return removed


def _write(path: Path, keys: Sequence[ApiKey]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({"keys": [k.to_json() for k in keys]}, indent=2) + "\n")
    tmp.chmod(0o600)
    os.replace(tmp, path)


class KeyRing:
    """The store as the server reads it: reloaded when the file changes, so a new or revoked key takes
    effect without a restart. Looked up by the presented key's SHA-256."""

    def __init__(self, path: Path, from_env: str | None) -> None:
        self._path, self._from_env = path, from_env
        self._stamp: tuple[int, int] | None = None
        self._by_digest: dict[str, ApiKey] = {}
        self._reload()

    def find(self, presented: str) -> ApiKey | None:
        self._reload()
        return self._by_digest.get(digest(presented))

    def _reload(self) -> None:
        if self._from_env:
            if self._stamp is None:
                self._by_digest = {k.sha256: k for k in load_keys(self._path, self._from_env).values()}
                self._stamp = (0, 0)
            return
        try:
            status = self._path.stat()
            stamp = (status.st_mtime_ns, status.st_size)
        except FileNotFoundError:
            stamp = (-1, -1)
        if stamp != self._stamp:
            self._by_digest = {k.sha256: k for k in load_keys(self._path, None).values()}
            self._stamp = stamp
