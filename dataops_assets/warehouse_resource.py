"""The warehouse as a Dagster resource: checks and publish assets read what the run built through it (warehouse.py)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster_duckdb import DuckDBResource

from dataops_assets.settings import Settings
from dataops_assets.warehouse import open_warehouse, spark_tables_dir


class WarehouseResource(DuckDBResource):
    """dagster-duckdb's resource over the warehouse file, or, with `spark_warehouse_dir`, over Spark's tables."""

    spark_warehouse_dir: str | None = None

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self.spark_warehouse_dir is None:  # dagster-duckdb's, which retries while another process holds the file
            with super().get_connection() as con:
                yield con
            return
        with open_warehouse(Path(self.database), self.connection_config, False, Path(self.spark_warehouse_dir)) as con:
            yield con


def warehouse_resource(settings: Settings) -> WarehouseResource:
    spark = spark_tables_dir(settings)
    return WarehouseResource(database=str(settings.warehouse_path), connection_config=settings.duckdb_config,
                             spark_warehouse_dir=str(spark) if spark else None)
