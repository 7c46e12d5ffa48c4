"""`dataops slo report`: each product's SLIs against its spec's SLOs, with the error budget left."""

from __future__ import annotations

import datetime as dt
import json

import click

from dataops_assets.cli.instance_view import load_project_view, open_instance, select_products
from dataops_assets.settings import load_settings
from dataops_assets.slo.report import DEFAULT_WINDOW_DAYS, evaluate_slos


@click.group()
def slo() -> None:
    """Service level objectives: SLIs, error budgets (alerts: $DATAOPS_HOME/alerts.jsonl)."""


@slo.command("report")
@click.option("--product", "product_id", default=None, metavar="ID", help="Only this product.")
@click.option("--window", "window_days", type=click.IntRange(1, 3650), default=DEFAULT_WINDOW_DAYS,
              show_default=True, metavar="DAYS", help="Days of history the SLIs cover, ending now.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON document described in the README.")
def report(product_id: str | None, window_days: int, as_json: bool) -> None:
    """Availability, freshness, completeness and latency of each product beside its targets."""
    settings = load_settings()
    view = load_project_view(settings)
    selected = select_products(view, product_id)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    with open_instance(settings) as instance:
        document = evaluate_slos(instance, view.asset_graph, selected, view.suites, view.platform,
                                 settings.serving_requests_path, now, window_days)
    if as_json:
        click.echo(json.dumps(document, indent=2))
        return
    click.echo(f"SLOs over the last {window_days} days, at {document['generated_at']}")
    for entry in document["products"]:
        click.echo(f"{entry['id']}: {entry['status'].upper()} (refresh {entry['refresh_schedule']!r})")
        for sli in entry["slis"]:
            click.echo(f"  {sli['slo']:13} {_observed(sli):>16} target {sli['target']:g} {sli['unit']:8} "
                       f"{sli['status']:9}{_budget(sli)}")


def _observed(sli: dict) -> str:
    return "-" if sli["observed"] is None else f"{sli['observed']:g} {sli['unit']}"


def _budget(sli: dict) -> str:
    if sli["observed"] is None:
        return f" ({sli['reason']})"
    budget = sli["error_budget"]
    return f" budget left {budget['left']:g} of {budget['allowed']:g} {budget['unit']}"
