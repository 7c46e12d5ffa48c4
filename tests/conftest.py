"""Shared fixtures: a sandbox DATAOPS_HOME generated and materialized once per test session.

Tests are marked by folder (`-m integration`, `-m e2e`), and a test that leaves an environment
variable changed fails, so no test depends on what an earlier one set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.sandbox import generate, materialize

MARKED_FOLDERS = ("integration", "e2e")
PYTEST_OWN = {"PYTEST_CURRENT_TEST"}  # pytest sets it for each test phase


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.path)).parent.name
        if folder in MARKED_FOLDERS:
            item.add_marker(folder)


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
def materialized_home(tmp_path_factory) -> Path:
    """Landing data at scale 0.01 and every asset materialized into a fresh instance."""
    home = tmp_path_factory.mktemp("dataops_home")
    generate(home)
    result = materialize(home)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return home
