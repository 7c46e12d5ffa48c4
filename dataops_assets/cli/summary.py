"""`dataops summary`: rows and checks per product and for the platform, where the outputs are, the UI."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import click
import dagster as dg

from dataops_assets.cli.instance_view import ProjectView, load_project_view, open_instance
from dataops_assets.publish.records import current_publication
from dataops_assets.quality.report import quality_report
from dataops_assets.quality.run_causes import NO_SUITE
from dataops_assets.settings import load_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of text.")
def summary(as_json: bool) -> None:
    """Summarise the latest materializations and checks of every product and of the platform layer."""
    settings = load_settings()
    with open_instance(settings) as instance:
        statuses, platform = project_statuses(instance, load_project_view(settings), settings.published_dir)
    if as_json:
        click.echo(json.dumps({
            "warehouse": str(settings.write_zone),
            "products": [dataclasses.asdict(s) for s in statuses],
            "platform": dataclasses.asdict(platform),
        }, indent=2))
        return
    for status in statuses:
        click.echo("\n".join(_status_lines(status, status.product_id, show_models=True)))
    click.echo("\n".join(_status_lines(platform, f"{platform.product_id} (platform)", show_models=False)))
    click.echo(f"\nPublished (what consumers read): {settings.published_dir}/<product>/<model>/v=<n>/, the file "
               f"`current` names the readable version; `dataops published list` shows each one.")
    click.echo(f"Write zone (dbt builds here; consumers do not read it): {settings.write_zone}")
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
        rows = "not materialized" if model.rows is None else f"{model.rows:,} rows in the warehouse"
        if model.partitions_materialized is not None:
            count = model.partitions_materialized
            rows += f" ({count} partition{'' if count == 1 else 's'})"
        published = "not published" if model.published_version is None else f"published v={model.published_version}"
        lines.append(f"    {model.model}: {rows}, {published}")
    lines.extend(f"    FAILED {failed}" for failed in status.failed_checks)
    return lines


@dataclass(frozen=True)
class ModelStatus:
    model: str
    rows: int | None  # the warehouse table's rows after its latest build
    materialized_at: str | None
    partitions_materialized: int | None = None  # None: unpartitioned
    published_version: int | None = None  # the version consumers read; None: never published


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


def project_statuses(
    instance: dg.DagsterInstance, view: ProjectView, published_dir: Path
) -> tuple[list[ProductStatus], ProductStatus]:
    """Each product's status and the platform layer's, from one quality report."""
    report = quality_report(instance, view.asset_graph, view.products, view.suites, view.platform)

    def model_status(group: str, model: str) -> ModelStatus:
        return _model_status(instance, view.asset_graph, group, model, published_dir)

    products = [_status(entry, [model_status(entry["id"], m) for m in view.products[entry["id"]].public_models])
                for entry in report["products"]]
    platform = _status(report["platform"], [model_status(view.platform.id, m) for m in view.platform.models])
    return products, platform


def _status(entry: dict, models: list[ModelStatus]) -> ProductStatus:
    """The latest materialization of each shown model and the tally of the entry's latest check results."""
    checks = [(model["model"], check) for model in entry["models"] for check in model["checks"]]
    return ProductStatus(
        product_id=entry["id"],
        models=models,
        quality_score=entry["quality_score"],
        checks_passed=sum(c["status"] == "passed" for _, c in checks),
        checks_failed=sum(c["status"] == "failed" for _, c in checks),
        checks_not_run=sum(c["status"] == "not_run" for _, c in checks),
        failed_checks=sorted(f"{m}:{c['name']}" for m, c in checks if c["status"] == "failed"),
        blocked_by=entry["blocked_by"],
        score_reason=entry["score_reason"],
    )


def _model_status(instance: dg.DagsterInstance, asset_graph, group: str, model: str, published_dir: Path) -> ModelStatus:
    key = dg.AssetKey(model)
    event = instance.get_latest_materialization_event(key)
    publication = current_publication(published_dir, group, model)
    partitioned = asset_graph.has(key) and asset_graph.get(key).partitions_def is not None
    if event is None or event.asset_materialization is None:
        return ModelStatus(model=model, rows=None, materialized_at=None)
    row_count = event.asset_materialization.metadata.get("dagster/row_count")
    when = datetime.fromtimestamp(event.timestamp, tz=timezone.utc).isoformat(timespec="seconds")
    return ModelStatus(
        model=model,
        rows=row_count.value if row_count else None,
        materialized_at=when,
        partitions_materialized=len(instance.get_materialized_partitions(key)) if partitioned else None,
        published_version=publication.version if publication else None,
    )
