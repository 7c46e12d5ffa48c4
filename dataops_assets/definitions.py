"""Assembles the Dagster Definitions; nothing else lives here."""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable

import dagster as dg
from dagster_dbt import DbtProject

from dataops_assets.catalog.products import dbt_selector, platform_upstream, upstream_models
from dataops_assets.catalog.spec import Partitioning
from dataops_assets.dbt.assets import DbtSelection, InstalledDbtCliResource, build_dbt_run_assets, build_landing_specs
from dataops_assets.dbt.manifest import dbt_executable, target_path
from dataops_assets.dbt.partitions import partitions_definitions
from dataops_assets.dbt.translator import PLATFORM_GROUP, DataProductTranslator
from dataops_assets.governance.leak_checks import build_pii_leak_checks
from dataops_assets.governance.masking import MaskingKeyError, needs_key
from dataops_assets.lifecycle.assets import build_dataset_definitions
from dataops_assets.lifecycle.cleanup import build_archive_cleanup
from dataops_assets.lifecycle.sensors import build_lifecycle_sensors
from dataops_assets.publish.assets import PublishTarget, build_publish_asset, model_query, unmasked_query
from dataops_assets.quality.checks import CheckedModel, build_suite_checks
from dataops_assets.quality.report import ModelGroup
from dataops_assets.quality.validation import prepare_in_background
from dataops_assets.settings import DBT_PROJECT_DIR, Settings, load_settings
from dataops_assets.slo.policies import retry_policy
from dataops_assets.slo.schedules import build_refresh_automation
from dataops_assets.slo.sensor import build_slo_sensor
from dataops_assets.project import LOAD_ERRORS, load_project
from dataops_assets.sources.landing_contract import landing_problems
from dataops_assets.warehouse_resource import warehouse_resource

# Partitioned asset checks and backfill policies are Dagster previews; their warnings would print on every load.
warnings.filterwarnings("ignore", message=".*partitions_def on an AssetCheckSpec.*")
warnings.filterwarnings("ignore", message=".*`backfill_policy` of function `asset`.*")


def build_definitions(settings: Settings) -> dg.Definitions:
    loaded = load_project(settings)
    manifest, products, models, suites, landing = loaded.manifest, loaded.products, loaded.models, loaded.suites, loaded.landing
    translator = DataProductTranslator(products)
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=target_path(settings.target))
    partitions = partitions_definitions(settings)
    specs = {name: translator.get_asset_spec(manifest, node["unique_id"], project) for name, node in models.items()}
    partitioning = {name: product.partitioning for product in products.values() for name in product.partition_columns}
    columns = {name: column for product in products.values() for name, column in product.partition_columns.items()}

    def vet_landing(keys: set[dg.AssetKey]) -> dict[dg.AssetKey, list[str]]:
        """Each of the landing tables that breaks its contract (or has no files), with how."""
        found = {key: landing_problems(settings.landing_dir, landing[(key.path[1], key.path[2])]) for key in keys}
        return {key: problems for key, problems in found.items() if problems}

    keyed = {specs[m].key: m for p in products.values() for m in p.public_models if needs_key(p.pii_masking(m))}

    def require_masking_key(keys: set[dg.AssetKey]) -> None:
        """A model masking with hash or tokenize would fail on its first row without the key: fail first, once."""
        masking = sorted(keyed[k] for k in keys & keyed.keys())
        if masking:
            try:
                settings.masking_key()
            except MaskingKeyError as exc:
                raise MaskingKeyError(f"{exc}; nothing was built ({', '.join(masking)} masks PII with it)") from None

    def checked(name: str) -> CheckedModel:
        cadence = partitioning.get(name, Partitioning.NONE)
        return CheckedModel(specs[name].key, models[name]["relation_name"], partitions.get(cadence), columns.get(name))

    project_deps = {spec.key: [dep.asset_key for dep in spec.deps] for spec in specs.values()}
    dbt_steps = [
        build_dbt_run_assets(project, translator, cadence, selection, partitions.get(cadence), settings, vet_landing,
                             project_deps, while_dbt_runs=prepare_in_background, check_masking_key=require_masking_key)
        for cadence, selection in dbt_selections({dbt_selector(models[name]): cadence for name, cadence in partitioning.items()},
                                                 manifest["metadata"]["adapter_type"],
                                                 lambda names: platform_upstream(manifest, names)).items()
    ]
    suite_checks = build_suite_checks(suites, models, products, {name: checked(name) for name in suites},
                                      as_of=settings.as_of, masking_key=settings.masking_key)
    leak_checks = build_pii_leak_checks({name: checked(name) for p in products.values() for name in p.public_models},
                                        settings.landing_dir)
    severities = check_severities([*dbt_steps, *suite_checks, *leak_checks])
    publish = []
    for product in products.values():
        for name in product.public_models:
            model = checked(name)
            upstream = {specs[up].key: severities[specs[up].key]
                        for up in upstream_models(manifest, name) if specs[up].key in severities}
            publish.append(build_publish_asset(PublishTarget(
                product=product.id, model=name, model_key=model.key, query=model_query(models, name),
                checks=severities.get(model.key, {}), upstream=upstream,
                partitions_def=model.partitions_def, partition_column=model.partition_column,
                tags=specs[name].tags, owners=tuple(specs[name].owners),
                freshness_policy=specs[name].freshness_policy, retry_policy=retry_policy(product.spec.retry_policy),
                unmasked_query=unmasked_query(models, name) if product.pii_masking(name) else None,
            ), settings))
    jobs, schedules = build_refresh_automation(products, partitions, settings)
    dataset_assets, dataset_checks, dataset_jobs = build_dataset_definitions(products, models, suites, landing, settings)
    cleanup_job, cleanup_schedule = build_archive_cleanup(settings)
    return dg.Definitions(
        asset_checks=[*suite_checks, *leak_checks, *dataset_checks],
        assets=[*build_landing_specs(manifest, translator, settings), *dbt_steps, *publish, *dataset_assets],
        jobs=[*jobs, *dataset_jobs, cleanup_job],
        schedules=[*schedules, cleanup_schedule],
        sensors=[build_slo_sensor(products, suites, ModelGroup.of_dbt_group(PLATFORM_GROUP, models), settings),
                 *build_lifecycle_sensors(dataset_jobs, settings)],
        resources={
            "dbt": InstalledDbtCliResource(project_dir=project, dbt_executable=dbt_executable()),
            "warehouse": warehouse_resource(settings),
        },
        # Steps share one DuckDB file that admits one writer: run them one after another, in process.
        executor=dg.in_process_executor,
    )


def dbt_selections(partitioning: dict[str, Partitioning], adapter_type: str,
                   upstream: Callable[[list[str]], tuple[str, ...]] = lambda names: ()) -> dict[Partitioning, DbtSelection]:
    """One dbt selection per partitions definition that has models (keyed by dbt selector): the
    unpartitioned step takes everything the partitioned ones do not. On Spark a partitioned step also
    names the staging and intermediate tables its models read (`upstream`), which it rebuilds first."""
    partitioned = sorted(partitioning)
    selections = {Partitioning.NONE: DbtSelection("fqn:*", " ".join(partitioned) or None, adapter_type)}
    for cadence in (Partitioning.DAILY, Partitioning.MONTHLY):
        names = sorted(name for name, value in partitioning.items() if value is cadence)
        if names:
            refresh = " ".join(upstream(names)) if adapter_type == "spark" else ""
            selections[cadence] = DbtSelection(" ".join(names), None, adapter_type, refresh or None)
    return selections


def check_severities(definitions: list) -> dict[dg.AssetKey, dict[dg.AssetCheckKey, str]]:
    """Every check of the given assets and checks definitions, by asset, with its severity."""
    found: dict[dg.AssetKey, dict[dg.AssetCheckKey, str]] = {}
    for definition in definitions:
        for spec in definition.check_specs:
            found.setdefault(spec.asset_key, {})[spec.key] = str(spec.metadata.get("severity", "error"))
    return found


@functools.cache
def _definitions_for(settings: Settings) -> dg.Definitions:
    return build_definitions(settings)


class DefinitionsLoadError(Exception):
    """The project cannot become Definitions: its message is the one line saying why."""


@dg.definitions
def defs() -> dg.Definitions:
    """Built once per process and settings: `dagster asset materialize` loads the code location
    several times per run. A bad spec, suite or landing declaration is one line: written to stderr
    first (so a terminal shows it before Dagster's traceback) and the message of the error raised."""
    try:
        return _definitions_for(load_settings())
    except LOAD_ERRORS as exc:
        message = f"dataops_assets.definitions: {exc}"
        print(message, file=sys.stderr, flush=True)
        raise DefinitionsLoadError(message) from None
