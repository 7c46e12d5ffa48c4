"""Deterministic, vectorized synthetic landing zone: <landing>/<source>/<table>/part-NNNN.parquet.

Every table gets its own RNG stream per chunk (derived from the seed, the table name and
the chunk number), so results depend only on (scale, seed, end instant, days). Foreign keys
are computed from parent row indexes, so children never need their parents in memory.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dataops_assets.sources.event_window import Window, write_window_record
from dataops_assets.sources.fleet_tables import build_equipment, build_fleet_activity, build_weather
from dataops_assets.sources.ground_truth import ground_truth_dir, write_ground_truth
from dataops_assets.sources.helpdesk_tables import build_support_tickets
from dataops_assets.settings import REPO_ROOT
from dataops_assets.sources.landing_contract import SAMPLE_GENERATOR, SANDBOX_GENERATOR, LandingContract, LandingTable
from dataops_assets.sources.landing_import import import_landing
from dataops_assets.sources.landing_tables import (
    COUNTRIES, CUSTOMER_ID_PATTERN, EMAIL_PATTERN, LOGISTICS_REGIONS, row_counts, spend_history_days,
)
from dataops_assets.sources.landing_writer import CHUNK_ROWS, TableSink
from dataops_assets.sources.procurement_anomalies import spend_anomaly_truth
from dataops_assets.sources.procurement_tables import build_contracts, build_spend, build_vendors
from dataops_assets.sources.random_columns import Chunk, Columns, LandingContext
from dataops_assets.sources.retail_tables import build_customers, build_products, build_transactions
from dataops_assets.sources.shop_tables import ORDER_CHUNK_ROWS, build_order_chunk

__all__ = [
    "COUNTRIES", "CUSTOMER_ID_PATTERN", "EMAIL_PATTERN", "LOGISTICS_REGIONS", "generate_landing", "generated_tables",
    "ground_truth_dir",
]

Builder = Callable[[LandingContext, Chunk], dict[str, Columns]]


@dataclass(frozen=True)
class _Job:
    """One builder pass: `driver` sets the row count to chunk over; `tables` are written."""

    builder: Builder
    tables: tuple[str, ...]
    driver: str
    chunk_rows: int | None = CHUNK_ROWS  # None: one pass (the writer still splits big parts)


_JOBS: tuple[_Job, ...] = (
    _Job(build_transactions, ("transactions",), "transactions"),
    _Job(build_customers, ("customers",), "customers"),
    _Job(build_products, ("products",), "products"),
    _Job(build_order_chunk, ("orders", "returns", "payments"), "orders", ORDER_CHUNK_ROWS),
    _Job(build_support_tickets, ("support_tickets",), "support_tickets"),
    _Job(build_equipment, ("equipment",), "equipment"),
    _Job(build_fleet_activity, ("assignments", "maintenance"), "assignments", None),
    _Job(build_weather, ("weather",), "weather", None),
    _Job(build_vendors, ("vendors",), "vendors"),
    _Job(build_contracts, ("contracts",), "contracts"),
    _Job(build_spend, ("spend",), "spend"),
)


def _chunks(rows: int, chunk_rows: int | None) -> list[Chunk]:
    size = rows if chunk_rows is None else chunk_rows
    return [Chunk(i, start, min(start + size, rows)) for i, start in enumerate(range(0, rows, max(size, 1)))]


def _validate(scale: float, seed: int, end_date: dt.date | dt.datetime, days: int) -> None:
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale < math.inf:
        raise ValueError(f"scale: must be a number > 0, got {scale!r}")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days: must be an integer >= 1, got {days!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed: must be an integer >= 0, got {seed!r}")
    if not isinstance(end_date, dt.date):
        raise ValueError(f"end_date: must be a datetime.date or a naive UTC datetime.datetime, got {end_date!r}")


def generated_tables(contract: LandingContract) -> dict[str, LandingTable]:
    """The declared tables the sandbox generator fills, by table name (what its builders produce).

    A table without `generator: sandbox` is a real-drop table: the generator leaves it alone. Two
    such tables of one name would both claim a builder's output: that is an error.
    """
    built = {table for job in _JOBS for table in job.tables}
    found: dict[str, LandingTable] = {}
    for table in contract.values():
        if table.generator != SANDBOX_GENERATOR:
            continue
        if table.name not in built:
            raise ValueError(f"{table.yaml_file}: {table.key} has meta generator: {SANDBOX_GENERATOR}, but the sandbox "
                             f"generator builds no table {table.name!r} (it builds {', '.join(sorted(built))})")
        if table.name in found:
            raise ValueError(f"{table.yaml_file}: {table.key} and {found[table.name].key} both have meta generator: "
                             f"{SANDBOX_GENERATOR}; table names the sandbox generator fills must be unique")
        found[table.name] = table
    return found


def _run_job(con: duckdb.DuckDBPyConnection, landing_dir: Path, ctx: LandingContext, job: _Job,
             tables: dict[str, LandingTable]) -> dict[str, int]:
    sinks = {table: TableSink(con, landing_dir, tables[table]) for table in job.tables if table in tables}
    try:
        for chunk in _chunks(ctx.rows[job.driver], job.chunk_rows):
            for table, columns in job.builder(ctx, chunk).items():
                if table in sinks:
                    sinks[table].write(columns)
        for sink in sinks.values():
            sink.commit()
    except BaseException:
        for sink in sinks.values():
            sink.abort()
        raise
    return {sink.table: sink.rows for sink in sinks.values()}


def generate_landing(
    landing_dir: Path, contract: LandingContract, scale: float, seed: int, end_date: dt.date | dt.datetime,
    days: int = 90,
) -> dict[str, int]:
    """Write every landing table the contract gives to a generator; returns {"<source>/<table>": rows}.

    `generator: sandbox` tables are synthetic; `generator: sample` ones are their sample file (a path in
    the repository) imported as `dataops landing import` does, typed by the contract.

    Scale 1 is about 1M transactions; tables are written in chunks of <= 1M rows, one part
    file per chunk. The window ends at an instant: a date means its last second (23:59:59), a
    datetime (naive UTC; an aware one is converted) that second. Event timestamps fall between
    midnight of (end day - days + 1) and that instant, except procurement spend, which covers at
    least 540 days for its monthly history. Each table folder is replaced as a whole, never mixed
    with an earlier run's parts. The planted spend anomalies are listed in
    ground_truth_dir(landing_dir)/procurement_spend_anomalies.parquet, not a landing table.
    """
    _validate(scale, seed, end_date, days)
    tables = generated_tables(contract)
    ctx = LandingContext(seed=seed, scale=float(scale), window=Window.ending_at(end_date, days), rows=row_counts(scale, days))
    written: dict[str, int] = {}
    with duckdb.connect(":memory:", config={"threads": 2, "memory_limit": "1GB"}) as con:
        for job in _JOBS:
            if any(table in tables for table in job.tables):
                written.update(_run_job(con, Path(landing_dir), ctx, job, tables))
        write_ground_truth(con, Path(landing_dir), "procurement_spend_anomalies", spend_anomaly_truth(ctx))
    for table in (t for t in contract.values() if t.generator == SAMPLE_GENERATOR):
        written[table.key] = import_landing(REPO_ROOT / table.sample, Path(landing_dir), table.source, table.name,
                                            None, table).rows
    history_start = ctx.window.end_date - dt.timedelta(days=spend_history_days(days) - 1)
    write_window_record(Path(landing_dir), ctx.window, history_start)
    generated = [*tables.values(), *(t for t in contract.values() if t.generator == SAMPLE_GENERATOR)]
    return {f"{table.source}/{table.name}": written[table.key] for table in sorted(generated, key=lambda t: (t.source, t.name))}
