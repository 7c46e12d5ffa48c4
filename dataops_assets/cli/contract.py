"""`dataops contract`: a product's contract in standard formats."""

from __future__ import annotations

from pathlib import Path

import click

FORMATS = ("odcs",)


@click.group()
def contract() -> None:
    """Product contracts: the public models' schema, quality rules, SLA and ownership."""


@contract.command("export")
@click.argument("product_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="odcs", show_default=True,
              help="odcs: Open Data Contract Standard v3.1.0 YAML.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def export(product_id: str, fmt: str, output: Path | None) -> None:
    """Write the product's contract, validated against the format's schema first."""
    from dataops_assets.catalog.products import models_by_name, read_manifest, slos_by_product
    from dataops_assets.cli.products import load_catalog
    from dataops_assets.dbt.manifest import ensure_manifest
    from dataops_assets.governance.odcs import OdcsError, odcs_contract, to_yaml, validate_odcs
    from dataops_assets.quality.suite import SuiteError, load_suites
    from dataops_assets.settings import QUALITY_SUITES_DIR, REPO_ROOT, load_settings

    products = load_catalog()
    if product_id not in products:
        raise click.BadParameter(f"unknown product {product_id!r}; expected one of {', '.join(sorted(products))}",
                                 param_hint="ID")
    models = models_by_name(read_manifest(ensure_manifest(load_settings())))
    try:
        suites = load_suites(QUALITY_SUITES_DIR, models, REPO_ROOT, product_slos=slos_by_product(products))
        document = odcs_contract(products[product_id], models, suites)
        validate_odcs(document)
    except (SuiteError, OdcsError) as exc:
        raise click.ClickException(f"{product_id}: {exc}") from None
    text = to_yaml(document)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text)
    click.echo(f"{product_id}: ODCS {document['apiVersion']} contract written to {output}", err=True)
