"""A provisioning run killed with SIGKILL in the middle of its dbt build: dbt dies with it, the lifecycle
sensor finds the silent run, fails it in Dagster and the dataset in the registry, nothing is corrupt, and a
retry (a new attempt, from an empty folder) reaches READY."""

from __future__ import annotations

import datetime as dt
import signal
import sqlite3
import time

import dagster as dg
import psutil
from dagster._core.test_utils import freeze_time

from tests.lifecycle import evaluate, start_run_worker, tick

from dataops_assets.definitions import build_definitions
from dataops_assets.governance.masking import create_masking_key
from dataops_assets.lifecycle.registry import Registry
from dataops_assets.lifecycle.sensors import STALL
from dataops_assets.lifecycle.states import DatasetState
from dataops_assets.lifecycle.workspace import workspace
from dataops_assets.settings import Settings


def _dbt_child(worker: psutil.Process, deadline: float) -> psutil.Process:
    while time.monotonic() < deadline:
        for child in worker.children(recursive=True):
            if any("dbt" in part for part in child.cmdline()[:2]):
                return child
        assert worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE, "the run worker ended before dbt ran"
        time.sleep(0.1)
    raise AssertionError("dbt never started in the run worker")


def test_a_provisioning_run_killed_mid_build_ends_failed_and_a_retry_reaches_ready(tmp_path):
    settings = Settings(home=tmp_path / "home")
    create_masking_key(settings.home)
    instance_dir = tmp_path / "instance"
    instance_dir.mkdir()
    repository = build_definitions(settings).get_repository_def()
    registry = Registry(settings.registry_url)
    dataset = registry.request_provisioning("mission_logistics", "sandbox", "acme", "test")
    space = workspace(settings, dataset.dataset_id)
    folder = space.root

    with dg.DagsterInstance.from_config(str(instance_dir)) as instance:
        [request] = evaluate(repository, instance, "dataset_requests").run_requests
        worker = start_run_worker(settings.home, instance_dir, request)
        try:
            dbt = _dbt_child(psutil.Process(worker.pid), time.monotonic() + 120)
            while not (folder / "warehouse.duckdb").exists():  # mid-build: dbt has started writing
                time.sleep(0.1)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
        _, alive = psutil.wait_procs([dbt], timeout=30)
        assert not alive and not (space.target_dir / "target" / "run_results.json").exists(), \
            "dbt outlived its killed run worker and finished writing into the dataset's folder"
        [run] = instance.get_runs()
        assert run.status is dg.DagsterRunStatus.STARTED  # the kill left no event: Dagster still thinks it runs

        tick(repository, instance, "dataset_progress")
        assert registry.get(dataset.dataset_id).status is DatasetState.PROVISIONING  # silent, not yet stalled

        with freeze_time(dt.datetime.now(dt.timezone.utc) + STALL + dt.timedelta(minutes=1)):
            tick(repository, instance, "dataset_progress")
        failed = registry.get(dataset.dataset_id)
        assert failed.status is DatasetState.FAILED
        assert f"run {run.run_id} stopped without an event" in failed.error_message
        assert instance.get_run_by_id(run.run_id).status is dg.DagsterRunStatus.FAILURE  # the UI agrees

        with sqlite3.connect(settings.home / "registry.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert [(e.event, e.from_state, e.to_state) for e in registry.audit_trail(dataset.dataset_id)] == [
            ("dataset_created", None, "provisioning"), ("dataset_status_changed", "provisioning", "failed")]
        assert not any(settings.archive_dir.glob("*")), "a provisioning run writes no archive"

        registry.transition(dataset.dataset_id, DatasetState.PROVISIONING, "test", "retry requested",
                            expected=DatasetState.FAILED)
        tick(repository, instance, "dataset_requests")  # attempt 2, in this process
        tick(repository, instance, "dataset_progress")
        ready = registry.get(dataset.dataset_id)
        assert ready.status is DatasetState.READY, ready.error_message
        assert ready.attempt == 2 and ready.quality_score >= 95
