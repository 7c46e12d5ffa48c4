"""`dataops materialize` exits 1 naming the products a run left blocked, though Dagster calls the run a success."""

from __future__ import annotations

import shutil
import subprocess

import dagster as dg
import pytest
from click.testing import CliRunner
from dagster._core.storage.dagster_run import DagsterRun

from dataops_assets.cli import materialize as command
from dataops_assets.catalog.spec import Partitioning
from dataops_assets.cli.partition_plan import PlannedRun
from dataops_assets.dbt.assets import BLOCKED_TAG
from dataops_assets.settings import REPO_ROOT

BLOCKED = "blocked: products mission_logistics not built (they read unusable landing tables): landing/meteo/weather: no files"


def test_a_run_tagged_blocked_makes_materialize_exit_1_naming_it(tmp_path, monkeypatch):
    (tmp_path / "dagster").mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", tmp_path / "dagster" / "dagster.yaml")
    monkeypatch.setenv("DATAOPS_HOME", str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    runs = [PlannedRun(Partitioning.NONE), PlannedRun(Partitioning.DAILY, "2026-01-01", "2026-01-01")]
    monkeypatch.setattr(command, "plan_runs", lambda *args: runs)
    monkeypatch.setattr(command, "used_partition_keys", lambda: {})

    def fake_dagster(args, **kwargs):  # the run succeeds; its dbt step tagged what it left out (the first only)
        if "tag:partitions=none" in args:
            with dg.DagsterInstance.from_config(str(tmp_path / "dagster")) as instance:
                instance.add_run(DagsterRun(job_name="__ASSET_JOB", run_id="r1", tags={BLOCKED_TAG: BLOCKED}))
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(command.subprocess, "run", fake_dagster)
    result = CliRunner().invoke(command.materialize, [])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: 1 of 2 runs failed or left products blocked: --select tag:partitions=none ({BLOCKED})")


def test_spark_without_java_stops_before_any_run_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("DATAOPS_HOME", str(tmp_path))
    monkeypatch.setenv("DATAOPS_TARGET", "spark")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on PATH either
    monkeypatch.setattr("dataops_assets.dbt.spark._importable", lambda module: True)  # the extra, installed or not
    started = []
    monkeypatch.setattr(command.subprocess, "run", lambda *args, **kwargs: started.append(args))
    result = CliRunner().invoke(command.materialize, [])
    assert result.exit_code == 1 and not started
    assert result.stderr.splitlines()[-1] == (
        "Error: DATAOPS_TARGET=spark: no Java runtime on PATH or JAVA_HOME; expected Java 17 or 21")


def test_parsing_for_spark_without_the_extra_is_one_line(tmp_path, monkeypatch):
    from dataops_assets.dbt.manifest import parse_project
    from dataops_assets.settings import load_settings

    monkeypatch.setattr("dataops_assets.dbt.spark._importable", lambda module: False)
    settings = load_settings({"DATAOPS_HOME": str(tmp_path), "DATAOPS_TARGET": "spark"})
    with pytest.raises(RuntimeError, match=r"^DATAOPS_TARGET=spark: dbt-spark and pyspark not installed; expected the "
                                           r"spark extra"):
        parse_project(settings, tmp_path)
