"""DuckDB vs Spark (local session) on the same landing data: the full run's wall time and peak RSS per scale.

For each scale (default 0.01, 1 and 10) the landing zone is generated once (seed 42) and every target gets its
own home reading it (a symlink), an empty write zone and a fresh Dagster instance; then
`dataops materialize --partition-range all` (what `make run` runs) is timed, with the RSS of its whole process
tree (Spark's JVM is a grandchild) sampled every 50 ms. Spark's fixed cost is measured apart: the wall time of
one `dbt run` of a one-row model on each target at scale 0.01 (Spark's minus DuckDB's is the JVM, session and
metastore start every dbt invocation pays), times the dbt invocations of a run. Results:
benchmarks/results/scale_out.json and a Markdown table on stdout. Without Java or the spark extra the Spark
column says why and only DuckDB is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from run_cost import TreeSampler  # benchmarks/run_cost.py: the process-tree RSS sampler

from dataops_assets.dbt.spark import spark_unavailable
from dataops_assets.governance.masking import create_masking_key
from dataops_assets.settings import load_settings

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
BIN = Path(sys.executable).parent
TARGETS = ("duckdb", "spark")
TINY_MODEL = "stg_meteo__weather"  # a one-table staging model: a dbt invocation that does almost nothing


def target_env(home: Path, target: str) -> dict[str, str]:
    settings = load_settings({**os.environ, "DATAOPS_HOME": str(home), "DATAOPS_TARGET": target,
                              "DAGSTER_HOME": str(home / "dagster")})
    return {**os.environ, **settings.dbt_env(), "DAGSTER_HOME": str(home / "dagster"),
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def prepared_home(root: Path, scale: float, target: str) -> Path:
    """<root>/scale-<s>/<target>: the scale's landing zone (generated once), nothing built yet."""
    landing_home = root / f"scale-{scale:g}" / "landing-home"
    if not (landing_home / "landing").exists():
        subprocess.run([str(BIN / "dataops"), "generate", "--scale", str(scale), "--seed", "42"],
                       env=target_env(landing_home, "duckdb"), check=True, capture_output=True)
        create_masking_key(landing_home)
    home = root / f"scale-{scale:g}" / target
    shutil.rmtree(home, ignore_errors=True)
    (home / "dagster").mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster" / "dagster.yaml")
    (home / "landing").symlink_to(landing_home / "landing")
    shutil.copy2(landing_home / "masking.key", home / "masking.key")
    return home


def timed(command: list[str], env: dict[str, str], timeout: float) -> dict:
    """Wall seconds, peak tree RSS (MiB), exit code and output tail of one command."""
    started = time.time()
    proc = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        output, _ = proc.communicate()
        proc.returncode = None
    ended = time.time()
    sampler.join(timeout=5)
    return {"seconds": round(ended - started, 1), "peak_rss_mib": round(sampler.peak(started, ended) / 2**20),
            "exit": proc.returncode, "dbt_invocations": len(re.findall(r"Running dbt command", output)),
            "tail": "" if proc.returncode == 0 else output[-1500:]}


def full_run(root: Path, scale: float, target: str, timeout: float) -> dict:
    home = prepared_home(root, scale, target)
    env = target_env(home, target)
    subprocess.run([str(BIN / "python"), "-m", "dataops_assets.dbt.manifest"], env=env, check=True, cwd=REPO)
    return timed([str(BIN / "dataops"), "materialize", "--partition-range", "all", "--log-level", "INFO"], env,
                 timeout)


def dbt_invocation(root: Path, target: str) -> dict:
    """One `dbt run` of a one-table model (after a run built the rest): the fixed cost of a dbt invocation."""
    home = root / "scale-0.01" / target
    return timed([str(BIN / "dbt"), "run", "--select", TINY_MODEL, "--project-dir", "dbt_project", "--profiles-dir",
                  "dbt_project", "--target-path", "target" if target == "duckdb" else f"target-{target}", "--quiet"],
                 target_env(home, target), timeout=600)


def table(result: dict) -> str:
    lines = ["| scale | DuckDB wall | DuckDB peak RSS | Spark wall | Spark peak RSS | Spark / DuckDB wall |",
             "|---|---|---|---|---|---|"]
    for scale, runs in result["runs"].items():
        duck, spark = runs.get("duckdb"), runs.get("spark")

        def cell(run: dict | None) -> tuple[str, str]:
            if run is None:
                return "not run", "-"
            if run.get("skipped"):
                return f"skipped ({run['skipped']})", "-"
            if run["exit"] != 0:
                return f"failed after {run['seconds']:.0f} s (exit {run['exit']})", f"{run['peak_rss_mib']:,} MiB"
            return f"{run['seconds']:.0f} s", f"{run['peak_rss_mib']:,} MiB"

        ratio = (f"{spark['seconds'] / duck['seconds']:.1f}x" if duck and spark and not spark.get("skipped")
                 and duck.get("exit") == 0 and spark.get("exit") == 0 else "-")
        lines.append(f"| {scale} | {' | '.join(cell(duck))} | {' | '.join(cell(spark))} | {ratio} |")
    fixed = result.get("fixed_cost")
    if fixed:
        lines.append("")
        lines.append(f"Spark's fixed cost: {fixed['per_invocation_s']:.1f} s per dbt invocation (one-model `dbt run`: "
                     f"Spark {fixed['spark_s']:.1f} s, DuckDB {fixed['duckdb_s']:.1f} s), "
                     f"{fixed['per_run_s']:.0f} s per full run ({fixed['invocations_per_run']} dbt invocations).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.01,1,10", help="comma-separated generator scales")
    parser.add_argument("--root", type=Path, default=REPO / ".dataops-scale-out", help="the homes' parent folder")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds a full run may take before it is stopped")
    args = parser.parse_args()
    root = args.root.resolve()
    unavailable = spark_unavailable()
    result: dict = {"runs": {}, "spark_unavailable": unavailable, "cpu_count": os.cpu_count()}
    for scale in (float(s) for s in args.scales.split(",")):
        runs = result["runs"][f"{scale:g}"] = {}
        for target in TARGETS:
            if target == "spark" and unavailable:
                runs[target] = {"skipped": unavailable}
                continue
            print(f"scale {scale:g}, {target}: dataops materialize --partition-range all ...", file=sys.stderr, flush=True)
            runs[target] = full_run(root, scale, target, args.timeout)
            print(f"  {runs[target]['seconds']} s, peak {runs[target]['peak_rss_mib']} MiB, exit {runs[target]['exit']}",
                  file=sys.stderr, flush=True)
    small = result["runs"].get("0.01", {})
    if not unavailable and small.get("duckdb", {}).get("exit") == 0 and small.get("spark", {}).get("exit") == 0:
        duck, spark = dbt_invocation(root, "duckdb"), dbt_invocation(root, "spark")
        per_invocation = spark["seconds"] - duck["seconds"]
        invocations = small["spark"]["dbt_invocations"]
        result["fixed_cost"] = {"duckdb_s": duck["seconds"], "spark_s": spark["seconds"],
                                "per_invocation_s": round(per_invocation, 1), "invocations_per_run": invocations,
                                "per_run_s": round(per_invocation * invocations, 1)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale_out.json").write_text(json.dumps(result, indent=2))
    print(table(result))


if __name__ == "__main__":
    main()
