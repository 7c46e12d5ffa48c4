"""The lifecycle sensors: they carry out the requests the CLI records and move each dataset through its
states from Dagster's own events (runs, materializations, check evaluations).

- `dataset_requests`: a PROVISIONING dataset without a run gets its dynamic partition and a provisioning
  run; a READY or FAILED dataset whose teardown was requested moves to TEARDOWN and gets a teardown run.
- `dataset_progress`: the dataset's run materialized it -> VALIDATING; its gate check evaluated -> READY
  or FAILED (the gate's reason); its run failed -> FAILED (the failure); a teardown run succeeded ->
  ARCHIVED. A started run whose worker has not stamped its heartbeat tag for STALL (it was killed:
  SIGKILL, OOM, a lost machine) is marked failed in Dagster too; its dataset becomes FAILED (`dataops datasets
  retry` starts a new attempt), a teardown is launched again. A run that never starts, or runs past
  TIMEOUT, fails its dataset as well: nothing stays PROVISIONING forever.
"""


import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._time import get_current_datetime

from dataops_assets.lifecycle.assets import (
    ATTEMPT_TAG,
    DATASET_TAG,
    DATASETS,
    GATE_CHECK,
    HEARTBEAT_TAG,
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
# A started run stamps its heartbeat tag between phases and every HEARTBEAT_SECONDS while dbt builds, and
# its other phases take seconds at dataset scales: this long without one, its worker is gone.
STALL = dt.timedelta(seconds=10 * HEARTBEAT_SECONDS)
RUNS_PER_QUERY = 500  # dataset ids per run query (bound parameters stay far below any database's limit)
_FAILED_RUN = {dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
_FINISHED = _FAILED_RUN | {dg.DagsterRunStatus.SUCCESS}
_EVALUATED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}


def build_lifecycle_sensors(jobs: Sequence[dg.JobDefinition | UnresolvedAssetJobDefinition],
                            settings: Settings) -> list[dg.SensorDefinition]:
    """The two sensors; `jobs` are the provisioning jobs and the teardown job they launch."""

    registry = functools.cache(lambda: Registry(settings.registry_url))  # opened (and migrated) once

    @dg.sensor(name="dataset_requests", minimum_interval_seconds=INTERVAL_SECONDS,
               default_status=dg.DefaultSensorStatus.RUNNING, jobs=list(jobs),
               description="Launches the runs `dataops datasets provision` and `teardown` asked for.")
    def dataset_requests(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        actor = ACTOR.format("dataset_requests")
        known = set(context.instance.get_dynamic_partitions(DATASETS.name))
        requests, new_partitions = [], []
        for ds in registry().datasets(status=DatasetState.PROVISIONING):
            if ds.dataset_id not in known:
                new_partitions.append(ds.dataset_id)
            requests.append(dg.RunRequest(
                job_name=provisioning_job_name(ds.product), partition_key=ds.dataset_id,
                run_key=f"provision:{ds.dataset_id}:{ds.attempt}", tags=_tags(ds, "provision")))
        for status in (DatasetState.READY, DatasetState.FAILED):
            for ds in registry().datasets(status=status):
                if ds.teardown_requested_at is not None:
                    _move(registry(), ds, DatasetState.TEARDOWN, actor, "teardown requested")
        tearing_down = registry().datasets(status=DatasetState.TEARDOWN)
        failed_runs = _runs(context.instance, tearing_down, "teardown", _FAILED_RUN)
        for ds in tearing_down:  # a failed teardown is launched again: a new run key per failure
            requests.append(dg.RunRequest(
                job_name=TEARDOWN_JOB, run_key=f"teardown:{ds.dataset_id}:{ds.attempt}:{len(failed_runs[ds.dataset_id])}",
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
        instance, actor = context.instance, ACTOR.format("dataset_progress")
        now = get_current_datetime()
        moved = []
        building = [ds for status in (DatasetState.PROVISIONING, DatasetState.VALIDATING)
                    for ds in registry().datasets(status=status)]
        runs = _runs(instance, building, "provision")
        outcomes = _outcomes(instance, building, runs)
        for ds in building:
            moved += _follow_provisioning(instance, registry(), ds, runs[ds.dataset_id], outcomes, actor, now)
        tearing_down = registry().datasets(status=DatasetState.TEARDOWN)
        runs = _runs(instance, tearing_down, "teardown")
        for ds in tearing_down:
            if any(run.status is dg.DagsterRunStatus.SUCCESS for run in runs[ds.dataset_id]):
                moved.append(_move(registry(), ds, DatasetState.ARCHIVED, actor, "archive written and verified",
                                   archive_path=str(archive_path(settings, ds.dataset_id))))
            for run in runs[ds.dataset_id]:  # a dead one is failed here; dataset_requests launches it again
                _fail_if_stalled(instance, run, now)
        done = [m for m in moved if m]
        return dg.SkipReason(f"moved {len(done)}: {', '.join(done)}" if done else "nothing moved")

    return [dataset_requests, dataset_progress]


def _follow_provisioning(instance: dg.DagsterInstance, registry: Registry, ds: Dataset, runs: list[dg.DagsterRun],
                         outcomes: dict[str, "_Outcome"], actor: str, now: dt.datetime) -> list[str | None]:
    if not runs:
        if now - ds.updated_at > TIMEOUT:
            return [_move(registry, ds, DatasetState.FAILED, actor,
                          f"no provisioning run started within {TIMEOUT}", error_message="provisioning timed out")]
        return []
    run = runs[0]
    moves: list[str | None] = []
    materialization, gate = outcomes.get(run.run_id, (None, None))
    if run.status in _FINISHED and (materialization is None or gate is None):
        materialization, gate = _run_outcome(instance, run, dataset_asset_key(ds.product))  # read it whole
    if ds.status is DatasetState.PROVISIONING and materialization is not None:
        metadata = materialization.metadata
        registry.record_outputs(ds.dataset_id, int(metadata["dagster/row_count"].value),
                                int(metadata["dataops/size_bytes"].value))
        moves.append(_move(registry, ds, DatasetState.VALIDATING, actor, f"built by run {run.run_id}"))
        ds = registry.get(ds.dataset_id)  # VALIDATING now (or whatever another writer made it)
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
    """If a started run's worker has been silent for more than STALL (its last heartbeat, or its start),
    mark the run failed and say why; else None."""
    if run.status is not dg.DagsterRunStatus.STARTED:
        return None
    last = _last_sign_of_life(instance, run)
    if last is None or now - last <= STALL:
        return None
    silent = int((now - last).total_seconds())
    reason = (f"run {run.run_id} stopped without an event: nothing from its worker for {silent} s "
              f"(more than {int(STALL.total_seconds())} s); the worker was killed or lost")
    instance.report_run_failed(run, reason)
    return reason


def _last_sign_of_life(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dt.datetime | None:
    """The run's last heartbeat tag; before its first one, when the run started (one lookup, rare)."""
    if HEARTBEAT_TAG in run.tags:
        return dt.datetime.fromisoformat(run.tags[HEARTBEAT_TAG])
    record = instance.get_run_record_by_id(run.run_id)
    started = record.start_time if record else None
    return dt.datetime.fromtimestamp(started, dt.timezone.utc) if started else None


def _move(registry: Registry, ds: Dataset, to: DatasetState, actor: str, reason: str, **fields) -> str | None:
    """The move, or None when another writer moved the dataset first (the next tick sees its new state)."""
    try:
        registry.transition(ds.dataset_id, to, actor, reason, expected=ds.status, **fields)
    except ConcurrentChange:
        return None
    return f"{ds.dataset_id} {ds.status.value}->{to.value}"


def _tags(ds: Dataset, step: str) -> dict[str, str]:
    return {DATASET_TAG: ds.dataset_id, ATTEMPT_TAG: str(ds.attempt), STEP_TAG: step}


def _runs(instance: dg.DagsterInstance, datasets: Sequence[Dataset], step: str,
          statuses: set[dg.DagsterRunStatus] | None = None) -> dict[str, list[dg.DagsterRun]]:
    """Each dataset's runs of this step in its current attempt, newest first: one query per RUNS_PER_QUERY
    datasets, not one per dataset (a tick stays well under a second at 1,000 datasets)."""
    attempts = {ds.dataset_id: str(ds.attempt) for ds in datasets}
    found: dict[str, list[dg.DagsterRun]] = {dataset_id: [] for dataset_id in attempts}
    ids = list(attempts)
    for start in range(0, len(ids), RUNS_PER_QUERY):
        filters = dg.RunsFilter(tags={DATASET_TAG: ids[start:start + RUNS_PER_QUERY], STEP_TAG: step},
                                statuses=list(statuses) if statuses else None)
        for run in instance.get_runs(filters=filters):
            dataset_id = run.tags[DATASET_TAG]
            if run.tags.get(ATTEMPT_TAG) == attempts[dataset_id]:
                found[dataset_id].append(run)
    return found


_Outcome = tuple[dg.AssetMaterialization | None, Any]  # (materialization, gate evaluation), None until done


def _outcomes(instance: dg.DagsterInstance, datasets: Sequence[Dataset],
              runs: dict[str, list[dg.DagsterRun]]) -> dict[str, _Outcome]:
    """Run id -> what the newest provisioning run of each dataset has done so far: per product, one query for
    the dataset asset's newest materializations and one for its gate's newest evaluations (each dataset's
    run does each once), not a query per run. A finished run missing either is read whole by the caller."""
    current = {runs[ds.dataset_id][0].run_id: ds for ds in datasets if runs[ds.dataset_id]}
    by_product: dict[str, list[Dataset]] = {}
    for ds in current.values():
        by_product.setdefault(ds.product, []).append(ds)
    found: dict[str, list] = {run_id: [None, None] for run_id in current}
    for product, members in by_product.items():
        key, newest = dataset_asset_key(product), 2 * len(members) + 50
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, asset_partitions=[ds.dataset_id for ds in members]), limit=newest)
        for record in records.records:
            if record.run_id in found and found[record.run_id][0] is None:
                found[record.run_id][0] = record.asset_materialization
        for execution in instance.event_log_storage.get_asset_check_execution_history(
                dg.AssetCheckKey(key, GATE_CHECK), limit=newest, status=_EVALUATED):
            if execution.run_id in found and found[execution.run_id][1] is None and execution.event:
                found[execution.run_id][1] = execution.event.dagster_event.event_specific_data
    return {run_id: (materialization, gate) for run_id, (materialization, gate) in found.items()}


def _run_outcome(instance: dg.DagsterInstance, run: dg.DagsterRun, key: dg.AssetKey) -> _Outcome:
    """(the run's materialization of `key`, its quality gate evaluation), from the run's own event log."""
    records = instance.get_records_for_run(run.run_id, of_type={dg.DagsterEventType.ASSET_MATERIALIZATION,
                                                                 dg.DagsterEventType.ASSET_CHECK_EVALUATION}).records
    materialization = gate = None
    for record in records:
        event = record.event_log_entry.dagster_event
        data = event.event_specific_data
        if event.event_type is dg.DagsterEventType.ASSET_MATERIALIZATION and event.asset_key == key:
            materialization = data.materialization
        elif (event.event_type is dg.DagsterEventType.ASSET_CHECK_EVALUATION and data.asset_key == key
              and data.check_name == GATE_CHECK):
            gate = data
    return materialization, gate


def _failure_messages(instance: dg.DagsterInstance, run_id: str) -> str:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
    messages = [r.event_log_entry.dagster_event.event_specific_data.error.message.strip().splitlines()[0]
                for r in records if r.event_log_entry.dagster_event.event_specific_data.error]
    return "; ".join(messages) or "no step failure recorded"
