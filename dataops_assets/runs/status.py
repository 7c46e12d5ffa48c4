"""What the Dagster instance says about each product: rows of its latest outputs and check results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from dataops_assets.catalog.products import DataProduct


@dataclass(frozen=True)
class ModelStatus:
    model: str
    rows: int | None
    materialized_at: str | None


@dataclass(frozen=True)
class ProductStatus:
    product_id: str
    models: list[ModelStatus]
    checks_passed: int = 0
    checks_failed: int = 0
    checks_not_run: int = 0
    failed_checks: list[str] = field(default_factory=list)


def product_statuses(
    instance: dg.DagsterInstance, asset_graph, products: dict[str, DataProduct]
) -> list[ProductStatus]:
    """Latest materialization of each public model and the latest result of every check of the product."""
    statuses = []
    for product in products.values():
        keys = [dg.AssetKey([m]) for m in product.models]
        check_keys = [ck for key in keys if asset_graph.has(key) for ck in asset_graph.get_check_keys_for_assets({key})]
        records = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
        passed = [k for k, r in records.items() if r.status == AssetCheckExecutionRecordStatus.SUCCEEDED]
        failed = [k for k, r in records.items() if r.status == AssetCheckExecutionRecordStatus.FAILED]
        statuses.append(
            ProductStatus(
                product_id=product.id,
                models=[_model_status(instance, m) for m in product.public_models],
                checks_passed=len(passed),
                checks_failed=len(failed),
                checks_not_run=len(check_keys) - len(passed) - len(failed),
                failed_checks=sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in failed),
            )
        )
    return statuses


def _model_status(instance: dg.DagsterInstance, model: str) -> ModelStatus:
    event = instance.get_latest_materialization_event(dg.AssetKey([model]))
    if event is None or event.asset_materialization is None:
        return ModelStatus(model=model, rows=None, materialized_at=None)
    row_count = event.asset_materialization.metadata.get("dagster/row_count")
    when = datetime.fromtimestamp(event.timestamp, tz=timezone.utc).isoformat(timespec="seconds")
    return ModelStatus(model=model, rows=row_count.value if row_count else None, materialized_at=when)
