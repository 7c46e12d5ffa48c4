"""The partitions definitions, the window SQL, the per-definition dbt selections and the window env."""

from __future__ import annotations

import datetime as dt
import json
import os

import dagster as dg
import pytest

from dataops_assets.catalog.spec import Partitioning
from dataops_assets.dbt.assets import dbt_environment
from dataops_assets.dbt.partitions import first_partition_days, partition_keys, partitions_definitions, window_predicate
from dataops_assets.definitions import dbt_selections
from dataops_assets.quality.suite import resolve_window
from dataops_assets.settings import load_settings
from dataops_assets.sources.event_window import Window, write_window_record

WINDOW = dg.TimeWindow(dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc), dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc))


def test_partitions_start_where_the_generated_window_does(tmp_path):
    settings = load_settings({"DATAOPS_HOME": str(tmp_path)})
    write_window_record(settings.landing_dir, Window.ending_at(dt.date(2026, 11, 26), 90), dt.date(2025, 6, 5))
    assert first_partition_days(settings) == (dt.date(2026, 8, 29), dt.date(2025, 6, 5))
    definitions = partitions_definitions(settings)
    assert definitions[Partitioning.DAILY].get_first_partition_key() == "2026-08-29"
    assert definitions[Partitioning.MONTHLY].get_first_partition_key() == "2025-06-01"


def test_first_partition_setting_wins(tmp_path):
    settings = load_settings({"DATAOPS_HOME": str(tmp_path), "DATAOPS_FIRST_PARTITION": "2026-01-15"})
    write_window_record(settings.landing_dir, Window.ending_at(dt.date(2026, 11, 26), 90), dt.date(2025, 6, 5))
    assert partitions_definitions(settings)[Partitioning.MONTHLY].get_first_partition_key() == "2026-01-01"
    assert partitions_definitions(settings)[Partitioning.DAILY].get_first_partition_key() == "2026-01-15"


def test_malformed_window_record_names_the_file(tmp_path):
    settings = load_settings({"DATAOPS_HOME": str(tmp_path)})
    settings.landing_dir.mkdir(parents=True)
    (settings.landing_dir / "_window.json").write_text(json.dumps({"start": "soon"}))
    with pytest.raises(ValueError, match=r"_window.json: expected JSON with dates 'start' and 'history_start'"):
        first_partition_days(settings)


def test_window_sql_keeps_the_window_only():
    assert window_predicate("sales_date", WINDOW) == "\"sales_date\" >= date '2026-11-24' and \"sales_date\" < date '2026-11-26'"
    sql = "(select sum(amount) from t where in_window('transaction_date'))"
    assert resolve_window(sql, None) == "(select sum(amount) from t where true)"
    assert resolve_window(sql, lambda column: window_predicate(column, WINDOW)) == (
        "(select sum(amount) from t where (\"transaction_date\" >= date '2026-11-24' "
        "and \"transaction_date\" < date '2026-11-26'))")


def test_one_dbt_selection_per_partitions_definition():
    selections = dbt_selections({"sales_daily_metrics": Partitioning.DAILY, "revenue_monthly": Partitioning.MONTHLY,
                                 "sales_daily_region_metrics": Partitioning.DAILY}, "duckdb")
    assert selections[Partitioning.NONE].select == "fqn:*"
    assert selections[Partitioning.NONE].exclude == "revenue_monthly sales_daily_metrics sales_daily_region_metrics"
    assert selections[Partitioning.DAILY].select == "sales_daily_metrics sales_daily_region_metrics"
    assert selections[Partitioning.MONTHLY].select == "revenue_monthly"
    assert set(dbt_selections({}, "duckdb")) == {Partitioning.NONE}
    assert all(s.refresh is None for s in selections.values())  # DuckDB's staging and intermediates are views


def test_a_partitioned_spark_step_rebuilds_the_platform_tables_its_models_read():
    upstream = {"sales_daily_metrics": ("stg_pos__transactions",), "revenue_monthly": ("int_orders__revenue",)}
    selections = dbt_selections({"sales_daily_metrics": Partitioning.DAILY, "revenue_monthly": Partitioning.MONTHLY},
                                "spark", lambda names: tuple(u for name in names for u in upstream[name]))
    assert selections[Partitioning.DAILY].refresh == "stg_pos__transactions"
    assert selections[Partitioning.MONTHLY].refresh == "int_orders__revenue"
    assert selections[Partitioning.NONE].refresh is None  # it builds them itself


def test_dbt_environment_sets_the_window_and_restores(tmp_path, monkeypatch):
    monkeypatch.delenv("DATAOPS_WINDOW_START", raising=False)
    monkeypatch.setenv("DATAOPS_WINDOW_END", "earlier")
    settings = load_settings({"DATAOPS_HOME": str(tmp_path)})
    with dbt_environment(settings, WINDOW):
        assert (os.environ["DATAOPS_WINDOW_START"], os.environ["DATAOPS_WINDOW_END"]) == ("2026-11-24", "2026-11-26")
        assert os.environ["DATAOPS_DUCKDB_MEMORY_LIMIT"] == settings.duckdb.memory_limit
    with dbt_environment(settings, None):
        assert (os.environ["DATAOPS_WINDOW_START"], os.environ["DATAOPS_WINDOW_END"]) == ("", "")
    assert "DATAOPS_WINDOW_START" not in os.environ and os.environ["DATAOPS_WINDOW_END"] == "earlier"


def test_partition_keys_without_dagster_match_the_partitions_definitions(tmp_path):
    settings = load_settings({"DATAOPS_HOME": str(tmp_path), "DATAOPS_FIRST_PARTITION": "2025-06-17"})
    definitions = partitions_definitions(settings)
    keys = partition_keys(settings)
    assert keys[Partitioning.DAILY] == definitions[Partitioning.DAILY].get_partition_keys()
    assert keys[Partitioning.MONTHLY] == definitions[Partitioning.MONTHLY].get_partition_keys()
    assert keys[Partitioning.MONTHLY][0] == "2025-06-01"
