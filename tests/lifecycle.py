"""Helpers the lifecycle tests share: evaluate a lifecycle sensor as the daemon would, and carry out the
runs it asks for (in this process, or in a run worker process a test may kill)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg

from tests.sandbox import REPO_ROOT


def evaluate(repository, instance: dg.DagsterInstance, sensor: str) -> dg.SensorResult | dg.SkipReason:
    """One tick of `sensor`; its dynamic partition requests are applied as the daemon applies them."""
    context = dg.build_sensor_context(instance=instance, repository_def=repository)
    result = repository.get_sensor_def(sensor)(context)
    if isinstance(result, dg.SensorResult):
        for request in result.dynamic_partitions_requests or []:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def tick(repository, instance: dg.DagsterInstance, sensor: str) -> None:
    """Evaluate a sensor, then run what it asked for, in this process."""
    result = evaluate(repository, instance, sensor)
    if not isinstance(result, dg.SensorResult):
        return
    for request in result.run_requests or []:
        job = repository.get_job(request.job_name)
        job.execute_in_process(instance=instance, partition_key=request.partition_key, tags=request.tags,
                               run_config=request.run_config or None, raise_on_error=False)


def provision_with_sensors(settings, instance: dg.DagsterInstance, product: str, stage: str):
    """Request a dataset, then one tick of each lifecycle sensor with their runs: its registry entry after."""
    from dataops_assets.definitions import build_definitions
    from dataops_assets.lifecycle.registry import Registry

    repository = build_definitions(settings).get_repository_def()
    registry = Registry(settings.registry_url)
    dataset = registry.request_provisioning(product, stage, "acme", "test")
    tick(repository, instance, "dataset_requests")
    tick(repository, instance, "dataset_progress")
    return registry.get(dataset.dataset_id)


def start_run_worker(home: Path, instance_dir: Path, request: dg.RunRequest) -> subprocess.Popen:
    """A process that executes `request` against the instance at `instance_dir`, as a run worker does."""
    payload = json.dumps({"home": str(home), "instance_dir": str(instance_dir), "job_name": request.job_name,
                          "partition_key": request.partition_key, "tags": dict(request.tags)})
    return subprocess.Popen([sys.executable, "-m", "tests.lifecycle", payload], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _run_worker(payload: dict) -> None:
    from dataops_assets.definitions import build_definitions
    from dataops_assets.settings import Settings

    repository = build_definitions(Settings(home=Path(payload["home"]))).get_repository_def()
    with dg.DagsterInstance.from_config(payload["instance_dir"]) as instance:
        repository.get_job(payload["job_name"]).execute_in_process(
            instance=instance, partition_key=payload["partition_key"], tags=payload["tags"], raise_on_error=False)


if __name__ == "__main__":
    _run_worker(json.loads(sys.argv[1]))
