"""`dataops summary`: per product, rows, check results, where the outputs are, how to open the UI."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import click
import dagster as dg

from dataops_assets.catalog.products import DataProduct
from dataops_assets.cli.instance_view import load_project_view, open_instance
from dataops_assets.quality.report import quality_report
from dataops_assets.quality.suite import Suite
from dataops_assets.settings import load_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of text.")
def summary(as_json: bool) -> None:
    """Summarise the latest materializations and checks of every product."""
    settings = load_settings()
    with open_instance(settings) as instance:
        view = load_project_view(settings)
        statuses = product_statuses(instance, view.asset_graph, view.products, view.suites)
    if as_json:
        click.echo(json.dumps({
            "warehouse": str(settings.warehouse_path),
            "products": [dataclasses.asdict(s) for s in statuses],
        }, indent=2))
        return
    for status in statuses:
        verdict = "ok" if status.checks_failed == 0 and status.checks_not_run == 0 else "ATTENTION"
        score = "-" if status.quality_score is None else f"{status.quality_score:g}/100"
        click.echo(f"{status.product_id}: quality {score}, checks {status.checks_passed} passed, "
                   f"{status.checks_failed} failed, {status.checks_not_run} not run [{verdict}]")
        for model in status.models:
            rows = "not materialized" if model.rows is None else f"{model.rows:,} rows"
            click.echo(f"    {model.model}: {rows} -> table main.{model.model}")
        for failed in status.failed_checks:
            click.echo(f"    FAILED {failed}")
    click.echo(f"\nOutputs: DuckDB warehouse {settings.warehouse_path}, e.g.\n"
               f"  .venv/bin/python -c \"import duckdb; duckdb.connect('{settings.warehouse_path}', read_only=True)"
               f".sql('select * from sales_daily_metrics limit 5').show()\"")
    click.echo("UI: DATAOPS_HOME=... make ui  (runs `dagster dev -w workspace.yaml`, then open http://127.0.0.1:3000)")


@dataclass(frozen=True)
class ModelStatus:
    model: str
    rows: int | None
    materialized_at: str | None


@dataclass(frozen=True)
class ProductStatus:
    product_id: str
    models: list[ModelStatus]
    quality_score: float | None = None
    checks_passed: int = 0
    checks_failed: int = 0
    checks_not_run: int = 0
    failed_checks: list[str] = field(default_factory=list)


def product_statuses(
    instance: dg.DagsterInstance, asset_graph, products: dict[str, DataProduct], suites: dict[str, Suite]
) -> list[ProductStatus]:
    """Latest materialization of each public model and the tally of the latest check results."""
    statuses = []
    for entry in quality_report(instance, asset_graph, products, suites)["products"]:
        checks = [(model["model"], check) for model in entry["models"] for check in model["checks"]]
        statuses.append(
            ProductStatus(
                product_id=entry["id"],
                models=[_model_status(instance, m) for m in products[entry["id"]].public_models],
                quality_score=entry["quality_score"],
                checks_passed=sum(c["status"] == "passed" for _, c in checks),
                checks_failed=sum(c["status"] == "failed" for _, c in checks),
                checks_not_run=sum(c["status"] == "not_run" for _, c in checks),
                failed_checks=sorted(f"{m}:{c['name']}" for m, c in checks if c["status"] == "failed"),
            )
        )
    return statuses


def _model_status(instance: dg.DagsterInstance, model: str) -> ModelStatus:
    event = instance.get_latest_materialization_event(dg.AssetKey(model))
    if event is None or event.asset_materialization is None:
        return ModelStatus(model=model, rows=None, materialized_at=None)
    row_count = event.asset_materialization.metadata.get("dagster/row_count")
    when = datetime.fromtimestamp(event.timestamp, tz=timezone.utc).isoformat(timespec="seconds")
    return ModelStatus(model=model, rows=row_count.value if row_count else None, materialized_at=when)
