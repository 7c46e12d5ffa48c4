"""Benchmark: one tick of each lifecycle sensor at 1,000 datasets, target < 1 s.

    python benchmarks/lifecycle_sensor_tick.py [--datasets 1000] [--seed 42] [--ticks 20]

In a temporary folder: a SQLite registry filled through the Registry API as in registry_queries.py
(same mix: about 60 % ready, 15 % archived, 10 % failed, 7 % validating, 8 % teardown, the rest
provisioning within the per-stage limit), and a Dagster instance configured by the repository's
dagster.yaml (SQLite run and event storage, as under `dagster dev`). Every dataset has its dynamic
partition and the runs its history implies, tagged as the sensors tag them: a finished provisioning
run for each dataset past PROVISIONING, a started one for each dataset in PROVISIONING or VALIDATING,
a started teardown run for each one in TEARDOWN, a finished one for each ARCHIVED; a started run has
its start event, a heartbeat line and a fresh heartbeat tag, as a live run worker leaves them.
Datasets in flight last moved 10 minutes ago: short of the sensors' 30-minute timeout.

Then each sensor is evaluated --ticks times as the daemon evaluates it (a sensor context on the
instance and the repository of the real definitions), in this process. Nothing moves (reported as
states_changed_by_ticks): live runs are neither finished nor stalled, so every tick does the full
work of a steady state. The same is
measured again with every dataset in flight (half VALIDATING, half TEARDOWN: the most a tick can
have to follow). p50 / p95 / max in ms. Figures are reported, never asserted.
Results: benchmarks/results/lifecycle_sensor_tick.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import dagster as dg
from dagster._core.storage.dagster_run import DagsterRun
from dagster._core.utils import make_new_run_id

from registry_queries import OUTCOMES, fill

from dataops_assets.definitions import build_definitions
from dataops_assets.lifecycle.assets import (
    ATTEMPT_TAG,
    DATASET_TAG,
    DATASETS,
    HEARTBEAT_TAG,
    STEP_TAG,
    TEARDOWN_JOB,
    provisioning_job_name,
)
from dataops_assets.lifecycle import registry as registry_module
from dataops_assets.lifecycle.registry import Registry
from dataops_assets.lifecycle.states import DatasetState
from dataops_assets.settings import Settings

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
TARGET_MS = 1000.0
SENSORS = ("dataset_requests", "dataset_progress")
S = DatasetState
# Which runs a dataset in each state has had: (step, status) per run.
RUNS_BY_STATE = {
    S.PROVISIONING: [("provision", dg.DagsterRunStatus.STARTED)],
    S.VALIDATING: [("provision", dg.DagsterRunStatus.STARTED)],
    S.READY: [("provision", dg.DagsterRunStatus.SUCCESS)],
    S.FAILED: [("provision", dg.DagsterRunStatus.FAILURE)],
    S.TEARDOWN: [("provision", dg.DagsterRunStatus.SUCCESS), ("teardown", dg.DagsterRunStatus.STARTED)],
    S.ARCHIVED: [("provision", dg.DagsterRunStatus.SUCCESS), ("teardown", dg.DagsterRunStatus.SUCCESS)],
}
ALL_IN_FLIGHT = {S.VALIDATING: 0.5, S.TEARDOWN: 0.5}
IN_FLIGHT = (S.PROVISIONING, S.VALIDATING, S.TEARDOWN)
# Short of the sensors' TIMEOUT (a tick would fail the dataset), as a dataset in flight is.
IN_FLIGHT_AGE = dt.timedelta(minutes=10)


def add_runs(instance: dg.DagsterInstance, registry: Registry) -> int:
    """The runs each dataset's state implies, with the sensors' tags; returns how many."""
    count = 0
    for ds in registry.datasets():
        for step, status in RUNS_BY_STATE[ds.status]:
            job = provisioning_job_name(ds.product) if step == "provision" else TEARDOWN_JOB
            tags = {DATASET_TAG: ds.dataset_id, ATTEMPT_TAG: str(ds.attempt), STEP_TAG: step}
            if status is dg.DagsterRunStatus.STARTED:
                tags[HEARTBEAT_TAG] = dt.datetime.now(dt.timezone.utc).isoformat()
            run = instance.add_run(DagsterRun(job_name=job, run_id=make_new_run_id(), tags=tags, status=status))
            if status is dg.DagsterRunStatus.STARTED:
                instance.report_engine_event("run started", run)
                instance.report_engine_event(f"{ds.dataset_id}: dbt build still running after 30 s", run)
            count += 1
    return count


def last_moved_in_flight(registry: Registry) -> None:
    """The fill spreads datasets over a past year; a dataset in flight now last moved IN_FLIGHT_AGE ago."""
    table = registry_module.datasets
    with registry.engine.begin() as conn:
        conn.execute(table.update().where(table.c.status.in_([s.value for s in IN_FLIGHT])).values(
            updated_at=dt.datetime.now(dt.timezone.utc) - IN_FLIGHT_AGE))


def measure(shares: dict[DatasetState, float], count: int, seed: int, ticks: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="sensor-bench-") as folder:
        settings = Settings(home=Path(folder) / "home")
        (settings.home / "dagster").mkdir(parents=True)
        shutil.copy(REPO / "dagster.yaml", settings.home / "dagster" / "dagster.yaml")
        registry = Registry(settings.registry_url)
        fill(registry, count, random.Random(seed), shares)
        last_moved_in_flight(registry)
        statuses = Counter(ds.status.value for ds in registry.datasets())
        repository = build_definitions(settings).get_repository_def()
        with dg.DagsterInstance.from_config(str(settings.home / "dagster")) as instance:
            instance.add_dynamic_partitions(DATASETS.name, [ds.dataset_id for ds in registry.datasets()])
            runs = add_runs(instance, registry)
            ticks_ms = {}
            for name in SENSORS:
                sensor = repository.get_sensor_def(name)
                ms = []
                for _ in range(ticks):
                    context = dg.build_sensor_context(instance=instance, repository_def=repository)
                    t0 = time.perf_counter()
                    sensor(context)
                    ms.append((time.perf_counter() - t0) * 1000)
                p95 = statistics.quantiles(ms, n=100, method="inclusive")[94]
                ticks_ms[name] = {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(p95, 1),
                                  "max_ms": round(max(ms), 1), "ticks": ticks, "met": p95 < TARGET_MS}
            moved = Counter(ds.status.value for ds in registry.datasets()) != statuses
        registry.engine.dispose()
    in_flight = sum(statuses.get(s.value, 0) for s in IN_FLIGHT)
    return {"datasets": sum(statuses.values()), "statuses": dict(statuses), "in_flight": in_flight, "runs": runs,
            "ticks": ticks_ms, "states_changed_by_ticks": moved}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--ticks", type=int, default=20)
    args = parser.parse_args()
    cases = {"registry mix": OUTCOMES, "every dataset in flight": ALL_IN_FLIGHT}
    results = {name: measure(shares, args.datasets, args.seed, args.ticks) for name, shares in cases.items()}
    document = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "dagster": dg.__version__, "storage": "sqlite (the repository's dagster.yaml)",
        "target": {"tick_ms": TARGET_MS}, "cases": results,
        "met": {f"{case} / {sensor}": r["ticks"][sensor]["met"] for case, r in results.items() for sensor in SENSORS},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "lifecycle_sensor_tick.json").write_text(json.dumps(document, indent=2) + "\n")
    print(f"{'case':26} {'datasets':>8} {'in flight':>9} {'runs':>6} {'sensor':18} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'max ms':>8}  p95 < {TARGET_MS:g} ms")
    for case, r in results.items():
        for sensor, t in r["ticks"].items():
            print(f"{case:26} {r['datasets']:8} {r['in_flight']:9} {r['runs']:6} {sensor:18} {t['p50_ms']:8.1f} "
                  f"{t['p95_ms']:8.1f} {t['max_ms']:8.1f}  {'met' if t['met'] else 'MISSED'}")
    print(f"Results: {RESULTS / 'lifecycle_sensor_tick.json'}")


if __name__ == "__main__":
    main()
