"""`dataops summary`: rows and checks per product and for the platform, where the outputs are, the UI."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import click
import dagster as dg

from dataops_assets.cli.instance_view import ProjectView, load_project_view, open_instance
from dataops_assets.quality.report import quality_report
from dataops_assets.quality.run_causes import NO_SUITE
from dataops_assets.settings import load_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of text.")
def summary(as_json: bool) -> None:
    """Summarise the latest materializations and checks of every product and of the platform layer."""
    settings = load_settings()
    with open_instance(settings) as instance:
        statuses, platform = project_statuses(instance, load_project_view(settings))
    if as_json:
        click.echo(json.dumps({
            "warehouse": str(settings.warehouse_path),
            "products": [dataclasses.asdict(s) for s in statuses],
            "platform": dataclasses.asdict(platform),
        }, indent=2))
        return
    for status in statuses:
        click.echo("\n".join(_status_lines(status, status.product_id, show_models=True)))
    click.echo("\n".join(_status_lines(platform, f"{platform.product_id} (platform)", show_models=False)))
    click.echo(f"\nOutputs: DuckDB warehouse {settings.warehouse_path}, e.g.\n"
               f"  .venv/bin/python -c \"import duckdb; duckdb.connect('{settings.warehouse_path}', read_only=True)"
               f".sql('select * from sales_daily_metrics limit 5').show()\"")
    click.echo("UI: DATAOPS_HOME=... make ui  (runs `dagster dev -w workspace.yaml`, then open http://127.0.0.1:3000)")


def _status_lines(status: ProductStatus, label: str, show_models: bool) -> list[str]:
    verdict = "BLOCKED" if status.blocked_by else "ATTENTION" if status.checks_failed or status.checks_not_run else "ok"
    if status.score_reason == NO_SUITE:
        quality = ""
    elif status.quality_score is None:
        quality = f"quality - ({status.score_reason}), "
    else:
        quality = f"quality {status.quality_score:g}/100, "
    lines = [f"{label}: {quality}checks {status.checks_passed} passed, {status.checks_failed} failed, "
             f"{status.checks_not_run} not run [{verdict}]"]
    if status.blocked_by and "blocked by" not in quality:
        lines.append(f"    blocked by {', '.join(status.blocked_by)}")
    for model in status.models if show_models else ():
        rows = "not materialized" if model.rows is None else f"{model.rows:,} rows"
        lines.append(f"    {model.model}: {rows} -> table main.{model.model}")
    lines.extend(f"    FAILED {failed}" for failed in status.failed_checks)
    return lines


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
    blocked_by: list[str] = field(default_factory=list)  # failed blocking checks (or steps) that stopped its checks
    score_reason: str | None = None  # why quality_score is null


def project_statuses(instance: dg.DagsterInstance, view: ProjectView) -> tuple[list[ProductStatus], ProductStatus]:
    """Each product's status and the platform layer's, from one quality report."""
    report = quality_report(instance, view.asset_graph, view.products, view.suites, view.platform)
    products = [_status(instance, entry, view.products[entry["id"]].public_models) for entry in report["products"]]
    return products, _status(instance, report["platform"], view.platform.models)


def _status(instance: dg.DagsterInstance, entry: dict, shown_models: tuple[str, ...]) -> ProductStatus:
    """The latest materialization of each shown model and the tally of the entry's latest check results."""
    checks = [(model["model"], check) for model in entry["models"] for check in model["checks"]]
    return ProductStatus(
        product_id=entry["id"],
        models=[_model_status(instance, m) for m in shown_models],
        quality_score=entry["quality_score"],
        checks_passed=sum(c["status"] == "passed" for _, c in checks),
        checks_failed=sum(c["status"] == "failed" for _, c in checks),
        checks_not_run=sum(c["status"] == "not_run" for _, c in checks),
        failed_checks=sorted(f"{m}:{c['name']}" for m, c in checks if c["status"] == "failed"),
        blocked_by=entry["blocked_by"],
        score_reason=entry["score_reason"],
    )


def _model_status(instance: dg.DagsterInstance, model: str) -> ModelStatus:
    event = instance.get_latest_materialization_event(dg.AssetKey(model))
    if event is None or event.asset_materialization is None:
        return ModelStatus(model=model, rows=None, materialized_at=None)
    row_count = event.asset_materialization.metadata.get("dagster/row_count")
    when = datetime.fromtimestamp(event.timestamp, tz=timezone.utc).isoformat(timespec="seconds")
    return ModelStatus(model=model, rows=row_count.value if row_count else None, materialized_at=when)
