"""The write zone as Python reads it: one DuckDB connection in which every model's relation_name resolves,
whichever dbt target built it. Checks, publication, the lifecycle gate and the token vault read through here.

- duckdb target: the warehouse file dbt wrote.
- spark target: an in-memory DuckDB with one view per table Spark wrote, `<schema>.<table>` (dbt-spark's
  relation_name) over the table's Parquet files under settings.spark_warehouse_dir, Hive partition folders as
  columns. No JVM starts and Spark's single-process Derby metastore stays free for the next dbt step; the cost is
  that only tables are readable (Spark views have no files), so on Spark the project materializes staging and
  intermediate models as tables (dbt_project.yml), and the views are rebuilt on every connection (a directory
  listing and a Parquet footer per table: milliseconds).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dataops_assets.settings import Settings
from dataops_assets.sql_text import literal, quote

_PARTITION_FOLDER = re.compile(r"^[^=/]+=")
SPARK_SCHEMA_SUFFIX = ".db"  # Spark's folder for a schema (database) under its warehouse directory


def spark_tables_dir(settings: Settings) -> Path | None:
    """Where the settings' target keeps its tables as files: Spark's warehouse folder; None on DuckDB."""
    return settings.spark_warehouse_dir if settings.target == "spark" else None


@contextmanager
def connect_warehouse(settings: Settings, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to what the settings' target built, outside Dagster (the lifecycle gate and publication)."""
    with open_warehouse(settings.warehouse_path, settings.duckdb_config, read_only, spark_tables_dir(settings)) as con:
        yield con


@contextmanager
def open_warehouse(database: Path, config: dict, read_only: bool = False,
                   spark_warehouse_dir: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The DuckDB warehouse file, or (`spark_warehouse_dir`) an in-memory DuckDB over Spark's tables."""
    if spark_warehouse_dir is None:
        with duckdb.connect(str(database), read_only=read_only, config=config) as con:
            yield con
        return
    with duckdb.connect(config=config) as con:
        attach_spark_tables(con, spark_warehouse_dir)
        yield con


def attach_spark_tables(con: duckdb.DuckDBPyConnection, warehouse_dir: Path) -> list[str]:
    """A view `<schema>.<table>` over each table folder Spark wrote that holds Parquet files; their names."""
    names = []
    for schema_dir in sorted(warehouse_dir.glob(f"*{SPARK_SCHEMA_SUFFIX}")):
        schema = schema_dir.name.removesuffix(SPARK_SCHEMA_SUFFIX)
        con.execute(f"create schema if not exists {quote(schema)}")
        for table_dir in sorted(p for p in schema_dir.iterdir() if p.is_dir()):
            if not any(table_files(table_dir)):
                continue  # a table Spark has not written yet, or an empty one: reading it says it does not exist
            partitioned = any(_PARTITION_FOLDER.match(p.name) for p in table_dir.iterdir() if p.is_dir())
            pattern = table_dir / ("**/*.parquet" if partitioned else "*.parquet")
            con.execute(f"create or replace view {quote(schema)}.{quote(table_dir.name)} as select * from "
                        f"read_parquet({literal(pattern)}, hive_partitioning = {str(partitioned).lower()})")
            names.append(f"{schema}.{table_dir.name}")
    return names


def table_files(table_dir: Path) -> Iterator[Path]:
    """The Parquet data files of one Spark table (Spark's _SUCCESS markers and hidden files are not data)."""
    return (p for p in table_dir.rglob("*.parquet") if not p.name.startswith(("_", ".")))
