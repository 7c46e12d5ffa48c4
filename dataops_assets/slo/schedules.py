"""One refresh job and one schedule per product, from its spec: cadence, latest partition, retries."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from dataops_assets.catalog.products import DataProduct
from dataops_assets.catalog.spec import Partitioning
from dataops_assets.dbt.translator import PARTITIONS_TAG
from dataops_assets.settings import Settings
from dataops_assets.slo.cadence import TIMEZONE
from dataops_assets.slo.policies import retry_policy

PRODUCT_TAG = "dataops/product"


def refresh_job_name(product_id: str) -> str:
    return f"{product_id}_refresh"


def schedule_name(product_id: str) -> str:
    return f"{product_id}_schedule"


def build_refresh_automation(
    products: Mapping[str, DataProduct],
    partitions: Mapping[Partitioning, dg.PartitionsDefinition],
    settings: Settings,
) -> tuple[list[UnresolvedAssetJobDefinition], list[dg.ScheduleDefinition]]:
    """Per product: a job building its models with the product's partitions, their checks and their
    publication (retried as its spec says), and a schedule running the latest partition at its cadence."""
    jobs, schedules = [], []
    for product in products.values():
        job = dg.define_asset_job(
            name=refresh_job_name(product.id),
            selection=(dg.AssetSelection.groups(product.id)
                       & dg.AssetSelection.tag(PARTITIONS_TAG, product.partitioning.value)),
            op_retry_policy=retry_policy(product.spec.retry_policy),
            tags={PRODUCT_TAG: product.id},
            description=f"Build, audit and publish {product.id} (the latest partition when partitioned).",
        )
        jobs.append(job)
        schedules.append(_refresh_schedule(product, job, partitions.get(product.partitioning), settings))
    return jobs, schedules


def _refresh_schedule(product: DataProduct, job: UnresolvedAssetJobDefinition,
                      partitions_def: dg.PartitionsDefinition | None, settings: Settings) -> dg.ScheduleDefinition:
    cron = settings.schedule_cron or product.refresh_schedule
    freshness = product.spec.slos.freshness_minutes

    @dg.schedule(
        name=schedule_name(product.id),
        cron_schedule=cron,
        job=job,
        execution_timezone=TIMEZONE,
        default_status=dg.DefaultScheduleStatus.RUNNING if settings.schedules_running else dg.DefaultScheduleStatus.STOPPED,
        description=f"Refreshes {product.id} on {cron!r} (UTC) to keep it within its {freshness:g}-minute freshness SLO.",
        tags={PRODUCT_TAG: product.id},
    )
    def refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        if partitions_def is None:
            return dg.RunRequest()
        keys = partitions_def.get_partition_keys(current_time=context.scheduled_execution_time)
        return dg.RunRequest(partition_key=keys[-1])

    return refresh
