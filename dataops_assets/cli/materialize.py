"""`dataops materialize`: one `dagster asset materialize` per partitions definition, every asset covered."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import click

from dataops_assets.catalog.spec import Partitioning
from dataops_assets.cli.partition_plan import PlannedRun, plan_runs
from dataops_assets.dbt.partitions import partition_keys
from dataops_assets.dbt.spark import spark_unavailable
from dataops_assets.project import LOAD_ERRORS, load_project
from dataops_assets.settings import REPO_ROOT, load_settings

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def dagster_command(run: PlannedRun, log_level: str) -> list[str]:
    config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    return [str(Path(sys.executable).parent / "dagster"), "asset", "materialize",
            "-m", "dataops_assets.definitions", "-a", "defs", *run.cli_args(), "--config-json", json.dumps(config)]


def blocked_since(started: float) -> list[str]:
    """What the dbt steps of runs created since `started` left unbuilt for unusable landing tables."""
    import dagster as dg

    from dataops_assets.dbt.assets import BLOCKED_TAG

    with dg.DagsterInstance.from_config(str(load_settings().instance_dir)) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(created_after=dt.datetime.fromtimestamp(started, dt.timezone.utc)))
        return [run.tags[BLOCKED_TAG] for run in runs if BLOCKED_TAG in run.tags]


def used_partition_keys() -> dict[Partitioning, list[str]]:
    """Partition keys of every partitions definition some product uses."""
    settings = load_settings()
    used = {p.partitioning for p in load_project(settings).products.values()}
    return {p: keys for p, keys in partition_keys(settings).items() if p in used}


@click.command()
@click.option("--partition", default="", metavar="YYYY-MM-DD",
              help="Run that day's partition (daily) and the month holding it (monthly).")
@click.option("--partition-range", default="", metavar="START...END|all",
              help="Run every partition between two days, as one run per partitions definition; all: every partition.")
@click.option("--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False), default="INFO", show_default=True)
@click.option("--dry-run", is_flag=True, help="Print the dagster commands instead of running them.")
def materialize(partition: str, partition_range: str, log_level: str, dry_run: bool) -> None:
    """Materialize every asset: the unpartitioned ones, then each partitions definition's (latest
    partition by default). Runs go on after one fails; the exit code is 1 if any failed."""
    try:
        unavailable = spark_unavailable() if load_settings().target == "spark" else None
        if unavailable:  # before parsing: a Spark manifest needs dbt-spark
            raise click.ClickException(unavailable)
        runs = plan_runs(used_partition_keys(), partition.strip(), partition_range.strip())
    except LOAD_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    failed = []
    for run in runs:
        command = dagster_command(run, log_level.upper())
        click.echo(f"==> dagster asset materialize {' '.join(run.cli_args())}", err=True)
        if dry_run:
            click.echo(" ".join(command))
            continue
        started = time.time()
        if subprocess.run(command, env=env, cwd=REPO_ROOT).returncode != 0:
            failed.append(" ".join(run.cli_args()))
            continue
        # The run built and published every product but those an unusable landing table blocked.
        failed += [f"{' '.join(run.cli_args())} ({blocked})" for blocked in blocked_since(started)]
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(runs)} runs failed or left products blocked: {'; '.join(failed)}")
