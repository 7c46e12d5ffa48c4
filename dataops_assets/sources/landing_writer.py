"""Write generated tables as Parquet: landing tables as part files, each folder swapped in atomically."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from dataops_assets.sources.landing_contract import LandingTable, Schema
from dataops_assets.sources.random_columns import Columns, Sql
from dataops_assets.sql_text import literal

CHUNK_ROWS = 1_000_000
_RAW_VIEW = "landing_raw"


def select_list(label: str, schema: Schema, columns: Columns) -> str:
    """The typed SELECT list that turns a builder's raw columns into the schema's columns."""
    exprs = []
    for name, sql_type in schema:
        if name not in columns:
            raise ValueError(f"landing contract of {label} declares column {name!r}, which the sandbox generator does "
                             f"not produce: drop `generator: sandbox` from the table's meta (a real-drop table) or "
                             f"the column")
        value = columns[name]
        expr = value if isinstance(value, Sql) else f'"{name}"'
        exprs.append(f'CAST({expr} AS {sql_type}) AS "{name}"')
    return ", ".join(exprs)


def raw_table(columns: Columns) -> pa.Table:
    """The raw (non-Sql) columns as one Arrow table."""
    raw = {k: v for k, v in columns.items() if not isinstance(v, Sql)}
    return pa.table({k: v if isinstance(v, pa.Array) else np.asarray(v) for k, v in raw.items()})


def copy_to_parquet(con: duckdb.DuckDBPyConnection, part: pa.Table, select: str, path: Path) -> None:
    con.register(_RAW_VIEW, part)
    try:
        con.execute(f"COPY (SELECT {select} FROM {_RAW_VIEW}) TO {literal(path)} (FORMAT parquet, COMPRESSION zstd)")
    finally:
        con.unregister(_RAW_VIEW)


class TableSink:
    """Collects the part files of one table in a hidden temp folder until `commit`.

    The final folder is replaced only on commit, so a rerun never mixes old and new parts
    and readers never see a half-written table folder.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, landing_dir: Path, table: LandingTable) -> None:
        self.con = con
        self.table = table.key
        self.schema = table.columns
        self.final_dir = table.folder(landing_dir)
        self.tmp_dir = self.final_dir.with_name(f".{table.name}.tmp")
        shutil.rmtree(self.tmp_dir, ignore_errors=True)
        self.tmp_dir.mkdir(parents=True)
        self.parts = 0
        self.rows = 0

    def write(self, columns: Columns) -> None:
        """Write one part (split further if it exceeds CHUNK_ROWS rows)."""
        arrow = raw_table(columns)
        select = select_list(self.table, self.schema, columns)
        for offset in range(0, max(arrow.num_rows, 1), CHUNK_ROWS):
            part = arrow.slice(offset, CHUNK_ROWS)
            copy_to_parquet(self.con, part, select, self.tmp_dir / f"part-{self.parts:04d}.parquet")
            self.parts += 1
            self.rows += part.num_rows

    def commit(self) -> None:
        shutil.rmtree(self.final_dir, ignore_errors=True)
        self.tmp_dir.rename(self.final_dir)

    def abort(self) -> None:
        shutil.rmtree(self.tmp_dir, ignore_errors=True)
