"""What the report judges, read from the Dagster instance: a model's latest run and what a run did."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import dagster as dg
from dagster import DagsterEventType
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecord

from dataops_assets.quality.checks import scores_in
from dataops_assets.quality.run_causes import CheckOutcome, RecordedScore, RunFacts, latest_run

RUN_EVENTS = {
    DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
    DagsterEventType.ASSET_CHECK_EVALUATION,
    DagsterEventType.ASSET_OBSERVATION,
    DagsterEventType.STEP_FAILURE,
}


def latest_run_id(
    instance: dg.DagsterInstance, key: dg.AssetKey, check_records: Iterable[AssetCheckExecutionRecord]
) -> str | None:
    """The newest run that planned the model's materialization or one of its checks (their latest records)."""
    run_ids = {record.run_id for record in check_records}
    planned = instance.get_latest_planned_materialization_info(key)
    if planned is not None:
        run_ids.add(planned.run_id)
    if not run_ids:
        return None
    records = instance.get_run_records(dg.RunsFilter(run_ids=sorted(run_ids)))
    return latest_run((record.storage_id, record.dagster_run.run_id) for record in records)


def read_run_facts(instance: dg.DagsterInstance, run_id: str) -> RunFacts:
    """One pass over the run's planned, check, observation and step-failure events."""
    step_assets: dict[str, set[str]] = defaultdict(set)
    step_checked_assets: dict[str, set[str]] = defaultdict(set)
    failed_steps: set[str] = set()
    outcomes: list[CheckOutcome] = []
    scores: dict[str, RecordedScore] = {}
    for entry in instance.all_logs(run_id, of_type=RUN_EVENTS):
        event = entry.dagster_event
        data = event.event_specific_data
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
            step_assets[event.step_key].add(data.asset_key.to_user_string())
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED:
            step_checked_assets[event.step_key].add(data.asset_key.to_user_string())
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            # An `error` check blocks publication (and, for dbt tests, dbt's own downstream models)
            # whether or not Dagster runs it as a blocking check.
            blocks = not data.passed and data.severity == dg.AssetCheckSeverity.ERROR
            outcomes.append(CheckOutcome(data.asset_key.to_user_string(), data.check_name, event.step_key,
                                         bool(data.passed), blocks))
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            failed_steps.add(event.step_key)
        elif (recorded := scores_in(data.asset_observation.metadata)) is not None:
            scores[data.asset_observation.asset_key.to_user_string()] = RecordedScore(*recorded, entry.timestamp)
    return RunFacts(
        run_id=run_id,
        step_assets={step: frozenset(keys) for step, keys in step_assets.items()},
        step_checked_assets={step: frozenset(keys) for step, keys in step_checked_assets.items()},
        failed_steps=frozenset(failed_steps),
        outcomes=tuple(outcomes),
        scores=scores,
    )
