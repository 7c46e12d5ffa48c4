"""`dataops quality report`: what the latest checks found, per product, model and check, and on the platform."""

from __future__ import annotations

import json

import click

from dataops_assets.cli.instance_view import load_project_view, open_instance, select_products
from dataops_assets.quality.report import quality_report
from dataops_assets.quality.run_causes import NO_SUITE
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
    selected = select_products(view, product_id)
    with open_instance(settings) as instance:
        document = quality_report(instance, view.asset_graph, selected, view.suites, view.platform)
    if as_json:
        click.echo(json.dumps(document, indent=2))
        return
    for entry in document["products"]:
        _echo_group(entry, entry["id"])
    _echo_group(document["platform"], f"{document['platform']['id']} (platform)")


def _echo_group(entry: dict, label: str) -> None:
    click.echo(f"{label}: quality score {_score(entry['quality_score'], entry['score_reason'])}")
    for model in entry["models"]:
        dims = ", ".join(f"{d} {v:g}" for d, v in model["dimensions"].items())
        # When blocked, the `blocked by` line below says why there is no score.
        reason = None if model["blocked_by"] else model["score_reason"]
        score = "" if model["score_reason"] == NO_SUITE else f": score {_score(model['quality_score'], reason)}"
        click.echo(f"  {model['model']}{score}" + (f" ({dims})" if dims else ""))
        if model["blocked_by"]:
            click.echo(f"    blocked by {', '.join(model['blocked_by'])}")
        for check in model["checks"]:
            unexpected = "" if check["unexpected_count"] is None else f" unexpected {check['unexpected_count']}"
            click.echo(f"    {check['status'].upper():7} {check['severity'] or '-':5} "
                       f"{check['dimension'] or '-':12} {check['name']}{unexpected}")


def _score(score: float | None, reason: str | None) -> str:
    if score is not None:
        return f"{score:g}/100"
    return f"- ({reason})" if reason else "-"
