"""`dataops api-key`: create, list and revoke the serving layer's API keys (stored hashed)."""

from __future__ import annotations

import json

import click

from dataops_assets.serving.keys import KeyStoreError, create_key, load_keys, revoke_key
from dataops_assets.settings import load_settings


@click.group("api-key")
def api_key() -> None:
    """API keys for `dataops serve` ($DATAOPS_HOME/api_keys.json, or DATAOPS_API_KEYS)."""


@api_key.command("create")
@click.argument("principal")
@click.option("--clearance", type=click.Choice(["U", "C", "S", "TS"]), required=True,
              help="The highest classification the key may read.")
@click.option("--json", "as_json", is_flag=True, help='Print {"id", "principal", "clearance", "key"}.')
def create(principal: str, clearance: str, as_json: bool) -> None:
    """A new key for PRINCIPAL (a team or an email); the key is printed once and only its hash is kept.
    Its PII grant is the principal's: `dataops pii grant PRINCIPAL --product ID`."""
    settings = _file_store()
    try:
        entry, key = create_key(settings.api_keys_path, principal, clearance)
    except KeyStoreError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"id": entry.id, "principal": entry.principal, "clearance": entry.clearance.value,
                               "key": key}))
    else:
        click.echo(key)
        click.echo(f"key {entry.id} for {entry.principal}, clearance {entry.clearance.value}: shown once, "
                   "store it now", err=True)


@api_key.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the keys (id, principal, clearance, created_at) as JSON.")
def list_keys(as_json: bool) -> None:
    """The keys in the store (never the keys themselves)."""
    settings = load_settings()
    try:
        keys = load_keys(settings.api_keys_path, settings.api_keys_json)
    except KeyStoreError as exc:
        raise click.ClickException(str(exc)) from None
    entries = [{k: v for k, v in key.to_json().items() if k != "sha256"} for key in keys.values()]
    if as_json:
        click.echo(json.dumps(entries, indent=2))
        return
    for entry in entries:
        click.echo(f"{entry['id']}  {entry['clearance']:2}  {entry['principal']}  {entry['created_at']}")


@api_key.command("revoke")
@click.argument("key_id")
def revoke(key_id: str) -> None:
    """Remove the key with this id: a running server refuses it from its next request."""
    settings = _file_store()
    try:
        removed = revoke_key(settings.api_keys_path, key_id)
    except KeyStoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"revoked key {removed.id} of {removed.principal}")


def _file_store():
    settings = load_settings()
    if settings.api_keys_json:
        raise click.ClickException("DATAOPS_API_KEYS is set: the keys come from it; edit it there, or unset it to "
                                   f"use {settings.api_keys_path}")
    return settings
