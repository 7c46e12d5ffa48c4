"""What the Dagster instance says about each product: rows of its latest outputs and check results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import dagster as dg

from dataops_assets.catalog.products import DataProduct
from dataops_assets.quality.report import quality_report
from dataops_assets.quality.suite import Suite


@dataclass(frozen=True)
class ModelStatus:
    model: str
    rows: int | None
    materialized_at: str | None


@dataclass(frozen=True)
class ProductStatus:
    product_id: str
    models: list[ModelStatus]
    quality_score: float | None = None
    checks_passed: int = 0
    checks_failed: int = 0
    checks_not_run: int = 0
    failed_checks: list[str] = field(default_factory=list)


def product_statuses(
    instance: dg.DagsterInstance, asset_graph, products: dict[str, DataProduct], suites: dict[str, Suite]
) -> list[ProductStatus]:
    """Latest materialization of each public model and the tally of the latest check results."""
    statuses = []
    for entry in quality_report(instance, asset_graph, products, suites)["products"]:
        checks = [(model["model"], check) for model in entry["models"] for check in model["checks"]]
        statuses.append(
            ProductStatus(
                product_id=entry["id"],
                models=[_model_status(instance, m) for m in products[entry["id"]].public_models],
                quality_score=entry["quality_score"],
                checks_passed=sum(c["status"] == "passed" for _, c in checks),
                checks_failed=sum(c["status"] == "failed" for _, c in checks),
                checks_not_run=sum(c["status"] == "not_run" for _, c in checks),
                failed_checks=sorted(f"{m}:{c['name']}" for m, c in checks if c["status"] == "failed"),
            )
        )
    return statuses


def _model_status(instance: dg.DagsterInstance, model: str) -> ModelStatus:
    event = instance.get_latest_materialization_event(dg.AssetKey(model))
    if event is None or event.asset_materialization is None:
        return ModelStatus(model=model, rows=None, materialized_at=None)
    row_count = event.asset_materialization.metadata.get("dagster/row_count")
    when = datetime.fromtimestamp(event.timestamp, tz=timezone.utc).isoformat(timespec="seconds")
    return ModelStatus(model=model, rows=row_count.value if row_count else None, materialized_at=when)
