"""The dbt project as Dagster assets: one multi-asset per partitions definition, specs for the landing tables."""

import importlib.metadata
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliInvocation, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from dataops_assets.catalog.spec import Partitioning
from dataops_assets.dbt.manifest import target_path
from dataops_assets.dbt.spark import spark_unavailable
from dataops_assets.dbt.translator import LANDING_GROUP, PLATFORM_GROUP, DataProductTranslator
from dataops_assets.settings import DUCKDB_POOL, Settings
from dataops_assets.warehouse import connect_warehouse


class InstalledDbtCliResource(DbtCliResource):
    """DbtCliResource that knows its dbt version without running `dbt --version`.

    The resource asks the executable once per process (1.6 s here, three times per full run);
    the executable is the venv's own (dbt_executable()), so the installed dbt-core is its version.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def release_dbt_duckdb_lock() -> None:
    """Close the DuckDB handle dbt's adapter keeps open in this process after metadata queries.

    Without this an in-process run holds the file lock and the next dbt subprocess cannot open it.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager._ENV.close()
    DuckDBConnectionManager.close_all_connections()


def landing_keys_upstream(asset_deps: Mapping[dg.AssetKey, Iterable[dg.AssetKey]],
                          selected: Iterable[dg.AssetKey]) -> set[dg.AssetKey]:
    """Landing tables the selected models read, directly or through views and other models."""
    found, seen, stack = set(), set(), list(selected)
    while stack:
        for dep in asset_deps.get(stack.pop(), ()):
            if dep.path[0] == LANDING_GROUP:
                found.add(dep)
            elif dep not in seen:
                seen.add(dep)
                stack.append(dep)
    return found


# A run whose dbt step left models out because landing tables they read are missing or bad: which, and why.
BLOCKED_TAG = "dataops/blocked_by_landing"
MAX_TAG_LENGTH = 4000


def blocked_message(blocked: set[dg.AssetKey], problems: Mapping[dg.AssetKey, list[str]],
                    specs: Mapping[dg.AssetKey, dg.AssetSpec]) -> str:
    """One line: the products (else the staging models) left unbuilt, and the landing problems why."""
    groups = sorted({specs[k].group_name for k in blocked if specs[k].group_name not in (None, PLATFORM_GROUP)})
    what = (f"products {', '.join(groups)}" if groups
            else f"models {', '.join(sorted(k.to_user_string() for k in blocked))}")
    reasons = "; ".join(p for key in sorted(problems, key=lambda k: k.to_user_string()) for p in problems[key])
    return f"blocked: {what} not built (they read unusable landing tables): {reasons}"


@dataclass(frozen=True)
class DbtSelection:
    """The dbt selection of one partitions definition's step, and the adapter it runs on."""

    select: str
    exclude: str | None
    adapter_type: str
    # Spark: the staging and intermediate tables the step's models read, rebuilt before them (dbt --select form).
    refresh: str | None = None


def build_dbt_run_assets(
    project: DbtProject,
    translator: DataProductTranslator,
    partitioning: Partitioning,
    selection: DbtSelection,
    partitions_def: dg.TimeWindowPartitionsDefinition | None,
    settings: Settings,
    landing_problems: Callable[[set[dg.AssetKey]], dict[dg.AssetKey, list[str]]],
    project_deps: Mapping[dg.AssetKey, Iterable[dg.AssetKey]],
    while_dbt_runs: Callable[[], object] = lambda: None,
    check_masking_key: Callable[[set[dg.AssetKey]], None] = lambda keys: None,
) -> dg.AssetsDefinition:
    """Every model of one partitions definition as one step: one dbt invocation per run.

    Blocking happens at publication (write-audit-publish), so products need no step boundary
    between them. A partitioned run passes its time window to dbt (a single-run backfill passes
    the whole range). `landing_problems` vets the landing tables the selected models read first, through
    any model of the project (`project_deps`: every dbt asset's upstream keys, across steps): a
    missing or bad table blocks only the models that read it (their products are named in the log and
    the run's BLOCKED_TAG), and dbt builds the rest; `while_dbt_runs` starts work this process can do
    while it waits for dbt.
    """

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        select=selection.select,
        exclude=selection.exclude,
        name=f"dbt_{partitioning.value}",
        partitions_def=partitions_def,
        pool=DUCKDB_POOL,
    )
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        selected = set(context.selected_asset_keys)
        deps = project_deps  # a model may read landing tables through another step's models
        problems = landing_problems(landing_keys_upstream(deps, selected))
        blocked = {key for key in selected if landing_keys_upstream(deps, [key]) & problems.keys()}
        if blocked:
            message = blocked_message(blocked, problems, context.assets_def.specs_by_key)
            if blocked == selected:
                raise dg.Failure(description=message, allow_retries=False)
            context.log.error(message)
            context.instance.add_run_tags(context.run.run_id, {BLOCKED_TAG: message[:MAX_TAG_LENGTH]})
        try:
            check_masking_key(selected - blocked)
        except ValueError as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from None
        if selection.adapter_type == "spark" and (unavailable := spark_unavailable()):
            raise dg.Failure(description=unavailable, allow_retries=False)
        window = context.partition_time_window if partitions_def is not None else None
        # Unusable landing tables and everything built from them stay out of the build.
        # One --exclude value (dbt's union of space-separated selectors): dagster-dbt reads one value a flag.
        excluded = ["--exclude", " ".join(sorted(f"source:{k.path[1]}.{k.path[2]}+" for k in problems))] if problems else []
        with dbt_environment(settings, window):
            if selection.refresh:
                refresh_spark_upstream(dbt, project, selection, excluded, context)
            # dbt unit tests check model logic on fixed rows, not the data: `make test` runs them.
            # A failed test does not fail the step: its result gates the model's publication.
            invocation = dbt.cli(["build", "--exclude-resource-type", "unit_test", *excluded], context=context,
                                 raise_on_error=False)
        while_dbt_runs()
        try:
            if selection.adapter_type == "spark":
                yield from spark_row_counts(invocation, settings)
            else:
                yield from invocation.stream().fetch_row_counts().fetch_column_metadata()
        finally:
            if selection.adapter_type == "duckdb":
                release_dbt_duckdb_lock()
        unbuilt = unbuilt_models(invocation)
        if unbuilt:
            raise dg.Failure(description=f"dbt build left models unbuilt, nothing of this step publishes: {unbuilt}")

    return dbt_models


def refresh_spark_upstream(dbt: DbtCliResource, project: DbtProject, selection: DbtSelection, excluded: list[str],
                           context: dg.AssetExecutionContext) -> None:
    """`dbt run` of the staging and intermediate tables the step's models read (selection.refresh): on Spark
    they are tables the unpartitioned step builds (dbt_project.yml), and a partitioned run must read the
    landing zone as it is now, as DuckDB's views do. Other products' models are not rebuilt: they publish
    through their own audit. A failure fails the step: its models would read stale rows."""
    context.log.info(f"refreshing the staging and intermediate tables {selection.select} read (spark target)")
    invocation = dbt.cli(["run", "--select", selection.refresh, *excluded], manifest=project.manifest_path,
                         raise_on_error=False)
    invocation.wait()
    if not invocation.is_successful():
        raise dg.Failure(description=f"dbt run of the tables {selection.select} read failed: "
                                     f"{unbuilt_models(invocation) or invocation.get_error()}", allow_retries=False)


def spark_row_counts(invocation: DbtCliInvocation, settings: Settings) -> Iterator[Any]:
    """The step's events, each built table's with its row count, read from Spark's files through the warehouse
    seam once dbt is done. dagster-dbt's fetch_row_counts (and fetch_column_metadata) would start a Spark session
    in this process: ~10 s of JVM start per step, holding the Derby metastore the next dbt step needs."""
    events = list(invocation.stream())
    with connect_warehouse(settings, read_only=True) as con:
        counted = [_with_row_count(con, event, invocation.manifest["nodes"]) for event in events]
    yield from counted


def _with_row_count(con: duckdb.DuckDBPyConnection, event: Any, nodes: Mapping[str, Any]) -> Any:
    """A model's Output with `dagster/row_count` (not a view's, as dagster-dbt does); any other event as it is."""
    unique_id = event.metadata.get("unique_id") if isinstance(event, dg.Output) else None
    node = nodes.get(getattr(unique_id, "value", unique_id))
    if not node or node["config"].get("materialized") == "view":
        return event
    try:
        rows = con.execute(f"select count(*) from {node['relation_name']}").fetchone()[0]
    except duckdb.Error:  # a table with no files yet: no count, as dagster-dbt leaves it
        return event
    return event.with_metadata({**event.metadata, "dagster/row_count": dg.MetadataValue.int(rows)})


def dbt_run_env(settings: Settings, window: dg.TimeWindow | None) -> dict[str, str]:
    """The variables a dbt build reads (settings, partition window; empty: every partition), with the
    spill folder's parent created: DuckDB creates its spill folder but not the folders above it."""
    values = {
        **settings.dbt_env(),
        # dagster-dbt's per-invocation target folders and the partial parse file they start from: the target's own
        "DBT_TARGET_PATH": target_path(settings.target),
        "DATAOPS_WINDOW_START": window.start.strftime("%Y-%m-%d") if window else "",
        "DATAOPS_WINDOW_END": window.end.strftime("%Y-%m-%d") if window else "",
    }
    Path(values["DATAOPS_DUCKDB_TEMP_DIR"]).parent.mkdir(parents=True, exist_ok=True)
    return values


@contextmanager
def dbt_environment(settings: Settings, window: dg.TimeWindow | None) -> Iterator[None]:
    """os.environ as the dbt subprocess must see it (dagster-dbt copies it when starting dbt).

    The window is always set, empty for unpartitioned steps, so an in-process run never leaks one
    step's window into the next; the previous values come back afterwards.
    """
    values = dbt_run_env(settings, window)
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def unbuilt_models(invocation: DbtCliInvocation) -> str:
    """'' when dbt built every selected model; else which models failed or were skipped, and why."""
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except FileNotFoundError:
        return f"dbt exited with code {invocation.process.returncode} before running anything"
    unbuilt = [r for r in results if r["unique_id"].startswith("model.") and r["status"] in ("error", "skipped")]
    failed_tests = [r for r in results if r["unique_id"].startswith("test.") and r["status"] in ("error", "fail")]
    if not unbuilt:
        return ""
    described = ", ".join(f"{r['unique_id'].split('.')[-1]} ({r['status']})" for r in unbuilt)
    if failed_tests:
        described += "; failed tests: " + ", ".join(r["unique_id"].split(".")[2] for r in failed_tests)
    return described


def build_landing_specs(
    manifest: Mapping[str, Any], translator: DataProductTranslator, settings: Settings
) -> list[dg.AssetSpec]:
    """One external asset per landing table, so lineage in the UI starts at the files."""
    specs = []
    for unique_id, source in sorted(manifest["sources"].items()):
        dbt_spec = translator.get_asset_spec(manifest, unique_id, None)
        path = settings.landing_dir / source["source_name"] / source["name"]
        specs.append(
            dg.AssetSpec(
                key=dbt_spec.key,
                group_name=dbt_spec.group_name,
                owners=dbt_spec.owners,
                description=source.get("description") or source.get("source_description") or None,
                kinds={"parquet"},
                metadata={"dataops/landing_path": dg.MetadataValue.path(str(path))},
            )
        )
    return specs
