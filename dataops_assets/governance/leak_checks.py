"""The `pii_leak` check: an `error` asset check on every public model (the rows the run built) and on every
published snapshot (its files, before `current` names them). It fails on any text cell that looks like an
email, phone number or national id, or equals a raw PII value of the landing zone (leaks.py)."""

from collections.abc import Callable, Mapping
from pathlib import Path

import dagster as dg
import duckdb

from dataops_assets.dbt.partitions import window_predicate
from dataops_assets.governance.leaks import describe_leaks, find_leaks, load_raw_pii
from dataops_assets.sql_text import parquet_files
from dataops_assets.lifecycle.sanitize import NATIONAL_ID_COLUMNS, PII_RULES
from dataops_assets.quality.checks import CheckedModel, checked_window, window_label
from dataops_assets.settings import DUCKDB_POOL
from dataops_assets.warehouse_resource import WarehouseResource

PII_LEAK_CHECK = "pii_leak"
DESCRIPTION = ("no text cell holds an email address, phone number or national id, or a raw PII value of the "
               "landing zone (governance/leaks.py)")


class PiiLeakError(ValueError):
    """PII found where consumers read."""


def load_landing_pii(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> int:
    """The landing zone's raw PII values (every PII column of PII_RULES, every national-id column) into the
    connection's temporary table that find_leaks reads; how many there are."""
    return load_raw_pii(con, landing_dir, PII_RULES, NATIONAL_ID_COLUMNS)


def scan_files(con: duckdb.DuckDBPyConnection, files: list[Path], landing_dir: Path) -> dict[str, int]:
    """Leaks in Parquet files (a published version): {"<column>: <kind>": cells}."""
    if not files:
        return {}
    load_landing_pii(con, landing_dir)
    return find_leaks(con, parquet_files(files))


def snapshot_vet(model: str, landing_dir: Path, found: dict[str, int]) -> Callable[[duckdb.DuckDBPyConnection, list[Path]], None]:
    """A publish_snapshot `vet` that records what it found in `found` and refuses a version holding PII."""
    def vet(con: duckdb.DuckDBPyConnection, files: list[Path]) -> None:
        found.update(scan_files(con, files, landing_dir))
        if found:
            raise PiiLeakError(f"{model}: PII in the version to publish ({describe_leaks(found)}); not published, "
                               "the previous version stays current")
    return vet


def leak_metadata(found: Mapping[str, int], checked: str) -> dict[str, dg.MetadataValue]:
    return {"severity": dg.MetadataValue.text("error"),
            "checked": dg.MetadataValue.text(checked),
            "leaks": dg.MetadataValue.json(dict(sorted(found.items()))),
            "cells": dg.MetadataValue.int(sum(found.values()))}


def leak_check_spec(key: dg.AssetKey, partitions_def: dg.PartitionsDefinition | None = None) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name=PII_LEAK_CHECK, asset=key, blocking=True, description=DESCRIPTION,
                             metadata={"severity": "error"}, partitions_def=partitions_def)


def build_pii_leak_checks(models: Mapping[str, CheckedModel], landing_dir: Path) -> list[dg.AssetChecksDefinition]:
    """One `pii_leak` check per public model, reading only the partition(s) the run built."""
    return [_leak_check(name, model, landing_dir) for name, model in sorted(models.items())]


def _leak_check(name: str, model: CheckedModel, landing_dir: Path) -> dg.AssetChecksDefinition:
    @dg.multi_asset_check(specs=[leak_check_spec(model.key, model.partitions_def)], name=f"pii_leak_{name}",
                          pool=DUCKDB_POOL, description=f"PII leak scan of {name}")
    def pii_leak(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        window = checked_window(context, model)
        where = window_predicate(model.partition_column, window) if window else None
        with warehouse.get_connection() as con:
            values = load_landing_pii(con, landing_dir)
            found = find_leaks(con, model.relation, where)
        context.log.info(f"{name}: scanned against {values} raw PII values of {landing_dir}")
        yield dg.AssetCheckResult(
            asset_key=model.key, check_name=PII_LEAK_CHECK, passed=not found, severity=dg.AssetCheckSeverity.ERROR,
            description=f"PII found: {describe_leaks(found)}" if found else None,
            metadata=leak_metadata(found, window_label(window) or "every row"))

    return pii_leak
