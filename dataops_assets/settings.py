"""Paths and environment in one place: the only module that reads os.environ."""

from __future__ import annotations

import datetime as dt
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
    # The UTC instant current-state models are evaluated at; None: each dbt run's start.
    as_of: dt.datetime | None = None

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
        DATAOPS_AS_OF reaches dbt as the `as_of` var (dbt_project.yml); empty means the run's start.
        """
        return {
            "DATAOPS_HOME": str(self.home),
            "DBT_INDIRECT_SELECTION": "buildable",
            "DATAOPS_AS_OF": self.as_of.strftime("%Y-%m-%d %H:%M:%S") if self.as_of else "",
        }


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from the environment; defaults only where a variable is unset."""
    env = os.environ if environ is None else environ
    home = Path(env.get("DATAOPS_HOME") or DEFAULT_HOME).expanduser().resolve()
    stage = env.get("DATAOPS_STAGE") or "sandbox"
    if stage not in STAGES:
        raise ValueError(f"DATAOPS_STAGE: expected one of {', '.join(STAGES)}, got {stage!r}")
    dagster_home = env.get("DAGSTER_HOME")
    return Settings(
        home=home,
        stage=stage,
        dagster_home=Path(dagster_home).expanduser().resolve() if dagster_home else None,
        as_of=parse_as_of(env.get("DATAOPS_AS_OF") or ""),
    )


def parse_as_of(text: str) -> dt.datetime | None:
    """DATAOPS_AS_OF as a naive UTC instant: ISO 8601, a UTC offset is converted, none means UTC."""
    if not text.strip():
        return None
    try:
        instant = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"DATAOPS_AS_OF: expected an ISO 8601 instant such as 2026-11-26T14:30:00Z, got {text!r}"
        ) from None
    if instant.tzinfo is not None:
        instant = instant.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return instant.replace(microsecond=0)


def export_dbt_env(settings: Settings) -> None:
    """Make dbt subprocesses (which inherit os.environ) see absolute paths."""
    os.environ.update(settings.dbt_env())
