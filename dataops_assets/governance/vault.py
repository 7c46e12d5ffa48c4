"""Detokenizing: from a token a public model shows back to the value, for principals holding a PII grant.

Tokens and values live in the product's token vault, the dbt model `<product>_token_vault` (macros/masking.sql,
token_vault): private to the product, never published, so no consumer path (published files, REST, SQL views)
reaches it. Grants are explicit, per principal and product, kept in `$DATAOPS_HOME/pii_grants.json`
(owner-only); every grant, revocation, refusal and detokenization is appended to
`$DATAOPS_HOME/pii_access.jsonl`. Anyone who can read the warehouse file can read the vault: the grant
governs the platform's own paths, file permissions the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from dataops_assets.warehouse import open_warehouse

GRANTS_FILE = "pii_grants.json"
ACCESS_LOG = "pii_access.jsonl"
VAULT_SUFFIX = "_token_vault"
PRINCIPAL = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,99}$")
TOKEN = re.compile(r"^tok_[0-9a-f]{16}$")


class GrantRefused(PermissionError):
    """The principal holds no PII grant for the product."""


class VaultError(ValueError):
    """Bad input, a malformed grants file, or no vault to read."""


def vault_model(product: str) -> str:
    return f"{product}{VAULT_SUFFIX}"


def check_principal(principal: str) -> str:
    if not PRINCIPAL.match(principal or ""):
        raise VaultError(f"principal: expected lower-case letters, digits and . _ @ - (a team or an email), "
                         f"got {principal!r}")
    return principal


def load_grants(home: Path) -> dict[str, list[str]]:
    """Product -> principals granted its PII; {} without a grants file."""
    path = home / GRANTS_FILE
    if not path.exists():
        return {}
    try:
        grants = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise VaultError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); expected "
                         '{"<product>": ["<principal>", ...]}') from None
    if not (isinstance(grants, dict) and all(isinstance(v, list) and all(isinstance(p, str) for p in v)
                                             for v in grants.values())):
        raise VaultError(f'{path}: expected {{"<product>": ["<principal>", ...]}}, got {type(grants).__name__}')
    return grants


def grant(home: Path, product: str, principal: str, by: str) -> bool:
    """Grant `principal` the PII of `product`; False if it already held it."""
    return _change(home, product, check_principal(principal), by, add=True)


def revoke(home: Path, product: str, principal: str, by: str) -> bool:
    """Withdraw the grant; False if there was none."""
    return _change(home, product, check_principal(principal), by, add=False)


def detokenize(warehouse: Path, home: Path, product: str, principal: str, tokens: Sequence[str],
               duckdb_config: dict[str, Any] | None = None,
               spark_warehouse_dir: Path | None = None) -> dict[str, str | None]:
    """Token -> value (None for a token the vault never issued), only for a principal holding the grant:
    otherwise GrantRefused, logged like every detokenization."""
    check_principal(principal)
    malformed = [t for t in tokens if not TOKEN.match(t)]
    if not tokens or malformed:
        raise VaultError(f"tokens: expected one or more tokens like tok_0123456789abcdef, got "
                         f"{', '.join(map(repr, malformed)) or 'none'}")
    if principal not in load_grants(home).get(product, []):
        _log(home, "refused", product, principal, tokens=len(tokens))
        raise GrantRefused(f"detokenize: principal '{principal}' holds no PII grant for {product}; "
                           f"expected one given with `dataops pii grant {principal} --product {product}`")
    found = dict(_read_vault(warehouse, vault_model(product), tokens, duckdb_config or {}, spark_warehouse_dir))
    _log(home, "detokenized", product, principal, tokens=len(tokens), found=len(found))
    return {token: found.get(token) for token in tokens}


def _read_vault(warehouse: Path, relation: str, tokens: Iterable[str], config: dict[str, Any],
                spark_warehouse_dir: Path | None) -> list[tuple[str, str]]:
    try:
        with open_warehouse(warehouse, config, read_only=True, spark_warehouse_dir=spark_warehouse_dir) as con:
            if not con.execute("select count(*) from information_schema.tables where table_name = ?",
                               [relation]).fetchone()[0]:
                raise VaultError(f"{warehouse}: no table {relation}; expected a run to have built the product's "
                                 "token vault (it has one only if a pii_fields entry uses tokenize)")
            return con.execute(f'select token, value from "{relation}" where token in (select unnest(?))',
                               [list(tokens)]).fetchall()
    except duckdb.IOException as exc:
        raise VaultError(f"{warehouse}: cannot open the warehouse read-only ({str(exc).splitlines()[0]}); "
                         "expected no run to be writing it") from None


def _change(home: Path, product: str, principal: str, by: str, add: bool) -> bool:
    grants = load_grants(home)
    holders = grants.setdefault(product, [])
    if (principal in holders) == add:
        return False
    if add:
        holders.append(principal)
    else:
        holders.remove(principal)
    grants = {p: sorted(h) for p, h in sorted(grants.items()) if h}
    home.mkdir(parents=True, exist_ok=True)
    tmp = home / f".{GRANTS_FILE}.tmp"
    tmp.write_text(json.dumps(grants, indent=2) + "\n")
    tmp.chmod(0o600)
    os.replace(tmp, home / GRANTS_FILE)
    _log(home, "granted" if add else "revoked", product, principal, by=by)
    return True


def _log(home: Path, event: str, product: str, principal: str, **fields: Any) -> None:
    record = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "event": event,
              "product": product, "principal": principal, **fields}
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ACCESS_LOG, "a") as log:
        log.write(json.dumps(record) + "\n")
