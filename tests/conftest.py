"""Shared fixtures: a sandbox DATAOPS_HOME generated and materialized once per test session.

Tests are marked by folder (`-m integration`, `-m e2e`), and a test that leaves an environment
variable changed fails, so no test depends on what an earlier one set.

Under pytest-xdist (`make test` runs `-n 2`) the materialized home is built once for all workers, the
e2e tests share one worker (and so one `dagster dev`), and a module that declares a module-scoped fixture
stays on one worker, so that fixture runs once; every other test is scheduled on its own.
"""

from __future__ import annotations

import ast
import fcntl
import functools
import os
from pathlib import Path

import pytest

from tests.sandbox import SESSION_END_VARIABLE, TEST_END, generate, materialize

MARKED_FOLDERS = ("integration", "e2e", "spark")
PYTEST_OWN = {"PYTEST_CURRENT_TEST"}  # pytest sets it for each test phase


def pytest_configure(config) -> None:
    """The session's clock for every process: each xdist worker imports tests.sandbox a moment after the
    controller, and would read a later `now` than the worker that built the shared home (a second apart
    is enough to fail a test comparing the two)."""
    os.environ.setdefault(SESSION_END_VARIABLE, TEST_END.isoformat())


def spark_group_selected(config) -> bool:
    """The spark group runs only when `-m` names it (`make test-spark`: `-m spark`): it needs Java and the
    spark extra, and takes minutes."""
    return "spark" in (config.option.markexpr or "")


def pytest_terminal_summary(terminalreporter, config) -> None:
    """A run that leaves the spark group out (`make test`) says so, and whether it could run here."""
    if not spark_group_selected(config):
        from dataops_assets.dbt.spark import spark_unavailable

        reason = spark_unavailable()
        terminalreporter.write_line(
            "spark group (tests/spark) not run: `make test-spark` or `pytest -m spark` runs it"
            + (f"; here it would be skipped: {reason}" if reason else ""))


def pytest_collection_modifyitems(config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.path)).parent.name
        if folder in MARKED_FOLDERS:
            item.add_marker(folder)
    if not spark_group_selected(config):
        spark = [item for item in items if item.get_closest_marker("spark")]
        if spark:
            config.hook.pytest_deselected(items=spark)
            items[:] = [item for item in items if not item.get_closest_marker("spark")]


def pytest_xdist_make_scheduler(config, log):
    """Tests scheduled one by one, except the units `work_unit` groups. (xdist's own `loadgroup` marks
    groups by rewriting node ids, which pytest 9 no longer allows.)"""
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnits(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return WorkUnits(config, log)


def work_unit(nodeid: str) -> str:
    """What must run on one worker: the e2e tests (one `dagster dev`), a module with a module-scoped fixture."""
    module = nodeid.split("::", 1)[0]
    if module.startswith("tests/e2e/"):
        return "tests/e2e"
    return module if module in _modules_with_module_fixtures() else nodeid


@functools.cache
def _modules_with_module_fixtures() -> frozenset[str]:
    root = Path(__file__).parent
    found = set()
    for path in root.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "scope" and getattr(node.value, "value", None) == "module":
                found.add(path.relative_to(root.parent).as_posix())
    return frozenset(found)


@pytest.fixture(autouse=True)
def no_environment_leaks():
    before = dict(os.environ)
    yield
    after = dict(os.environ)
    changed = sorted(k for k in (before.keys() | after.keys()) - PYTEST_OWN if before.get(k) != after.get(k))
    assert not changed, f"the test left environment variables changed: {', '.join(changed)}"


@pytest.fixture(scope="session")
def defect_baseline(materialized_home: Path) -> Path:
    """The materialized home defect tests copy, corrupt and rerun (never changed itself): a run costs
    the same at these scales whatever the data, so one baseline serves every test."""
    return materialized_home


@pytest.fixture(scope="session")
def materialized_home(tmp_path_factory, worker_id: str) -> Path:
    """Landing data at scale 0.01 and every asset materialized into a fresh instance; read it, never change
    it (copy it to change it): every test, and under xdist every worker, shares it."""
    if worker_id == "master":
        return _materialize_home(tmp_path_factory.mktemp("dataops_home"))
    shared = tmp_path_factory.getbasetemp().parent  # the session's folder, above each worker's own
    with open(shared / "dataops_home.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker builds it; the others wait, then reuse it
        home = shared / "dataops_home"
        if not (home / ".materialized").exists():
            _materialize_home(home)
        return home


def _materialize_home(home: Path) -> Path:
    home.mkdir(exist_ok=True)
    generate(home)
    result = materialize(home)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (home / ".materialized").touch()
    return home
