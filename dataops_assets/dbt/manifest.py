"""Keep dbt's manifest in step with the project: parse when it is missing or older than a source file."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from dataops_assets.settings import DBT_PROJECT_DIR, Settings

_WATCHED = ("models", "macros", "tests")
_WATCHED_FILES = ("dbt_project.yml", "profiles.yml")


def dbt_executable() -> str:
    """The dbt installed beside this interpreter, so an inactive venv still works."""
    return str(Path(sys.executable).parent / "dbt")


def target_path(target: str = "duckdb") -> str:
    """dbt's artifacts folder for a target, relative to the project: one per target, since configs depend on
    the adapter (a Spark manifest is not DuckDB's), so switching targets never reparses the other's."""
    return "target" if target == "duckdb" else f"target-{target}"


def manifest_path(project_dir: Path = DBT_PROJECT_DIR, target: str = "duckdb") -> Path:
    return project_dir / target_path(target) / "manifest.json"


def _newest_source_mtime(project_dir: Path) -> float:
    files = [project_dir / name for name in _WATCHED_FILES]
    for folder in _WATCHED:
        files.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return max((p.stat().st_mtime for p in files if p.exists()), default=0.0)


def is_stale(project_dir: Path = DBT_PROJECT_DIR, target: str = "duckdb") -> bool:
    manifest = manifest_path(project_dir, target)
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(project_dir)


def ensure_manifest(settings: Settings, project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Return the manifest path, running `dbt parse` first if the manifest is stale."""
    manifest = manifest_path(project_dir, settings.target)
    if not is_stale(project_dir, settings.target):
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.parent / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent step processes parse once, not in parallel
        if is_stale(project_dir, settings.target):
            parse_project(settings, project_dir)
    return manifest


def parse_project(settings: Settings, project_dir: Path = DBT_PROJECT_DIR) -> None:
    if settings.target == "spark":
        from dataops_assets.dbt.spark import spark_unavailable

        if unavailable := spark_unavailable():
            raise RuntimeError(unavailable)
    result = subprocess.run(
        [dbt_executable(), "parse", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir), "--quiet",
         "--target-path", target_path(settings.target)],
        env={**os.environ, **settings.dbt_env()},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{project_dir}: `dbt parse` failed: {dbt_error_summary(result.stdout + result.stderr)}")


def dbt_error_summary(output: str) -> str:
    """dbt's multi-line error as one line: its kind, where, and the first line of detail."""
    lines = output.splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if "Encountered an error" in line), 0)
    kept = []
    for line in (line.strip() for line in lines[start:]):
        if not line or line.startswith(("---", "Raw Error")) or line[0].isdigit():
            continue
        kept.append(line)
        if len(kept) == 3:
            break
    return ": ".join(kept) or "no output"


if __name__ == "__main__":  # `make parse`: dbt parse with the settings' environment
    from dataops_assets.settings import load_settings

    parse_project(load_settings())
