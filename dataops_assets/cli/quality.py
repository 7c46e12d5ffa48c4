"""`dataops quality report`: what the latest checks found, per product, model and check."""

from __future__ import annotations

import json

import click

from dataops_assets.cli.instance_view import load_project_view, open_instance
from dataops_assets.quality.report import quality_report
from dataops_assets.settings import load_settings


@click.group()
def quality() -> None:
    """Quality checks and scores."""


@quality.command("report")
@click.option("--product", "product_id", default=None, help="Only this product (an id from `dataops products list`).")
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON document described in the README.")
def report(product_id: str | None, as_json: bool) -> None:
    """Latest check evaluations and quality scores from the Dagster instance."""
    settings = load_settings()
    view = load_project_view(settings)
    if product_id is not None and product_id not in view.products:
        raise click.BadParameter(f"unknown product {product_id!r}; expected one of {', '.join(view.products)}",
                                 param_hint="--product")
    selected = {product_id: view.products[product_id]} if product_id else view.products
    with open_instance(settings) as instance:
        document = quality_report(instance, view.asset_graph, selected, view.suites)
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
