"""A broken suite, spec or landing declaration stops every command that loads the catalog with the same one
line, and Dagster's definitions loading shows that line before its traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sandbox import VENV_BIN, copy_repo, dataops, dataops_env, init_instance, repo_env

SUITE = "quality_suites/product_performance/product_performance.json"
SUITE_ERROR = f"{SUITE}: expected a JSON object with an 'expectations' list"
COMMANDS = [
    ("products", "list"), ("products", "show", "product_performance"), ("summary",), ("quality", "report"),
    ("slo", "report"), ("policy", "check"), ("impact", "crm.customers"), ("contract", "export", "product_performance"),
    ("materialize", "--dry-run"), ("pii", "grant", "a@example.com", "--product", "customer_360"),
    ("datasets", "provision", "--product", "customer_360", "--stage", "sandbox"),
    ("published", "list", "--product", "product_performance"),
]


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> tuple[Path, Path]:
    repo = copy_repo(tmp_path_factory.mktemp("repo"))
    home = tmp_path_factory.mktemp("home")
    init_instance(home)
    suite = repo / SUITE
    suite.write_text(suite.read_text().replace('"expectations": [', '"expectations": 3, "was": [', 1))
    assert dataops(repo, home, "products", "list").returncode == 1  # parses the copy once, before the others
    return repo, home


@pytest.fixture(scope="module")
def outcomes(broken) -> dict[tuple[str, ...], dict]:
    """Every command's exit code and stderr, all run in one process of the broken project (one start-up of
    Python and its imports instead of one per command; each command is click's, as the `dataops` script runs it)."""
    repo, home = broken
    driver = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from dataops_assets.cli.main import cli\n"
        "found = []\n"
        "for args in json.loads(sys.argv[1]):\n"
        "    result = CliRunner().invoke(cli, args)\n"
        "    found.append({'exit_code': result.exit_code, 'stderr': result.stderr, 'stdout': result.stdout})\n"
        "print(json.dumps(found))\n"
    )
    result = subprocess.run([sys.executable, "-c", driver, json.dumps(COMMANDS)], cwd=repo,
                            env=repo_env(repo, dataops_env(home)), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(zip(COMMANDS, json.loads(result.stdout.splitlines()[-1])))


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_that_loads_the_catalog_exits_1_with_the_one_line(outcomes, command):
    outcome = outcomes[command]
    assert outcome["exit_code"] == 1, outcome
    assert outcome["stderr"] == f"Error: {SUITE_ERROR}\n"


def test_definitions_loading_shows_the_line_before_dagsters_traceback(broken):
    repo, home = broken
    result = subprocess.run([str(VENV_BIN / "dagster"), "asset", "materialize", "-m", "dataops_assets.definitions",
                             "--select", "*"], cwd=repo, env=repo_env(repo, dataops_env(home)),
                            capture_output=True, text=True)
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if SUITE_ERROR in line]
    assert ours[0] == f"dataops_assets.definitions: {SUITE_ERROR}"
    first_traceback = result.stderr.splitlines().index("Traceback (most recent call last):")
    assert result.stderr.splitlines().index(ours[0]) < first_traceback
    assert "During handling of the above exception" not in result.stderr
