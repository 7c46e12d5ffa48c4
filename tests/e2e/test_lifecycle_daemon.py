"""Under `dagster dev` (daemon on, lifecycle sensors on by default): `dataops datasets provision` alone takes
a dataset to READY, and `dataops datasets teardown` alone takes it to ARCHIVED with its archive on disk."""

from __future__ import annotations

import json
import subprocess
import tarfile
import time
from pathlib import Path

from tests.sandbox import REPO_ROOT, VENV_BIN


def dataops(env: dict[str, str], *args: str) -> dict:
    result = subprocess.run([str(VENV_BIN / "dataops"), *args, "--json"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def wait_for_status(dagster_dev, dataset_id: str, status: str, seconds: float) -> dict:
    """The dataset's registry entry once it has `status`; fails early if it ends FAILED instead."""
    from dataops_assets.lifecycle.registry import Registry
    from dataops_assets.settings import load_settings

    registry = Registry(load_settings({"DATAOPS_HOME": str(dagster_dev.home)}).registry_url)
    deadline = time.monotonic() + seconds
    while (dataset := registry.get(dataset_id)).status.value != status:
        assert dataset.status.value != "failed", f"{dataset_id} failed: {dataset.error_message}"
        assert time.monotonic() < deadline, (f"{dataset_id} still {dataset.status.value} after {seconds:.0f} s; "
                                             f"see {dagster_dev.home / 'dagster_dev.log'}")
        time.sleep(1)
    return dataset.to_json()


def test_provision_alone_reaches_ready_and_teardown_alone_reaches_archived(dagster_dev):
    env = dagster_dev.env
    requested = dataops(env, "datasets", "provision", "--product", "mission_logistics", "--stage", "sandbox",
                        "--client", "e2e")
    dataset_id = requested["dataset_id"]
    ready = wait_for_status(dagster_dev, dataset_id, "ready", 300)
    assert ready["quality_score"] >= 95 and ready["record_count"] > 0

    dataops(env, "datasets", "teardown", dataset_id)
    archived = wait_for_status(dagster_dev, dataset_id, "archived", 240)
    archive = Path(archived["archive_path"])
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
    assert "metadata.json" in names and any(n.startswith("published/") and n.endswith(".parquet") for n in names)
    assert not (dagster_dev.home / "datasets" / dataset_id).exists()

    trail = dataops(env, "audit", "--dataset", dataset_id)["events"]
    moves = [(e["from_state"], e["to_state"], e["actor"]) for e in trail if e["from_state"] and e["to_state"]]
    assert moves == [("provisioning", "validating", "sensor:dataset_progress"),
                     ("validating", "ready", "sensor:dataset_progress"),
                     ("ready", "teardown", "sensor:dataset_requests"),
                     ("teardown", "archived", "sensor:dataset_progress")]
