"""Build one dataset: dbt builds the product's public models (and what they read) into the dataset's
own warehouse, then each public model is published (PII masked) under the dataset's folder."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from dataops_assets.catalog.products import DataProduct
from dataops_assets.dbt.assets import dbt_run_env
from dataops_assets.dbt.manifest import dbt_executable
from dataops_assets.lifecycle.workspace import DatasetWorkspace
from dataops_assets.publish.assets import published_query
from dataops_assets.publish.snapshots import publish_snapshot
from dataops_assets.settings import DBT_PROJECT_DIR, process_env


@dataclass(frozen=True)
class DbtOutcome:
    returncode: int
    failed_tests: tuple[str, ...]  # `error` tests that failed
    errored_nodes: tuple[str, ...]  # models or tests that could not run
    log_tail: str


def build(product: DataProduct, space: DatasetWorkspace) -> DbtOutcome:
    """`dbt build` of the product's public models and their ancestors into the dataset's warehouse."""
    space.target_dir.mkdir(parents=True, exist_ok=True)
    env = process_env(dbt_run_env(space.settings, None))  # every partition
    command = [dbt_executable(), "build", "--select", *(f"+{m}" for m in product.public_models),
               "--exclude-resource-type", "unit_test", "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(space.target_dir / "target"),
               "--log-path", str(space.target_dir / "logs")]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    failed, errored = _failures(space.target_dir / "target" / "run_results.json")
    return DbtOutcome(done.returncode, failed, errored, (done.stdout + done.stderr)[-2000:])


def publish(product: DataProduct, space: DatasetWorkspace, relations: dict[str, str], run_id: str) -> dict[str, Any]:
    """Publish every public model of the dataset's warehouse (PII masked as the spec says); model -> files."""
    published = {}
    with duckdb.connect(str(space.settings.warehouse_path), config=space.settings.duckdb_config) as con:
        for model in product.public_models:
            query = published_query(relations[model], product.pii_masking(model))  # consumers' masking
            publication = publish_snapshot(con, space.settings.published_dir, product.id, model, query,
                                           run_id=run_id, keep=1)
            published[model] = {"path": str(publication.path), "rows": publication.rows}
    return published


def _failures(run_results: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not run_results.exists():
        return (), ("dbt wrote no run_results.json",)
    results = json.loads(run_results.read_text())["results"]
    failed = tuple(r["unique_id"] for r in results if r["status"] == "fail")
    errored = tuple(r["unique_id"] for r in results if r["status"] in ("error", "skipped"))
    return failed, errored

