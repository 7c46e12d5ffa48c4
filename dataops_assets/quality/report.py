"""The quality report: per product and for the platform, each model's checks, latest-run score and blocking causes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import Any

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from dataops_assets.catalog.products import DataProduct
from dataops_assets.governance.leak_checks import PII_LEAK_CHECK
from dataops_assets.publish.audit import latest_build_failures
from dataops_assets.quality.checks import WINDOW_KEY
from dataops_assets.quality.run_causes import RunFacts, Verdict, judge_group, judge_model
from dataops_assets.quality.run_history import latest_run_id, read_run_facts
from dataops_assets.quality.suite import Suite


@dataclass(frozen=True)
class ModelGroup:
    """Models reported together: a product's, or the platform's (the staging layer every product reads)."""

    id: str
    models: tuple[str, ...]

    @classmethod
    def of_dbt_group(cls, group: str, models: dict[str, dict[str, Any]]) -> ModelGroup:
        """The models of a dbt group (manifest nodes by name), e.g. the platform's staging layer."""
        return cls(group, tuple(sorted(name for name, node in models.items() if node.get("group") == group)))


def quality_report(
    instance: dg.DagsterInstance,
    asset_graph,
    products: dict[str, DataProduct],
    suites: dict[str, Suite],
    platform: ModelGroup,
) -> dict[str, Any]:
    """The `dataops quality report --json` document (see README for the schema)."""
    run_facts = cache(lambda run_id: read_run_facts(instance, run_id))

    def entry(group: ModelGroup) -> dict[str, Any]:
        return _group_entry(instance, asset_graph, group, suites, run_facts)

    return {
        "products": [entry(ModelGroup(p.id, p.models)) for p in products.values()],
        "platform": entry(platform),
    }


def _group_entry(instance: dg.DagsterInstance, asset_graph, group: ModelGroup, suites: dict[str, Suite],
                 run_facts: Callable[[str], RunFacts]) -> dict[str, Any]:
    judged = [_model_entry(instance, asset_graph, model, suites.get(model), run_facts) for model in group.models]
    judged = [(entry, verdict) for entry, verdict in judged if entry["checks"]]
    verdict = judge_group({entry["model"]: v for entry, v in judged}, [m for m in group.models if m in suites])
    unpublished = {cause for entry, _ in judged for cause in entry["publication_blocked_by"]}
    return {
        "id": group.id,
        "quality_score": verdict.score,
        "score_reason": verdict.reason,
        "blocked_by": sorted(set(verdict.blocked_by) | unpublished),
        "models": [entry for entry, _ in judged],
    }


def _model_entry(instance: dg.DagsterInstance, asset_graph, model: str, suite: Suite | None,
                 run_facts: Callable[[str], RunFacts]) -> tuple[dict[str, Any], Verdict]:
    key = dg.AssetKey(model)
    check_keys = sorted(asset_graph.get_check_keys_for_assets({key}), key=lambda k: k.name) if asset_graph.has(key) else []
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    expectations = {e.check_name: e for e in suite.expectations} if suite else {}
    run_id = latest_run_id(instance, key, records.values()) if check_keys else None
    ancestors = {k.to_user_string() for k in asset_graph.get_ancestor_asset_keys(key)} if check_keys else set()
    verdict = judge_model(model, [k.name for k in check_keys], ancestors,
                          run_facts(run_id) if run_id else None, has_suite=suite is not None)
    recorded = verdict.recorded
    entry = {
        "model": model,
        "quality_score": verdict.score,
        "score_reason": verdict.reason,
        "dimensions": recorded.dimensions if recorded else {},
        "scored_at": _iso(recorded.timestamp) if recorded else None,
        "latest_run_id": run_id,
        "blocked_by": list(verdict.blocked_by),
        "checks": [_check_entry(k, records.get(k), expectations.get(k.name), asset_graph.get_check_spec(k))
                   for k in check_keys],
    }
    # A public model (it has a suite): what keeps its latest build from being published.
    entry["publication_blocked_by"] = publication_blockers(instance, asset_graph, key) if suite else []
    return entry, verdict


def publication_blockers(instance: dg.DagsterInstance, asset_graph, key: dg.AssetKey) -> list[str]:
    """`asset:check` of the failed `error` checks on the latest build of the model or of any model it
    reads: what the publish gate refuses it for (the previous published version stays current)."""
    checks_by_asset = {
        asset: {k: str(asset_graph.get_check_spec(k).metadata.get("severity", "error"))
                for k in asset_graph.get_check_keys_for_assets({asset})}
        for asset in [key, *asset_graph.get_ancestor_asset_keys(key)]
    }
    return [f"{f.key.asset_key.to_user_string()}:{f.key.name}" for f in latest_build_failures(instance, checks_by_asset)]


def _check_entry(key: dg.AssetCheckKey, record, expectation, spec: dg.AssetCheckSpec) -> dict[str, Any]:
    entry = {
        "name": key.name,
        "source": "great_expectations" if expectation else "governance" if key.name == PII_LEAK_CHECK else "dbt",
        "status": "not_run",
        "passed": None,
        "severity": expectation.severity if expectation else spec.metadata.get("severity"),
        "dimension": expectation.dimension if expectation else spec.metadata.get("dimension"),
        "unexpected_count": None,
        "unexpected_percent": None,
        "evaluated_at": None,
        "run_id": None,
        "partition_window": None,  # the partitions a partitioned model's check read, e.g. 2026-11-25..2026-11-26
    }
    if record is None or record.status == AssetCheckExecutionRecordStatus.PLANNED or record.event is None:
        return entry
    evaluation = record.event.dagster_event.event_specific_data
    metadata = evaluation.metadata or {}
    entry.update(
        status="passed" if evaluation.passed else "failed",
        passed=bool(evaluation.passed),
        severity=entry["severity"] or evaluation.severity.value.lower(),
        # dbt tests count the rows (or, with a fail_calc, the values) they found
        unexpected_count=_value(metadata.get("unexpected_count") or metadata.get("dagster_dbt/failed_row_count")),
        unexpected_percent=_value(metadata.get("unexpected_percent")),
        evaluated_at=_iso(record.event.timestamp),
        run_id=record.run_id,
        partition_window=_value(metadata.get(WINDOW_KEY)),
    )
    return entry


def _value(metadata_value) -> Any:
    return None if metadata_value is None else metadata_value.value


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat(timespec="seconds")
