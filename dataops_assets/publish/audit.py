"""The publish gate: what a model's run audited, read from the Dagster instance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

# Newest executions of one check searched for the run that built its model.
EXECUTIONS_SEARCHED = 20


@dataclass(frozen=True)
class CheckOutcome:
    """One check's result in the run that built a model."""

    key: dg.AssetCheckKey
    severity: str
    passed: bool
    run_id: str

    def to_json(self) -> dict[str, object]:
        return {"asset": self.key.asset_key.to_user_string(), "check": self.key.name,
                "severity": self.severity, "passed": self.passed, "run_id": self.run_id}


def latest_materialization_run(instance: dg.DagsterInstance, key: dg.AssetKey) -> str | None:
    records = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=key), limit=1).records
    return records[0].run_id if records else None


def outcomes_in_run(
    instance: dg.DagsterInstance, checks: Mapping[dg.AssetCheckKey, str], run_id: str
) -> list[CheckOutcome]:
    """Results of the given checks (key -> severity) evaluated in one run; a check that did not run
    there is absent, one whose execution failed counts as not passed."""
    outcomes = []
    for key, severity in sorted(checks.items(), key=lambda item: item[0].to_user_string()):
        records = instance.event_log_storage.get_asset_check_execution_history(key, limit=EXECUTIONS_SEARCHED)
        for record in (r for r in records if r.run_id == run_id):
            if record.status == AssetCheckExecutionRecordStatus.PLANNED:
                continue
            evaluation = record.event.dagster_event.event_specific_data if record.event and record.event.dagster_event else None
            passed = record.status == AssetCheckExecutionRecordStatus.SUCCEEDED and bool(getattr(evaluation, "passed", False))
            outcomes.append(CheckOutcome(key, severity, passed, run_id))
            break
    return outcomes


def latest_build_failures(
    instance: dg.DagsterInstance, checks_by_asset: Mapping[dg.AssetKey, Mapping[dg.AssetCheckKey, str]]
) -> list[CheckOutcome]:
    """Failed `error` checks of the latest build of each asset (asset -> its checks -> severity)."""
    failures = []
    for key, checks in sorted(checks_by_asset.items(), key=lambda item: item[0].to_user_string()):
        run_id = latest_materialization_run(instance, key) if checks else None
        if run_id is not None:
            failures += blocking_failures(outcomes_in_run(instance, checks, run_id))
    return failures


def blocking_failures(outcomes: Iterable[CheckOutcome]) -> list[CheckOutcome]:
    return [o for o in outcomes if o.severity == "error" and not o.passed]


def describe(failures: Sequence[CheckOutcome]) -> str:
    return ", ".join(f"{f.key.asset_key.to_user_string()}:{f.key.name} (run {f.run_id[:8]})" for f in failures)
