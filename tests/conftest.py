"""Shared fixtures: a sandbox DATAOPS_HOME generated and materialized once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sandbox import generate, materialize


@pytest.fixture(scope="session")
def materialized_home(tmp_path_factory) -> Path:
    """Landing data at scale 0.01 and every asset materialized into a fresh instance."""
    home = tmp_path_factory.mktemp("dataops_home")
    generate(home)
    result = materialize(home)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return home
