"""The quality report: latest check evaluations and scores per product and model, from the instance."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from dataops_assets.catalog.products import DataProduct
from dataops_assets.quality.checks import latest_scores
from dataops_assets.quality.score import product_score
from dataops_assets.quality.suite import Suite


def quality_report(
    instance: dg.DagsterInstance,
    asset_graph,
    products: dict[str, DataProduct],
    suites: dict[str, Suite],
) -> dict[str, Any]:
    """The `dataops quality report --json` document (see README for the schema)."""
    entries = []
    for product in products.values():
        models = [_model_entry(instance, asset_graph, model, suites.get(model)) for model in product.models]
        models = [m for m in models if m["checks"]]
        entries.append({
            "id": product.id,
            "quality_score": product_score(m["quality_score"] for m in models),
            "models": models,
        })
    return {"products": entries}


def _model_entry(instance: dg.DagsterInstance, asset_graph, model: str, suite: Suite | None) -> dict[str, Any]:
    key = dg.AssetKey(model)
    check_keys = sorted(asset_graph.get_check_keys_for_assets({key}), key=lambda k: k.name) if asset_graph.has(key) else []
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    expectations = {e.check_name: e for e in suite.expectations} if suite else {}
    score, dimensions, scored_at = latest_scores(instance, key)
    return {
        "model": model,
        "quality_score": score,
        "dimensions": dimensions,
        "scored_at": _iso(scored_at) if scored_at else None,
        "checks": [_check_entry(k, records.get(k), expectations.get(k.name)) for k in check_keys],
    }


def _check_entry(key: dg.AssetCheckKey, record, expectation) -> dict[str, Any]:
    entry = {
        "name": key.name,
        "source": "great_expectations" if expectation else "dbt",
        "status": "not_run",
        "passed": None,
        "severity": expectation.severity if expectation else None,
        "dimension": expectation.dimension if expectation else None,
        "unexpected_count": None,
        "unexpected_percent": None,
        "evaluated_at": None,
        "run_id": None,
    }
    if record is None or record.status == AssetCheckExecutionRecordStatus.PLANNED or record.event is None:
        return entry
    evaluation = record.event.dagster_event.event_specific_data
    metadata = evaluation.metadata or {}
    entry.update(
        status="passed" if evaluation.passed else "failed",
        passed=bool(evaluation.passed),
        severity=entry["severity"] or evaluation.severity.value.lower(),
        unexpected_count=_value(metadata.get("unexpected_count")),
        unexpected_percent=_value(metadata.get("unexpected_percent")),
        evaluated_at=_iso(record.event.timestamp),
        run_id=record.run_id,
    )
    return entry


def _value(metadata_value) -> Any:
    return None if metadata_value is None else metadata_value.value


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat(timespec="seconds")
