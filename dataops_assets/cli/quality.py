"""`dataops quality report`: what the latest checks found, per product, model and check."""

from __future__ import annotations

import json

import click
import dagster as dg

from dataops_assets.catalog.products import load_products, models_by_name, read_manifest
from dataops_assets.dbt.manifest import ensure_manifest
from dataops_assets.quality.report import quality_report
from dataops_assets.quality.suite import load_suites
from dataops_assets.settings import QUALITY_SUITES_DIR, REPO_ROOT, load_settings


@click.group()
def quality() -> None:
    """Quality checks and scores."""


@quality.command("report")
@click.option("--product", "product_id", default=None, help="Only this product (an id from `dataops products list`).")
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON document described in the README.")
def report(product_id: str | None, as_json: bool) -> None:
    """Latest check evaluations and quality scores from the Dagster instance."""
    from dataops_assets.definitions import build_definitions

    settings = load_settings()
    manifest = read_manifest(ensure_manifest(settings))
    products = load_products(manifest)
    if product_id is not None and product_id not in products:
        raise click.BadParameter(f"unknown product {product_id!r}; expected one of {', '.join(products)}",
                                 param_hint="--product")
    if not settings.instance_dir.exists():
        raise click.ClickException(f"{settings.instance_dir}: no Dagster instance; expected `make materialize` first")
    selected = {product_id: products[product_id]} if product_id else products
    models = models_by_name(manifest)
    suites = load_suites(QUALITY_SUITES_DIR, models, REPO_ROOT)
    asset_graph = build_definitions(settings).resolve_asset_graph()
    with dg.DagsterInstance.from_config(str(settings.instance_dir)) as instance:
        document = quality_report(instance, asset_graph, selected, suites)
    if as_json:
        click.echo(json.dumps(document, indent=2))
        return
    for product in document["products"]:
        click.echo(f"{product['id']}: quality score {_score(product['quality_score'])}")
        for model in product["models"]:
            dims = ", ".join(f"{d} {v:g}" for d, v in model["dimensions"].items())
            click.echo(f"  {model['model']}: score {_score(model['quality_score'])}" + (f" ({dims})" if dims else ""))
            for check in model["checks"]:
                unexpected = "" if check["unexpected_count"] is None else f" unexpected {check['unexpected_count']}"
                click.echo(f"    {check['status'].upper():7} {check['severity'] or '-':5} "
                           f"{check['dimension'] or '-':12} {check['name']}{unexpected}")


def _score(score: float | None) -> str:
    return "-" if score is None else f"{score:g}/100"
