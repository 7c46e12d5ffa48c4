"""Datasets in Dagster: per product, an asset `<product>_datasets` partitioned by dataset id (a dynamic
partition each) with its `quality_gate` check, a provisioning job per product, and one teardown job."""


import datetime as dt
import json
import shutil
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from dataops_assets.catalog.products import DataProduct
from dataops_assets.lifecycle.gate import evaluate_gate
from dataops_assets.lifecycle.provision import build, publish
from dataops_assets.lifecycle.registry import Registry
from dataops_assets.lifecycle.workspace import prepare_landing, workspace
from dataops_assets.publish.assets import model_query
from dataops_assets.quality.suite import Suite
from dataops_assets.settings import Settings
from dataops_assets.sources.landing_contract import LandingContract

DATASETS = dg.DynamicPartitionsDefinition(name="datasets")
DATASET_TAG = "dataops/dataset_id"
ATTEMPT_TAG = "dataops/attempt"
STEP_TAG = "dataops/lifecycle_step"  # provision | teardown
# When the run's worker last said it was alive (UTC ISO time): a run tag, so the lifecycle sensor reads it
# with the run itself, without a query per run.
HEARTBEAT_TAG = "dataops/heartbeat"
GATE_CHECK = "quality_gate"
# Datasets are a group of their own: `--select group:<product>` stays the product's warehouse assets (a
# dataset asset needs a partition: its dataset id). The `data_product` tag ties each to its product.
DATASETS_GROUP = "datasets"
TEARDOWN_JOB = "dataset_teardown"
_OUTPUTS = "outputs.json"  # what the provisioning step left for the gate: published files, failed dbt tests


def dataset_asset_key(product_id: str) -> dg.AssetKey:
    return dg.AssetKey(f"{product_id}_datasets")


def provisioning_job_name(product_id: str) -> str:
    return f"{product_id}_dataset_provisioning"


def build_dataset_definitions(products: Mapping[str, DataProduct], models: dict[str, dict[str, Any]],
                              suites: dict[str, Suite], landing: LandingContract, settings: Settings):
    """(assets, checks, jobs): each product's dataset asset and gate, its provisioning job, the teardown job."""
    assets, checks, jobs = [], [], [teardown_job(settings)]
    for product in products.values():
        assets.append(_dataset_asset(product, models, landing, settings))
        checks.append(_gate_check(product, models, suites, landing, settings))
        jobs.append(dg.define_asset_job(provisioning_job_name(product.id),
                                        selection=dg.AssetSelection.assets(dataset_asset_key(product.id)),
                                        partitions_def=DATASETS, tags={STEP_TAG: "provision"}))
    return assets, checks, jobs


def _dataset_asset(product: DataProduct, models: dict[str, dict[str, Any]], landing: LandingContract,
                   settings: Settings):
    @dg.asset(
        key=dataset_asset_key(product.id),
        group_name=DATASETS_GROUP,
        tags={"data_product": product.id},
        partitions_def=DATASETS,
        kinds={"dbt", "duckdb", "parquet"},
        owners=[product.spec.owner.email, f"team:{product.spec.team}"],
        description=(f"{product.id} provisioned per dataset (one partition each: one stage, one client), in "
                     f"its own folder {settings.home / 'datasets'}/<dataset_id>; `dataops datasets provision` "
                     "asks for one."),
    )
    def dataset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        dataset_id = context.partition_key
        record = Registry(settings.registry_url).get(dataset_id)
        space = workspace(settings, dataset_id)
        source = prepare_landing(settings, space, record.stage, landing)
        heartbeat(context, f"{dataset_id}: landing zone ready ({source}); dbt build starts")
        outcome = build(product, space, heartbeat=lambda seconds: heartbeat(
            context, f"{dataset_id}: dbt build still running after {seconds:.0f} s"))
        if outcome.errored_nodes:
            raise dg.Failure(description=f"{dataset_id}: dbt could not build {', '.join(outcome.errored_nodes)}",
                             metadata={"dbt_log": dg.MetadataValue.text(outcome.log_tail)})
        heartbeat(context, f"{dataset_id}: dbt build done; publishing")
        queries = {m: model_query(models, m) for m in product.public_models}
        published = publish(product, space, queries, context.run.run_id)
        (space.root / _OUTPUTS).write_text(json.dumps({"published": published,
                                                       "failed_dbt_tests": list(outcome.failed_tests)}))
        rows = sum(p["rows"] for p in published.values())
        return dg.MaterializeResult(metadata={
            "dataops/dataset_id": dataset_id, "dataops/stage": record.stage, "dataops/client": record.client,
            "dataops/data_source": source, "dagster/row_count": dg.MetadataValue.int(rows),
            "dataops/size_bytes": dg.MetadataValue.int(folder_size(space.root)),
            "dataops/published": dg.MetadataValue.json(published),
            "dataops/failed_dbt_tests": dg.MetadataValue.json(list(outcome.failed_tests)),
        })

    return dataset


def _gate_check(product: DataProduct, models: dict[str, dict[str, Any]], suites: dict[str, Suite],
                landing: LandingContract, settings: Settings):
    spec = dg.AssetCheckSpec(GATE_CHECK, asset=dataset_asset_key(product.id), partitions_def=DATASETS,
                             description="Seed 004's weighted score (schema 0.30, completeness 0.30, source health "
                                         "0.25, sample queries 0.15): READY at 95 or more with no failed error check")

    @dg.multi_asset_check(specs=[spec], name=f"{product.id}_dataset_gate")
    def gate(context: dg.AssetCheckExecutionContext):
        dataset_id = context.partition_key
        heartbeat(context, f"{dataset_id}: quality gate starts")
        space = workspace(settings, dataset_id)
        outputs = json.loads((space.root / _OUTPUTS).read_text())
        result = evaluate_gate(product, space, models, suites, landing, tuple(outputs["failed_dbt_tests"]),
                               {m: p["path"] for m, p in outputs["published"].items()})
        yield dg.AssetCheckResult(
            asset_key=dataset_asset_key(product.id), check_name=GATE_CHECK, passed=result.ready,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"dataops/gate": dg.MetadataValue.json(result.to_json()),
                      "dataops/overall": dg.MetadataValue.float(result.overall)},
        )

    return gate


def heartbeat(context, message: str) -> None:
    """Log `message` and stamp the run's HEARTBEAT_TAG: the lifecycle sensor fails a run whose worker has
    been silent too long (killed), and reads this with the run."""
    context.instance.add_run_tags(context.run.run_id, {HEARTBEAT_TAG: dt.datetime.now(dt.timezone.utc).isoformat()})
    context.log.info(message)


def teardown_job(settings: Settings) -> dg.JobDefinition:
    @dg.op(config_schema={"dataset_id": str})
    def archive_and_drop(context: dg.OpExecutionContext) -> str:
        """Archive the dataset's outputs (Parquet + metadata JSON, tar.gz), verify it, then drop them."""
        dataset_id = context.op_config["dataset_id"]
        heartbeat(context, f"{dataset_id}: archiving")
        space = workspace(settings, dataset_id)
        archive = archive_path(settings, dataset_id)
        record = Registry(settings.registry_url).get(dataset_id)
        write_archive(archive, space.settings.published_dir, {"dataset": record.to_json()})
        verify_archive(archive, space.settings.published_dir)
        shutil.rmtree(space.root, ignore_errors=True)
        context.log.info(f"{dataset_id}: archived to {archive}, outputs dropped")
        return str(archive)

    @dg.job(name=TEARDOWN_JOB, tags={STEP_TAG: "teardown"},
            description="Archives a dataset's outputs, verifies the archive, then drops the dataset's folder.")
    def dataset_teardown():
        archive_and_drop()

    return dataset_teardown


def archive_path(settings: Settings, dataset_id: str) -> Path:
    return settings.archive_dir / f"{dataset_id}.tar.gz"


def write_archive(archive: Path, published_dir: Path, metadata: dict[str, Any]) -> None:
    """Write to a temporary name and rename: an archive on disk is always whole."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    tmp = archive.with_name(archive.name + ".tmp")
    metadata_file = archive.with_name(archive.name + ".metadata.json")
    metadata_file.write_text(json.dumps(metadata, indent=2))
    with tarfile.open(tmp, "w:gz") as tar:
        tar.add(metadata_file, arcname="metadata.json")
        if published_dir.exists():
            tar.add(published_dir, arcname="published")
    metadata_file.unlink()
    tmp.replace(archive)


def verify_archive(archive: Path, published_dir: Path) -> None:
    """Every Parquet file of the outputs is in the archive and reads back with the same row count."""
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        if "metadata.json" not in members:
            raise dg.Failure(description=f"{archive}: no metadata.json; the outputs were not dropped")
        for file in sorted(published_dir.rglob("*.parquet")) if published_dir.exists() else []:
            name = f"published/{file.relative_to(published_dir)}"
            if name not in members:
                raise dg.Failure(description=f"{archive}: {name} missing; the outputs were not dropped")
            extracted = archive.with_name(archive.name + ".check.parquet")
            extracted.write_bytes(tar.extractfile(members[name]).read())
            try:
                if _rows(extracted) != _rows(file):
                    raise dg.Failure(description=f"{archive}: {name} reads back different rows; not dropped")
            finally:
                extracted.unlink()


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _rows(parquet: Path) -> int:
    with duckdb.connect() as con:
        return con.execute(f"select count(*) from read_parquet('{parquet}')").fetchone()[0]
