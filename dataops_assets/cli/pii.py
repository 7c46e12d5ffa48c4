"""`dataops pii`: explicit PII grants and detokenizing through the token vault (governance/vault.py)."""

from __future__ import annotations

import json

import click


@click.group()
def pii() -> None:
    """PII grants: who may turn a product's tokens back into values."""


def _tokenizing_product(product_id: str):
    from dataops_assets.cli.products import load_catalog, require_product

    product = require_product(load_catalog(), product_id, "--product")
    if not any(f.masking.value == "tokenize" for f in product.spec.pii_fields):
        raise click.BadParameter(f"product {product_id!r} tokenizes no PII field, so it has no token vault; "
                                 "expected a product with a pii_fields entry using tokenize", param_hint="--product")
    return product


@pii.command("grant")
@click.argument("principal")
@click.option("--product", "product_id", required=True, help="The product whose PII the principal may read.")
def grant_command(principal: str, product_id: str) -> None:
    """Grant PRINCIPAL (a team or an email) the PII of a product: `dataops pii detokenize` then answers it."""
    _change(principal, product_id, add=True)


@pii.command("revoke")
@click.argument("principal")
@click.option("--product", "product_id", required=True, help="The product whose grant is withdrawn.")
def revoke_command(principal: str, product_id: str) -> None:
    """Withdraw PRINCIPAL's PII grant for a product."""
    _change(principal, product_id, add=False)


def _change(principal: str, product_id: str, add: bool) -> None:
    from dataops_assets.cli.datasets import actor
    from dataops_assets.governance.vault import VaultError, grant, revoke
    from dataops_assets.settings import load_settings

    product = _tokenizing_product(product_id)
    try:
        changed = (grant if add else revoke)(load_settings().home, product.id, principal, actor())
    except VaultError as exc:
        raise click.ClickException(str(exc)) from None
    verb = "granted" if add else "revoked"
    click.echo(f"{principal}: PII of {product.id} {verb}" if changed else
               f"{principal}: {'already holds' if add else 'holds no'} a PII grant for {product.id}; nothing changed")


@pii.command("grants")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of one line per product.")
def grants_command(as_json: bool) -> None:
    """Who holds a PII grant, per product."""
    from dataops_assets.governance.vault import VaultError, load_grants
    from dataops_assets.settings import load_settings

    try:
        grants = load_grants(load_settings().home)
    except VaultError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(grants, indent=2))
        return
    for product, principals in sorted(grants.items()):
        click.echo(f"{product}: {', '.join(principals)}")
    if not grants:
        click.echo("no PII grants")


@pii.command("detokenize")
@click.argument("tokens", nargs=-1, required=True)
@click.option("--product", "product_id", required=True, help="The product that issued the tokens.")
@click.option("--principal", required=True, help="Who asks; must hold the product's PII grant.")
@click.option("--json", "as_json", is_flag=True, help="Print {token: value} as JSON.")
def detokenize_command(tokens: tuple[str, ...], product_id: str, principal: str, as_json: bool) -> None:
    """The values behind TOKENS (as a public model shows them), for a PRINCIPAL holding the product's PII
    grant; refused (exit 1) otherwise. Every request is logged in $DATAOPS_HOME/pii_access.jsonl."""
    from dataops_assets.governance.vault import GrantRefused, VaultError, detokenize
    from dataops_assets.settings import load_settings
    from dataops_assets.warehouse import spark_tables_dir

    settings = load_settings()
    product = _tokenizing_product(product_id)
    try:
        values = detokenize(settings.warehouse_path, settings.home, product.id, principal, list(tokens),
                            settings.duckdb_config, spark_tables_dir(settings))
    except (GrantRefused, VaultError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(values, indent=2))
        return
    for token, value in values.items():
        click.echo(f"{token}\t{value if value is not None else '(unknown token)'}")
