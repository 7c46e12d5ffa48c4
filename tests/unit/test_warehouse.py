"""The warehouse seam: on the spark target, Python reads Spark's tables from their Parquet files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from dataops_assets.settings import load_settings
from dataops_assets.warehouse import attach_spark_tables, connect_warehouse


def spark_table(warehouse: Path, name: str, rows: str, partition: str | None = None) -> Path:
    """A table folder laid out as Spark writes one: part files, a _SUCCESS marker, Hive partition folders."""
    folder = warehouse / "main.db" / name
    folder.mkdir(parents=True)
    (folder / "_SUCCESS").write_text("")
    with duckdb.connect() as con:
        if partition is None:
            con.execute(f"copy ({rows}) to '{folder / 'part-00000-c000.snappy.parquet'}' (format parquet)")
        else:
            con.execute(f"copy ({rows}) to '{folder}' (format parquet, partition_by ({partition}), overwrite_or_ignore)")
    return folder


def test_spark_tables_read_as_their_relation_names_with_partition_columns(tmp_path):
    warehouse = tmp_path / "spark" / "warehouse"
    spark_table(warehouse, "equipment_status", "select 'EQ-1' as equipment_id, 0.5 as risk_score")
    spark_table(warehouse, "sales_daily_metrics",
                "select * from (values (date '2026-11-01', 'europe', 10.5), (date '2026-11-02', 'asia', 2.0)) "
                "as t(sales_date, region, revenue)", partition="sales_date")
    (warehouse / "main.db" / "not_built_yet").mkdir()  # a table Spark has not written: no view, no error

    settings = load_settings({"DATAOPS_HOME": str(tmp_path), "DATAOPS_TARGET": "spark"})
    with connect_warehouse(settings, read_only=True) as con:
        assert con.execute("select * from main.equipment_status").fetchall() == [("EQ-1", 0.5)]
        rows = con.execute("select sales_date, region, revenue from main.sales_daily_metrics order by 1").fetchall()
        assert rows == [(dt.date(2026, 11, 1), "europe", 10.5), (dt.date(2026, 11, 2), "asia", 2.0)]
        with pytest.raises(duckdb.CatalogException):
            con.execute("select * from main.not_built_yet")
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_the_duckdb_target_reads_the_warehouse_file(tmp_path):
    settings = load_settings({"DATAOPS_HOME": str(tmp_path)})
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("create table main.t as select 1 as x")
    with connect_warehouse(settings, read_only=True) as con:
        assert con.execute("select x from main.t").fetchall() == [(1,)]


def test_only_spark_data_files_are_read(tmp_path):
    warehouse = tmp_path / "warehouse"
    folder = spark_table(warehouse, "t", "select 1 as x")
    (folder / ".part-00000-c000.snappy.parquet.crc").write_bytes(b"not parquet")
    with duckdb.connect() as con:
        assert attach_spark_tables(con, warehouse) == ["main.t"]
        assert con.execute("select count(*) from main.t").fetchone() == (1,)
