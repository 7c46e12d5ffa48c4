"""Benchmark: what a full run costs against raw `dbt build` on the same data, phase by phase.

    python benchmarks/run_cost.py [--scale 10] [--home .dataops-bench]

On one generated dataset (generated at --scale if the home has no landing zone), in this process:
1. baseline: raw `dbt build` of the whole project into an empty warehouse (the settings' DuckDB
   memory limit, threads and spill folder, as every run here uses);
2. candidate: the full run, `dataops materialize --partition-range all` (what `make materialize
   PARTITION_RANGE=all` runs: one `dagster asset materialize` per partitions definition, every
   partition, checks and publication) into an empty warehouse, instance and published folder;
3. one daily partition of sales_daily_metrics (`--select tag:partitions=daily --partition <latest>`).

Each phase (Dagster start and definitions load, each dbt invocation, checks, publish) is timed
from the Dagster event log; the RSS of the whole process tree is sampled every 50 ms and each
phase's peak is the highest sample inside it. Targets (issue 8): full run <= 2.0x raw dbt build,
one daily partition <= 10 % of the full run, peak RSS <= 2 GiB. Figures are reported, never asserted.
Results: benchmarks/results/run_cost.json and run_cost.png.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from dataops_assets.governance.masking import create_masking_key

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
TARGETS = {"full_run_to_dbt_build": 2.0, "daily_partition_share": 0.10, "peak_rss_gib": 2.0}
SAMPLE_SECONDS = 0.05


class TreeSampler(threading.Thread):
    """(time, RSS of a process and all its descendants) every SAMPLE_SECONDS until the process ends."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.samples: list[tuple[float, int]] = []

    def run(self) -> None:
        while self.root.is_running() and self.root.status() != psutil.STATUS_ZOMBIE:
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            self.samples.append((time.time(), sum(_rss(proc) for proc in tree)))
            time.sleep(SAMPLE_SECONDS)

    def peak(self, start: float, end: float) -> int:
        inside = [rss for t, rss in self.samples if start <= t <= end]
        return max(inside, default=0)


def _rss(proc: psutil.Process) -> int:
    """A process's RSS; 0 once it has exited between listing and reading."""
    with contextlib.suppress(psutil.NoSuchProcess):
        return proc.memory_info().rss
    return 0


@dataclass
class Measured:
    started: float
    ended: float
    sampler: TreeSampler

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def measured(cmd: list[str], env: dict, cwd: Path = REPO) -> Measured:
    started = time.time()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    output = proc.communicate()[0]
    ended = time.time()
    sampler.join(timeout=5)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:4])} failed (exit {proc.returncode}):\n{output[-4000:]}")
    return Measured(started, ended, sampler)


@dataclass
class Phase:
    name: str
    seconds: float
    peak_rss_mib: int
    start: float
    end: float


def run_phases(instance, run_ids: list[str], started: float, ended: float, sampler: TreeSampler) -> list[Phase]:
    """Phases of consecutive Dagster runs: start-up and definitions load (time between runs), then
    each step grouped by kind (dbt invocations by name, checks, publish)."""
    from dagster import DagsterEventType

    phases: list[Phase] = []
    cursor = started
    for run_id in run_ids:
        events = [e for e in instance.all_logs(run_id) if e.dagster_event is not None]
        run_start = next(e.timestamp for e in events if e.dagster_event.event_type == DagsterEventType.RUN_START)
        run_end = max(e.timestamp for e in events)
        phases.append(_phase("dagster start + definitions load", cursor, run_start, sampler))
        step_starts = {}
        for e in events:
            kind = e.dagster_event.event_type
            if kind == DagsterEventType.STEP_START:
                step_starts[e.step_key] = e.timestamp
            elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE) and e.step_key in step_starts:
                phases.append(_phase(_step_phase(e.step_key), step_starts.pop(e.step_key), e.timestamp, sampler))
        cursor = run_end
    phases.append(_phase("dagster start + definitions load", cursor, ended, sampler))  # process exit
    return _merge(phases)


def _step_phase(step_key: str) -> str:
    if step_key.startswith("dbt_"):
        return f"dbt invocation ({step_key.removeprefix('dbt_')})"
    if step_key.startswith("quality_"):
        return "checks"
    if step_key.startswith("published_"):
        return "publish"
    return f"other ({step_key})"


def _phase(name: str, start: float, end: float, sampler: TreeSampler) -> Phase:
    return Phase(name, end - start, sampler.peak(start, end) // 2**20, start, end)


def _merge(phases: list[Phase]) -> list[Phase]:
    merged: dict[str, Phase] = {}
    for p in phases:
        if p.name in merged:
            m = merged[p.name]
            merged[p.name] = Phase(p.name, m.seconds + p.seconds, max(m.peak_rss_mib, p.peak_rss_mib),
                                   min(m.start, p.start), max(m.end, p.end))
        else:
            merged[p.name] = p
    return list(merged.values())


def runs_between(instance, started: float, ended: float) -> list[str]:
    records = instance.get_run_records()
    inside = [r for r in records if started <= r.create_timestamp.timestamp() <= ended]
    return [r.dagster_run.run_id for r in sorted(inside, key=lambda r: r.storage_id)]


def reset(home: Path, keep_instance: bool = False) -> None:
    (home / "warehouse.duckdb").unlink(missing_ok=True)
    (home / "warehouse.duckdb.wal").unlink(missing_ok=True)
    shutil.rmtree(home / "published", ignore_errors=True)
    if not keep_instance:
        shutil.rmtree(home / "dagster", ignore_errors=True)
        (home / "dagster").mkdir(parents=True)
        shutil.copy(REPO / "dagster.yaml", home / "dagster" / "dagster.yaml")
        create_masking_key(home)  # as `make instance` does


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [("raw dbt build", [("dbt build", result["baseline"]["seconds"])]),
            ("full run (all partitions)", [(p["name"], p["seconds"]) for p in result["full_run"]["phases"]]),
            ("one daily partition", [(p["name"], p["seconds"]) for p in result["daily_partition"]["phases"]])]
    names = sorted({n for _, parts in rows for n, _ in parts})
    colours = dict(zip(names, plt.cm.tab10.colors))
    fig, (time_ax, rss_ax) = plt.subplots(1, 2, figsize=(14, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    for y, (label, parts) in enumerate(rows):
        left = 0.0
        for name, seconds in parts:
            time_ax.barh(y, seconds, left=left, color=colours[name], label=name)
            left += seconds
        time_ax.text(left + 0.5, y, f"{left:.1f} s", va="center")
    time_ax.axvline(TARGETS["full_run_to_dbt_build"] * result["baseline"]["seconds"], color="red", linestyle="--",
                    label=f"{TARGETS['full_run_to_dbt_build']:g}x raw dbt build")
    time_ax.set_yticks(range(len(rows)), [label for label, _ in rows])
    time_ax.invert_yaxis()
    time_ax.set_xlabel("seconds")
    handles, labels = time_ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    time_ax.legend(unique.values(), unique.keys(), fontsize=7, loc="lower right")
    time_ax.set_title(f"Run cost at scale {result['scale']:g} ({result['generated_rows']:,} landing rows)")
    phases = [("raw dbt build", result["baseline"]["peak_rss_mib"])] + [
        (f"full: {p['name']}", p["peak_rss_mib"]) for p in result["full_run"]["phases"]]
    rss_ax.barh(range(len(phases)), [mib for _, mib in phases], color="tab:gray")
    rss_ax.axvline(TARGETS["peak_rss_gib"] * 1024, color="red", linestyle="--", label="2 GiB target")
    rss_ax.set_yticks(range(len(phases)), [n for n, _ in phases], fontsize=7)
    rss_ax.invert_yaxis()
    rss_ax.set_xlabel("peak RSS of the process tree (MiB)")
    rss_ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--home", type=Path, default=REPO / ".dataops-bench")
    args = parser.parse_args()
    home = args.home.resolve()
    from dataops_assets.settings import load_settings

    bin_dir = Path(sys.executable).parent
    settings = load_settings({**os.environ, "DATAOPS_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")})
    env = {**os.environ, **settings.dbt_env(), "DAGSTER_HOME": str(home / "dagster"),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    if not (home / "landing").exists():
        subprocess.run([str(bin_dir / "dataops"), "generate", "--scale", str(args.scale)], env=env, check=True)
    import duckdb

    with duckdb.connect() as con:
        generated = con.execute(f"select count(*) from read_parquet('{home}/landing/*/*/*.parquet')").fetchone()[0]
    reset(home)
    subprocess.run([str(bin_dir / "python"), "-m", "dataops_assets.dbt.manifest"], env=env, check=True, cwd=REPO)

    baseline = measured([str(bin_dir / "dbt"), "build", "--exclude-resource-type", "unit_test", "--project-dir",
                         "dbt_project", "--profiles-dir", "dbt_project", "--quiet"], env)
    reset(home)
    full = measured([str(bin_dir / "dataops"), "materialize", "--partition-range", "all", "--log-level", "WARNING"], env)
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        full_runs = runs_between(instance, full.started, full.ended)
        full_phases = run_phases(instance, full_runs, full.started, full.ended, full.sampler)
    from dataops_assets.catalog.spec import Partitioning
    from dataops_assets.dbt.partitions import partitions_definitions

    latest_day = partitions_definitions(settings)[Partitioning.DAILY].get_last_partition_key()
    daily = measured([str(bin_dir / "dagster"), "asset", "materialize", "-m", "dataops_assets.definitions", "-a", "defs",
                      "--select", "tag:partitions=daily", "--partition", latest_day], env)
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        daily_runs = runs_between(instance, daily.started, daily.ended)
        daily_phases = run_phases(instance, daily_runs, daily.started, daily.ended, daily.sampler)

    def phases_json(phases: list[Phase]) -> list[dict]:
        return [{k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(p).items() if k not in ("start", "end")}
                for p in phases]

    baseline_peak = baseline.sampler.peak(baseline.started, baseline.ended) // 2**20
    full_peak = max(p.peak_rss_mib for p in full_phases)
    result = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "scale": args.scale,
        "generated_rows": int(generated),
        "duckdb": settings.duckdb_config,
        "baseline": {"command": "dbt build --exclude-resource-type unit_test", "seconds": round(baseline.seconds, 2),
                     "peak_rss_mib": baseline_peak},
        "full_run": {"command": "dataops materialize --partition-range all", "runs": len(full_runs),
                     "seconds": round(full.seconds, 2), "ratio_to_dbt_build": round(full.seconds / baseline.seconds, 3),
                     "peak_rss_mib": full_peak, "phases": phases_json(full_phases)},
        "daily_partition": {"partition": latest_day, "seconds": round(daily.seconds, 2),
                            "share_of_full_run": round(daily.seconds / full.seconds, 3),
                            "peak_rss_mib": max(p.peak_rss_mib for p in daily_phases),
                            "phases": phases_json(daily_phases)},
        "targets": TARGETS,
    }
    result["met"] = {
        "full_run_to_dbt_build": result["full_run"]["ratio_to_dbt_build"] <= TARGETS["full_run_to_dbt_build"],
        "daily_partition_share": result["daily_partition"]["share_of_full_run"] <= TARGETS["daily_partition_share"],
        "peak_rss_gib": max(full_peak, baseline_peak, result["daily_partition"]["peak_rss_mib"]) <= TARGETS["peak_rss_gib"] * 1024,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "run_cost.json").write_text(json.dumps(result, indent=2) + "\n")
    plot(result, RESULTS / "run_cost.png")
    print(json.dumps(result, indent=2))
    print(f"\nfull run {full.seconds:.1f} s = {result['full_run']['ratio_to_dbt_build']:.2f}x raw dbt build "
          f"{baseline.seconds:.1f} s (target <= {TARGETS['full_run_to_dbt_build']:g}x); one daily partition "
          f"{daily.seconds:.1f} s = {result['daily_partition']['share_of_full_run']:.1%} of it (target <= 10 %); "
          f"peak RSS {full_peak} MiB full run, {baseline_peak} MiB dbt build (target <= 2048 MiB). "
          f"Plot: {RESULTS / 'run_cost.png'}")


if __name__ == "__main__":
    main()
