"""`dataops summary`: per product, rows, check results, where the outputs are, how to open the UI."""

from __future__ import annotations

import dataclasses
import json

import click
import dagster as dg

from dataops_assets.catalog.products import load_products, models_by_name, read_manifest
from dataops_assets.dbt.manifest import ensure_manifest
from dataops_assets.quality.suite import load_suites
from dataops_assets.runs.status import product_statuses
from dataops_assets.settings import QUALITY_SUITES_DIR, REPO_ROOT, load_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of text.")
def summary(as_json: bool) -> None:
    """Summarise the latest materializations and checks of every product."""
    from dataops_assets.definitions import build_definitions

    settings = load_settings()
    if not (settings.instance_dir / "dagster.yaml").exists() and not settings.instance_dir.exists():
        raise click.ClickException(f"{settings.instance_dir}: no Dagster instance; expected `make materialize` first")
    manifest = read_manifest(ensure_manifest(settings))
    products = load_products(manifest)
    suites = load_suites(QUALITY_SUITES_DIR, models_by_name(manifest), REPO_ROOT)
    asset_graph = build_definitions(settings).resolve_asset_graph()
    with dg.DagsterInstance.from_config(str(settings.instance_dir)) as instance:
        statuses = product_statuses(instance, asset_graph, products, suites)
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
