"""Build one dataset: dbt builds the product's public models (and what they read) into the dataset's
own warehouse, then each public model is published (PII masked) under the dataset's folder."""

from __future__ import annotations

import ctypes
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from dataops_assets.catalog.products import DataProduct
from dataops_assets.dbt.assets import dbt_run_env
from dataops_assets.dbt.manifest import dbt_executable
from dataops_assets.lifecycle.workspace import DatasetWorkspace
from dataops_assets.governance.leak_checks import snapshot_vet
from dataops_assets.publish.snapshots import publish_snapshot
from dataops_assets.settings import DBT_PROJECT_DIR, process_env
from dataops_assets.warehouse import connect_warehouse


@dataclass(frozen=True)
class DbtOutcome:
    returncode: int
    failed_tests: tuple[str, ...]  # `error` tests that failed
    errored_nodes: tuple[str, ...]  # models or tests that could not run
    log_tail: str


# While dbt builds, the provisioning step stamps its heartbeat every HEARTBEAT_SECONDS: a run silent far
# longer than this has lost its worker (the lifecycle sensor's stall detection).
HEARTBEAT_SECONDS = 30


def build(product: DataProduct, space: DatasetWorkspace,
          heartbeat: Callable[[float], None] = lambda elapsed: None) -> DbtOutcome:
    """`dbt build` of the product's public models and their ancestors into the dataset's warehouse;
    `heartbeat(seconds so far)` is called every HEARTBEAT_SECONDS while it runs. dbt dies with the
    process that started it, so a killed run worker leaves no dbt writing into the dataset's folder."""
    space.target_dir.mkdir(parents=True, exist_ok=True)
    env = process_env(dbt_run_env(space.settings, None))  # every partition
    command = [dbt_executable(), "build", "--select", *(f"+{m}" for m in product.public_models),
               "--exclude-resource-type", "unit_test", "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(space.target_dir / "target"),
               "--log-path", str(space.target_dir / "logs")]
    log = space.target_dir / "dbt_build.out"
    started = time.monotonic()
    with log.open("w") as out:
        dbt = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=DBT_PROJECT_DIR,
                               preexec_fn=_die_with_parent)
        while True:
            try:
                returncode = dbt.wait(timeout=HEARTBEAT_SECONDS)
                break
            except subprocess.TimeoutExpired:
                heartbeat(time.monotonic() - started)
    failed, errored = _failures(space.target_dir / "target" / "run_results.json")
    return DbtOutcome(returncode, failed, errored, log.read_text()[-2000:])


# Looked up once here: between fork and exec the child only calls it (no loading, no locks).
_PRCTL = ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the dbt child, before exec: on Linux, SIGKILL it when its parent (the run worker) dies."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


def publish(product: DataProduct, space: DatasetWorkspace, queries: dict[str, str], run_id: str) -> dict[str, Any]:
    """Publish every public model of the dataset's warehouse (masked by the models themselves); model -> files.
    A version holding PII (the same scan as the pii_leak check) is refused: PiiLeakError."""
    published = {}
    with connect_warehouse(space.settings) as con:
        for model in product.public_models:
            publication = publish_snapshot(con, space.settings.published_dir, product.id, model,
                                           queries[model], run_id=run_id, keep=1,
                                           vet=snapshot_vet(model, space.landing_dir, {}))
            published[model] = {"path": str(publication.path), "rows": publication.rows}
    return published


def _failures(run_results: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not run_results.exists():
        return (), ("dbt wrote no run_results.json",)
    results = json.loads(run_results.read_text())["results"]
    failed = tuple(r["unique_id"] for r in results if r["status"] == "fail")
    errored = tuple(r["unique_id"] for r in results if r["status"] in ("error", "skipped"))
    return failed, errored

