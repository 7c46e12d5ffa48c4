"""Assembles the Dagster Definitions; nothing else lives here."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from dataops_assets.catalog.products import load_products, read_manifest
from dataops_assets.dbt.assets import build_dbt_models, build_landing_specs
from dataops_assets.dbt.manifest import dbt_executable, ensure_manifest
from dataops_assets.dbt.translator import DataProductTranslator
from dataops_assets.settings import DBT_PROJECT_DIR, Settings, export_dbt_env, load_settings
from dataops_assets.sources.landing_contract import check_landing


def build_definitions(settings: Settings) -> dg.Definitions:
    export_dbt_env(settings)
    manifest = read_manifest(ensure_manifest(settings))
    products = load_products(manifest)
    translator = DataProductTranslator(products)
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    return dg.Definitions(
        assets=[
            *build_landing_specs(manifest, translator, settings),
            build_dbt_models(
                project,
                translator,
                check_landing=lambda keys: check_landing(settings.landing_dir, [tuple(k.path[1:]) for k in keys]),
            ),
        ],
        resources={"dbt": DbtCliResource(project_dir=project, dbt_executable=dbt_executable())},
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(load_settings())
