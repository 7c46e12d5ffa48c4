"""Benchmark: quality checks vs. `dbt build` on the same data, and the check step's peak memory.

    python benchmarks/quality_checks.py [--scale 10] [--home .dataops-bench]

Generates the landing zone at --scale if the home has none, runs raw `dbt build` (the baseline),
then runs every suite's checks exactly as the Dagster check steps do (read only the needed columns
from DuckDB, validate with GX) in a fresh process, and reports time ratio and peak RSS. Targets
(issue 4): checks <= 15 % of build time, peak RSS <= 2 GB. Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
TARGET_RATIO, TARGET_RSS_MB = 0.15, 2048


def run_checks(home: Path) -> dict:
    """The check steps' work for every suite, in this process; returns per-model seconds."""
    started = time.perf_counter()
    from dataops_assets.catalog.products import load_products, models_by_name, read_manifest, slos_by_product
    from dataops_assets.dbt.manifest import manifest_path
    from dataops_assets.governance.masking import needs_key
    from dataops_assets.quality.suite import load_suites
    from dataops_assets.quality.validation import validate_table
    from dataops_assets.settings import QUALITY_SUITES_DIR, load_settings

    settings = load_settings({**os.environ, "DATAOPS_HOME": str(home)})

    import duckdb

    manifest = read_manifest(manifest_path())
    models, products = models_by_name(manifest), load_products(manifest)
    suites = load_suites(QUALITY_SUITES_DIR, models, REPO, product_slos=slos_by_product(products))
    from dataops_assets.quality.validation import import_gx

    import_gx()  # (import cost is part of a real check step)

    imported = time.perf_counter()
    per_model, failed = {}, []
    for model, suite in suites.items():
        t0 = time.perf_counter()
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True, config=settings.duckdb_config) as con:
            masking = products[suite.product].example_masking(model)
            rows, results = validate_table(con, suite, models, settings.as_of, masking,
                                           settings.masking_key() if needs_key(masking) else None)
        failed += [f"{model}:{r.expectation.check_name}" for r in results if not r.passed]
        per_model[model] = {"rows": rows, "seconds": round(time.perf_counter() - t0, 3)}
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return {"import_seconds": round(imported - started, 3), "models": per_model, "failed": failed,
            "checks_peak_rss_mib": peak_mib}


def timed(cmd: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    """Wall seconds of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return seconds, proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--home", type=Path, default=REPO / ".dataops-bench")
    parser.add_argument("--checks-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    home = args.home.resolve()
    if args.checks_only:
        print(json.dumps(run_checks(home)))
        return

    bin_dir = Path(sys.executable).parent
    from dataops_assets.governance.masking import create_masking_key
    from dataops_assets.settings import load_settings

    create_masking_key(home)  # as `make instance` does: the public models mask with it

    settings = load_settings({**os.environ, "DATAOPS_HOME": str(home)})
    env = {**os.environ, **settings.dbt_env(), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    if not (home / "landing").exists():
        subprocess.run([str(bin_dir / "dataops"), "generate", "--scale", str(args.scale)], env=env, check=True)
    dbt = [str(bin_dir / "dbt"), "build", "--project-dir", "dbt_project", "--profiles-dir", "dbt_project", "--quiet"]
    dbt_seconds, _ = timed(dbt, env)
    # The first child of this process: RUSAGE_CHILDREN's peak is dbt's until here.
    dbt_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    check_seconds, proc = timed([sys.executable, __file__, "--checks-only", "--home", str(home)], env)
    detail = json.loads(proc.stdout)
    check_rss = detail["checks_peak_rss_mib"]
    result = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "scale": args.scale,
        "dbt_build_seconds": round(dbt_seconds, 2),
        "dbt_build_peak_rss_mib": dbt_rss,
        "checks_seconds": round(check_seconds, 2),
        "ratio_checks_to_build": round(check_seconds / dbt_seconds, 3),
        "ratio_without_gx_import": round((check_seconds - detail["import_seconds"]) / dbt_seconds, 3),
        "targets": {"ratio": TARGET_RATIO, "peak_rss_mib": TARGET_RSS_MB},
        **detail,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "quality_checks.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    verdict = "within" if result["ratio_checks_to_build"] <= TARGET_RATIO and check_rss <= TARGET_RSS_MB else "OUTSIDE"
    print(f"\nchecks {check_seconds:.1f} s = {result['ratio_checks_to_build']:.1%} of dbt build {dbt_seconds:.1f} s; "
          f"check step peak RSS {check_rss} MiB; {verdict} targets "
          f"(<= {TARGET_RATIO:.0%}, <= {TARGET_RSS_MB} MiB)")


if __name__ == "__main__":
    main()
