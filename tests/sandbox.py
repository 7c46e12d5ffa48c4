"""Helpers the tests share: a sandbox DATAOPS_HOME, generated and materialized the way users do it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# Every folder under models/products is a product (the catalog's layout, not a list kept here).
PRODUCT_IDS = frozenset(p.name for p in (REPO_ROOT / "dbt_project" / "models" / "products").iterdir() if p.is_dir())
TEST_SCALE = 0.01
TEST_SEED = 7
# The session's clock: generated data ends now (UTC), and every materialization is evaluated as of
# this instant, so clock-based checks (a stalled feed, complete months) do not drift while the
# suite runs. The suites' date checks still compare with today. One instant for the whole session:
# pytest-xdist's workers inherit it from the controller (tests/conftest.py), which reads it first.
SESSION_END_VARIABLE = "DATAOPS_TEST_SESSION_END"
TEST_END = (dt.datetime.fromisoformat(os.environ[SESSION_END_VARIABLE]) if os.environ.get(SESSION_END_VARIABLE)
            else dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0))


def dataops_env(home: Path, as_of: dt.datetime | None = TEST_END, target: str = "duckdb") -> dict[str, str]:
    """Environment for a subprocess working on `home`, with this venv's tools first on PATH.

    `as_of` pins the instant current-state models are evaluated at; None leaves the default
    (each dbt run's start). `target`: the dbt output (DATAOPS_TARGET), DuckDB unless a test says spark.
    """
    from dataops_assets.settings import load_settings

    return {
        **os.environ,
        **load_settings({"DATAOPS_HOME": str(home), "DATAOPS_TARGET": target}).dbt_env(),  # what the dbt profile reads
        "DATAOPS_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "DATAOPS_AS_OF": as_of.isoformat() if as_of else "",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }


@functools.cache
def project_manifest() -> dict:
    """The dbt manifest of the project under test (parsed first if it is missing or stale)."""
    from dataops_assets.catalog.products import read_manifest
    from dataops_assets.dbt.manifest import ensure_manifest
    from dataops_assets.settings import Settings

    return read_manifest(ensure_manifest(Settings(home=REPO_ROOT / ".dataops")))


def public_models() -> set[str]:
    """Every public model of every product (each version of a versioned one): each has a quality suite."""
    from dataops_assets.catalog.products import models_by_name

    return {name for name, node in models_by_name(project_manifest()).items() if node.get("access") == "public"}


def init_instance(home: Path, masking_key: bool = True) -> None:
    """What `make instance` does: the instance's dagster.yaml and (unless told not to) a masking key."""
    from dataops_assets.governance.masking import create_masking_key

    (home / "dagster").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster" / "dagster.yaml")
    if masking_key:
        create_masking_key(home)


def landing() -> dict:
    """The project's landing contract (dbt sources YAML), by (source, table)."""
    from dataops_assets.sources.landing_contract import landing_contract

    return landing_contract(project_manifest())


def generate(home: Path, scale: float = TEST_SCALE, seed: int = TEST_SEED) -> None:
    from dataops_assets.sources.generator import generate_landing

    generate_landing(home / "landing", landing(), scale=scale, seed=seed, end_date=TEST_END, days=90)


@dataclasses.dataclass(frozen=True)
class Materialized:
    """What a materialize call did: its exit code and output, and the Dagster runs it started."""

    returncode: int
    stdout: str
    stderr: str
    run_ids: frozenset[str]

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def materialize(home: Path, *args: str, select: str | None = None, partition: str | None = None,
                partition_range: str | None = None, as_of: dt.datetime | None = TEST_END,
                masking_key: bool = True, repo: Path = REPO_ROOT, target: str = "duckdb") -> Materialized:
    """`dataops materialize` as `make materialize` runs it (every partition unless args say otherwise),
    or with `select`, one `dagster asset materialize --select` (and `--partition`) as CI may run it.
    `masking_key=False`: no key is created for a home that has none. `repo`: a copy of the project
    (copy_repo) to run instead of this one. `target`: the dbt output to build with (duckdb or spark)."""
    init_instance(home, masking_key)
    before = run_ids(home)
    if args and args[0] == "--only":
        return _materialize_definitions(home, args[1:], as_of)
    if select is None:
        command = [str(VENV_BIN / "dataops"), "materialize", *(args or ("--partition-range", "all"))]
    else:
        command = [str(VENV_BIN / "dagster"), "asset", "materialize", "-m", "dataops_assets.definitions",
                   "--select", select, *(("--partition", partition) if partition else ()),
                   *(("--partition-range", partition_range) if partition_range else ())]
    result = subprocess.run(command, cwd=repo, env=repo_env(repo, dataops_env(home, as_of, target)),
                            capture_output=True, text=True)
    return Materialized(result.returncode, result.stdout, result.stderr, frozenset(run_ids(home) - before))


def _materialize_definitions(home: Path, names: tuple[str, ...], as_of: dt.datetime | None) -> Materialized:
    """Every partition of only the named partitions definitions (none, daily, monthly), one
    `dagster asset materialize` each, in that order: what `dataops materialize --partition-range all`
    runs for them, for tests that need fewer runs."""
    from dataops_assets.catalog.spec import Partitioning
    from dataops_assets.dbt.partitions import partition_keys
    from dataops_assets.settings import load_settings

    keys = partition_keys(load_settings({"DATAOPS_HOME": str(home)}))
    results = []
    for name in names:
        cadence = Partitioning(name)
        span = None if cadence is Partitioning.NONE else f"{keys[cadence][0]}...{keys[cadence][-1]}"
        results.append(materialize(home, select=f"tag:partitions={name}", partition_range=span, as_of=as_of))
    return Materialized(max(r.returncode for r in results), "".join(r.stdout for r in results),
                        "".join(r.stderr for r in results), frozenset().union(*(r.run_ids for r in results)))


def copy_repo(target: Path) -> Path:
    """A copy of this project's files (tracked or not, but not ignored) at `target`: a project to change,
    run through repo_env, without touching this one."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (REPO_ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, target / name)
    return target


def repo_env(repo: Path, env: dict[str, str]) -> dict[str, str]:
    """`env` for a process that must import dataops_assets from `repo` (a copy_repo), not from this checkout."""
    return env if repo == REPO_ROOT else {**env, "PYTHONPATH": str(repo)}


def dataops(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    """The `dataops` command of project `repo` on `home`."""
    return subprocess.run([sys.executable, "-m", "dataops_assets.cli.main", *args], cwd=repo,
                          env=repo_env(repo, dataops_env(home)), capture_output=True, text=True)


def run_ids(home: Path) -> set[str]:
    import dagster as dg

    if not (home / "dagster").exists():
        return set()
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        return {run.run_id for run in instance.get_runs()}


def run_tags(home: Path, run_id: str) -> dict[str, str]:
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        return dict(instance.get_run_by_id(run_id).tags)


def copy_home(source: Path, target: Path) -> Path:
    """A copy of a materialized home whose staging views read the copy's landing zone.

    Staging views name their landing files by absolute path; a run that does not rebuild them
    (a daily or monthly one) would otherwise read the original's files.
    """
    shutil.copytree(source, target)
    result = subprocess.run(
        [str(VENV_BIN / "dbt"), "run", "--select", "path:models/staging", "--project-dir", "dbt_project",
         "--profiles-dir", "dbt_project", "--target-path", str(target / "dbt_target"), "--quiet"],
        cwd=REPO_ROOT, env=dataops_env(target), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    return target


def rewrite_landing(home: Path, source: str, table: str, select_sql: str) -> None:
    """Replace a landing table by `select_sql` evaluated over its current rows (the table `landing`)."""
    import duckdb

    folder = home / "landing" / source / table
    rewritten = folder.parent / f"{table}.rewritten.parquet"
    con = duckdb.connect()
    try:
        con.execute(f"create table landing as select * from read_parquet('{folder}/*.parquet')")
        con.execute(f"copy ({select_sql}) to '{rewritten}' (format parquet)")
    finally:
        con.close()
    shutil.rmtree(folder)
    folder.mkdir()
    rewritten.rename(folder / "part-0000.parquet")


def warehouse_scalar(home: Path, sql: str):
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def check_evaluation(home: Path, model: str, check: str) -> tuple[bool | None, str | None]:
    """Latest evaluation of one check: (passed, severity), or (None, None) when it did not run."""
    evaluation = _latest_evaluation(home, model, check)
    return (None, None) if evaluation is None else (evaluation.passed, evaluation.severity.value)


def check_metadata(home: Path, model: str, check: str) -> dict:
    """Metadata values of the latest evaluation of one check."""
    evaluation = _latest_evaluation(home, model, check)
    return {key: value.value for key, value in evaluation.metadata.items()}


def _latest_evaluation(home: Path, model: str, check: str):
    import dagster as dg
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

    key = dg.AssetCheckKey(dg.AssetKey(model), check)
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key]).get(key)
        if record is None or record.status == AssetCheckExecutionRecordStatus.PLANNED or record.event is None:
            return None
        return record.event.dagster_event.event_specific_data


def latest_materialization_run(home: Path, asset: str) -> str | None:
    """Run id of the asset's latest materialization ("customer_360", "published_customer_360")."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey.from_user_string(asset))
        return event.run_id if event else None


def published_version(home: Path, product: str, model: str) -> int | None:
    """The version `current` names for a public model, or None when nothing was published."""
    from dataops_assets.publish.records import current_publication

    publication = current_publication(home / "published", product, model)
    return publication.version if publication else None


def product_of(model: str) -> str:
    from dataops_assets.catalog.products import models_by_name

    return models_by_name(project_manifest())[model]["group"]


def latest_run_id(home: Path) -> str:
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        return instance.get_runs(limit=1)[0].run_id
