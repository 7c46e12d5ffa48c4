"""Ground truth about planted anomalies: <landing>/../ground_truth/<name>.parquet.

Beside the landing zone, not in it: the models never read it; tests and evaluations of the
detection rules do.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from dataops_assets.sources.landing_contract import Schema
from dataops_assets.sources.landing_writer import copy_to_parquet, raw_table, select_list
from dataops_assets.sources.random_columns import Columns

GROUND_TRUTH_SCHEMAS: dict[str, Schema] = {
    "procurement_spend_anomalies": (
        ("vendor_id", "VARCHAR"), ("category", "VARCHAR"), ("spend_month", "DATE"),
        ("anomaly", "VARCHAR"), ("planted_amount", "DOUBLE"),
    ),
}


def ground_truth_dir(landing_dir: Path) -> Path:
    return Path(landing_dir).parent / "ground_truth"


def ground_truth_paths(landing_dir: Path) -> list[Path]:
    """Every ground-truth file a generation writes."""
    return [ground_truth_dir(landing_dir) / f"{name}.parquet" for name in GROUND_TRUTH_SCHEMAS]


def write_ground_truth(con: duckdb.DuckDBPyConnection, landing_dir: Path, name: str, columns: Columns) -> Path:
    """Write one ground-truth file, replacing any earlier one in a single rename."""
    folder = ground_truth_dir(landing_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path, tmp = folder / f"{name}.parquet", folder / f".{name}.parquet.tmp"
    try:
        copy_to_parquet(con, raw_table(columns), select_list(name, GROUND_TRUTH_SCHEMAS[name], columns), tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
