"""dbt's own unit tests (fixed input rows, expected output rows) for the rules that are easiest to
get wrong: order revenue, complete-month growth and contract proration. Runs keep them out of
`dbt build` (they test logic, not data); here they run against a copy of the session's warehouse (dbt
writes its fixtures into the database it tests in)."""

from __future__ import annotations

import shutil
import subprocess

from tests.sandbox import REPO_ROOT, VENV_BIN, dataops_env, project_manifest


def test_dbt_unit_tests_pass(materialized_home, tmp_path):
    project = REPO_ROOT / "dbt_project"
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(materialized_home / "warehouse.duckdb", home / "warehouse.duckdb")
    (home / "landing").symlink_to(materialized_home / "landing")
    result = subprocess.run(
        [str(VENV_BIN / "dbt"), "test", "--select", "test_type:unit", "--project-dir", str(project),
         "--profiles-dir", str(project), "--target-path", str(tmp_path / "target")],
        env=dataops_env(home), capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    expected = len(project_manifest().get("unit_tests", {}))
    assert expected >= 4
    assert f"PASS={expected} " in result.stdout
