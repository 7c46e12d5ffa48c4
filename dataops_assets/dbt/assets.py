"""The dbt project as Dagster assets: one multi-asset for the models, specs for the landing tables."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from dataops_assets.dbt.translator import LANDING_GROUP, DataProductTranslator
from dataops_assets.settings import DUCKDB_POOL, Settings, export_dbt_env


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


def build_dbt_group_assets(
    project: DbtProject,
    translator: DataProductTranslator,
    group: str,
    settings: Settings,
    check_landing: Callable[[set[dg.AssetKey]], None],
) -> dg.AssetsDefinition:
    """The models of one dbt group (a product, or the staging layer) as one step.

    One step per group puts a step boundary between a product and the products consuming it,
    so a failed blocking quality check on its outputs stops them. `check_landing` vets the
    landing tables the selected models read before dbt starts; the dbt subprocess gets the
    settings' paths and as-of instant through its environment.
    """

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        select=f"group:{group}",
        name=f"dbt_{group}",
        pool=DUCKDB_POOL,
    )
    def dbt_group(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        landing = landing_keys_upstream(context.assets_def.asset_deps, context.selected_asset_keys)
        try:
            check_landing(landing)
        except ValueError as exc:
            raise dg.Failure(description=str(exc)) from None
        export_dbt_env(settings)
        try:
            # dbt unit tests check model logic on fixed rows, not the data: `make test` runs them.
            yield from (dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context)
                        .stream().fetch_row_counts().fetch_column_metadata())
        finally:
            release_dbt_duckdb_lock()

    return dbt_group


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
