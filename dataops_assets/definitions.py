"""Assembles the Dagster Definitions; nothing else lives here."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from dataops_assets.catalog.products import load_products, models_by_name, read_manifest
from dataops_assets.dbt.assets import build_dbt_group_assets, build_landing_specs
from dataops_assets.dbt.manifest import dbt_executable, ensure_manifest
from dataops_assets.dbt.translator import DataProductTranslator
from dataops_assets.quality.checks import build_suite_checks
from dataops_assets.quality.suite import load_suites
from dataops_assets.settings import DBT_PROJECT_DIR, QUALITY_SUITES_DIR, REPO_ROOT, Settings, load_settings
from dataops_assets.sources.landing_contract import check_landing


def build_definitions(settings: Settings) -> dg.Definitions:
    manifest = read_manifest(ensure_manifest(settings))
    products = load_products(manifest)
    translator = DataProductTranslator(products)
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

    def vet_landing(keys: set[dg.AssetKey]) -> None:
        check_landing(settings.landing_dir, [(key.path[1], key.path[2]) for key in keys])

    models = models_by_name(manifest)
    suites = load_suites(QUALITY_SUITES_DIR, models, REPO_ROOT)
    return dg.Definitions(
        asset_checks=build_suite_checks(suites, models, products, settings.warehouse_path),
        assets=[
            *build_landing_specs(manifest, translator, settings),
            *(build_dbt_group_assets(project, translator, group, settings, vet_landing) for group in dbt_groups(manifest)),
        ],
        resources={"dbt": DbtCliResource(project_dir=project, dbt_executable=dbt_executable())},
        # Steps share one DuckDB file that admits one writer: run them one after another, in process.
        executor=dg.in_process_executor,
    )


def dbt_groups(manifest: dict) -> list[str]:
    return sorted(group["name"] for group in manifest["groups"].values())


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(load_settings())
