"""Paths and environment in one place: the only module that reads os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
QUALITY_SUITES_DIR = REPO_ROOT / "quality_suites"

DEFAULT_HOME = ".dataops"
# Every step that opens the DuckDB warehouse claims this Dagster pool (limit 1 in dagster.yaml).
DUCKDB_POOL = "duckdb"
STAGES = ("sandbox", "pilot", "production")


@dataclass(frozen=True)
class Settings:
    """Where a run reads and writes; every path derives from `home`."""

    home: Path
    stage: str = "sandbox"
    dagster_home: Path | None = None

    @property
    def landing_dir(self) -> Path:
        return self.home / "landing"

    @property
    def warehouse_path(self) -> Path:
        # dbt freezes the file stem into the manifest as the database name: keep it fixed.
        return self.home / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.home / "published"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def instance_dir(self) -> Path:
        """DAGSTER_HOME: the Dagster instance (runs, events, check results)."""
        return self.dagster_home or self.home / "dagster"

    def dbt_env(self) -> dict[str, str]:
        """Variables dbt subprocesses read: the profile's paths, and how tests follow a selection.

        `buildable` runs a test in the step that builds the last of its parents, so a product's
        relationship test to a staging model runs with the product, not with the staging layer.
        """
        return {"DATAOPS_HOME": str(self.home), "DBT_INDIRECT_SELECTION": "buildable"}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from the environment; defaults only where a variable is unset."""
    env = os.environ if environ is None else environ
    home = Path(env.get("DATAOPS_HOME") or DEFAULT_HOME).expanduser().resolve()
    stage = env.get("DATAOPS_STAGE") or "sandbox"
    if stage not in STAGES:
        raise ValueError(f"DATAOPS_STAGE: expected one of {', '.join(STAGES)}, got {stage!r}")
    dagster_home = env.get("DAGSTER_HOME")
    return Settings(
        home=home, stage=stage, dagster_home=Path(dagster_home).expanduser().resolve() if dagster_home else None
    )


def export_dbt_env(settings: Settings) -> None:
    """Make dbt subprocesses (which inherit os.environ) see absolute paths."""
    os.environ.update(settings.dbt_env())
