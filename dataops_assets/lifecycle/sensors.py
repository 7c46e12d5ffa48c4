"""The lifecycle sensors: they carry out the requests the CLI records and move each dataset through its
states from Dagster's own events (runs, materializations, check evaluations).

- `dataset_requests`: a PROVISIONING dataset without a run gets its dynamic partition and a provisioning
  run; a READY or FAILED dataset whose teardown was requested moves to TEARDOWN and gets a teardown run.
- `dataset_progress`: the dataset's run materialized it -> VALIDATING; its gate check evaluated -> READY
  or FAILED (the gate's reason); its run failed -> FAILED (the failure); a teardown run succeeded ->
  ARCHIVED. A started run whose event log has been silent for STALL (its worker was killed: SIGKILL,
  OOM, a lost machine) is marked failed in Dagster too; its dataset becomes FAILED (`dataops datasets
  retry` starts a new attempt), a teardown is launched again. A run that never starts, or runs past
  TIMEOUT, fails its dataset as well: nothing stays PROVISIONING forever.
"""


import datetime as dt
from collections.abc import Sequence

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition
from dagster._time import get_current_datetime

from dataops_assets.lifecycle.assets import (
    ATTEMPT_TAG,
    DATASET_TAG,
    DATASETS,
    GATE_CHECK,
    STEP_TAG,
    TEARDOWN_JOB,
    archive_path,
    dataset_asset_key,
    provisioning_job_name,
)
from dataops_assets.lifecycle.provision import HEARTBEAT_SECONDS
from dataops_assets.lifecycle.registry import ConcurrentChange, Dataset, Registry
from dataops_assets.lifecycle.states import DatasetState
from dataops_assets.settings import Settings

ACTOR = "sensor:{}"
INTERVAL_SECONDS = 15
# A provisioning or teardown run that has not finished this long after its dataset last moved is dead.
TIMEOUT = dt.timedelta(minutes=30)
# A started run writes an event at least every HEARTBEAT_SECONDS while dbt builds, and its other steps
# take seconds at dataset scales: this long without one, its worker is gone.
STALL = dt.timedelta(seconds=10 * HEARTBEAT_SECONDS)
_FAILED_RUN = {dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def build_lifecycle_sensors(jobs: Sequence[dg.JobDefinition | UnresolvedAssetJobDefinition],
                            settings: Settings) -> list[dg.SensorDefinition]:
    """The two sensors; `jobs` are the provisioning jobs and the teardown job they launch."""

    @dg.sensor(name="dataset_requests", minimum_interval_seconds=INTERVAL_SECONDS,
               default_status=dg.DefaultSensorStatus.RUNNING, jobs=list(jobs),
               description="Launches the runs `dataops datasets provision` and `teardown` asked for.")
    def dataset_requests(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        registry, actor = Registry(settings.registry_url), ACTOR.format("dataset_requests")
        known = set(context.instance.get_dynamic_partitions(DATASETS.name))
        requests, new_partitions = [], []
        for ds in registry.datasets(status=DatasetState.PROVISIONING):
            if ds.dataset_id not in known:
                new_partitions.append(ds.dataset_id)
            requests.append(dg.RunRequest(
                job_name=provisioning_job_name(ds.product), partition_key=ds.dataset_id,
                run_key=f"provision:{ds.dataset_id}:{ds.attempt}", tags=_tags(ds, "provision")))
        for status in (DatasetState.READY, DatasetState.FAILED):
            for ds in registry.datasets(status=status):
                if ds.teardown_requested_at is not None:
                    _move(registry, ds, DatasetState.TEARDOWN, actor, "teardown requested")
        for ds in registry.datasets(status=DatasetState.TEARDOWN):
            failed = len(_runs(context.instance, ds, "teardown", _FAILED_RUN))
            requests.append(dg.RunRequest(
                job_name=TEARDOWN_JOB, run_key=f"teardown:{ds.dataset_id}:{ds.attempt}:{failed}",
                run_config={"ops": {"archive_and_drop": {"config": {"dataset_id": ds.dataset_id}}}},
                tags=_tags(ds, "teardown")))
        if not requests:
            return dg.SkipReason("no provisioning or teardown requested")
        return dg.SensorResult(run_requests=requests,
                               dynamic_partitions_requests=[DATASETS.build_add_request(new_partitions)]
                               if new_partitions else [])

    @dg.sensor(name="dataset_progress", minimum_interval_seconds=INTERVAL_SECONDS,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Moves datasets from their runs' events: VALIDATING, READY/FAILED, ARCHIVED.")
    def dataset_progress(context: dg.SensorEvaluationContext) -> dg.SkipReason:
        registry, actor = Registry(settings.registry_url), ACTOR.format("dataset_progress")
        now = get_current_datetime()
        moved = []
        for status in (DatasetState.PROVISIONING, DatasetState.VALIDATING):
            for ds in registry.datasets(status=status):
                moved += _follow_provisioning(context.instance, registry, ds, actor, now)
        for ds in registry.datasets(status=DatasetState.TEARDOWN):
            runs = _runs(context.instance, ds, "teardown")
            if any(run.status is dg.DagsterRunStatus.SUCCESS for run in runs):
                moved.append(_move(registry, ds, DatasetState.ARCHIVED, actor, "archive written and verified",
                                   archive_path=str(archive_path(settings, ds.dataset_id))))
            for run in runs:  # a dead one is failed here; dataset_requests then launches the teardown again
                _fail_if_stalled(context.instance, run, now)
        done = [m for m in moved if m]
        return dg.SkipReason(f"moved {len(done)}: {', '.join(done)}" if done else "nothing moved")

    return [dataset_requests, dataset_progress]


def _follow_provisioning(instance: dg.DagsterInstance, registry: Registry, ds: Dataset, actor: str,
                         now: dt.datetime) -> list[str | None]:
    runs = _runs(instance, ds, "provision")
    if not runs:
        if now - ds.updated_at > TIMEOUT:
            return [_move(registry, ds, DatasetState.FAILED, actor,
                          f"no provisioning run started within {TIMEOUT}", error_message="provisioning timed out")]
        return []
    run = runs[0]
    moves: list[str | None] = []
    key = dataset_asset_key(ds.product)
    materialization = _materialization(instance, run, key)
    if ds.status is DatasetState.PROVISIONING and materialization is not None:
        metadata = materialization.metadata
        registry.record_outputs(ds.dataset_id, int(metadata["dagster/row_count"].value),
                                int(metadata["dataops/size_bytes"].value))
        moves.append(_move(registry, ds, DatasetState.VALIDATING, actor, f"built by run {run.run_id}"))
        ds = registry.get(ds.dataset_id)  # VALIDATING now (or whatever another writer made it)
    gate = _gate_evaluation(instance, run, key)
    if ds.status is DatasetState.VALIDATING and gate is not None:
        result = gate.metadata["dataops/gate"].value
        registry.record_quality_gate(ds.dataset_id, result["scores"], result["overall"], result["ready"],
                                     result["reason"], actor)
        target = DatasetState.READY if result["ready"] else DatasetState.FAILED
        moves.append(_move(registry, ds, target, actor, result["reason"],
                           error_message=None if result["ready"] else result["reason"]))
        return moves
    if run.status in _FAILED_RUN:
        reason = f"run {run.run_id} {run.status.value.lower()}: {_failure_messages(instance, run.run_id)}"
        moves.append(_move(registry, ds, DatasetState.FAILED, actor, reason, error_message=reason))
    elif run.status is dg.DagsterRunStatus.SUCCESS and gate is None:
        moves.append(_move(registry, ds, DatasetState.FAILED, actor,
                           f"run {run.run_id} succeeded without a quality gate result", error_message="no gate"))
    elif stalled := _fail_if_stalled(instance, run, now):
        moves.append(_move(registry, ds, DatasetState.FAILED, actor, stalled, error_message=stalled))
    elif now - ds.updated_at > TIMEOUT:
        moves.append(_move(registry, ds, DatasetState.FAILED, actor,
                           f"run {run.run_id} still {run.status.value.lower()} after {TIMEOUT}",
                           error_message="provisioning timed out"))
    return moves


def _fail_if_stalled(instance: dg.DagsterInstance, run: dg.DagsterRun, now: dt.datetime) -> str | None:
    """If a started run's newest event is older than STALL, mark the run failed and say why; else None."""
    if run.status is not dg.DagsterRunStatus.STARTED:
        return None
    [last] = instance.get_records_for_run(run.run_id, limit=1, ascending=False).records or [None]
    if last is None:
        return None
    silent = now - dt.datetime.fromtimestamp(last.timestamp, dt.timezone.utc)
    if silent <= STALL:
        return None
    reason = (f"run {run.run_id} stopped without an event: nothing from its worker for {int(silent.total_seconds())} s "
              f"(more than {int(STALL.total_seconds())} s); the worker was killed or lost")
    instance.report_run_failed(run, reason)
    return reason


def _move(registry: Registry, ds: Dataset, to: DatasetState, actor: str, reason: str, **fields) -> str | None:
    """The move, or None when another writer moved the dataset first (the next tick sees its new state)."""
    try:
        registry.transition(ds.dataset_id, to, actor, reason, expected=ds.status, **fields)
    except ConcurrentChange:
        return None
    return f"{ds.dataset_id} {ds.status.value}->{to.value}"


def _tags(ds: Dataset, step: str) -> dict[str, str]:
    return {DATASET_TAG: ds.dataset_id, ATTEMPT_TAG: str(ds.attempt), STEP_TAG: step}


def _runs(instance: dg.DagsterInstance, ds: Dataset, step: str,
          statuses: set[dg.DagsterRunStatus] | None = None) -> list[dg.DagsterRun]:
    """The dataset's runs of this attempt and step, newest first."""
    filters = dg.RunsFilter(tags={DATASET_TAG: ds.dataset_id, ATTEMPT_TAG: str(ds.attempt), STEP_TAG: step},
                            statuses=list(statuses) if statuses else None)
    return list(instance.get_runs(filters=filters))


def _materialization(instance: dg.DagsterInstance, run: dg.DagsterRun, key: dg.AssetKey) -> dg.AssetMaterialization | None:
    records = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    for record in records:
        event = record.event_log_entry.dagster_event
        if event.asset_key == key:
            return event.event_specific_data.materialization
    return None


def _gate_evaluation(instance: dg.DagsterInstance, run: dg.DagsterRun, key: dg.AssetKey):
    records = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.asset_key == key and evaluation.check_name == GATE_CHECK:
            return evaluation
    return None


def _failure_messages(instance: dg.DagsterInstance, run_id: str) -> str:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
    messages = [r.event_log_entry.dagster_event.event_specific_data.error.message.strip().splitlines()[0]
                for r in records if r.event_log_entry.dagster_event.event_specific_data.error]
    return "; ".join(messages) or "no step failure recorded"
