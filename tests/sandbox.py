"""Helpers the tests share: a sandbox DATAOPS_HOME, generated and materialized the way users do it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
TEST_SCALE = 0.01
TEST_SEED = 7
TEST_END_DATE = dt.date(2026, 11, 1)


def dataops_env(home: Path) -> dict[str, str]:
    """Environment for a subprocess working on `home`, with this venv's tools first on PATH."""
    return {
        **os.environ,
        "DATAOPS_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def init_instance(home: Path) -> None:
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster" / "dagster.yaml")


def generate(home: Path, scale: float = TEST_SCALE, seed: int = TEST_SEED) -> None:
    from dataops_assets.sources.generator import generate_landing

    generate_landing(home / "landing", scale=scale, seed=seed, end_date=TEST_END_DATE, days=90)


def materialize(home: Path, select: str = "*") -> subprocess.CompletedProcess:
    """`dagster asset materialize` exactly as CI and `make materialize` run it."""
    init_instance(home)
    return subprocess.run(
        [str(VENV_BIN / "dagster"), "asset", "materialize", "-m", "dataops_assets.definitions", "--select", select],
        cwd=REPO_ROOT,
        env=dataops_env(home),
        capture_output=True,
        text=True,
    )


