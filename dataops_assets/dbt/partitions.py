"""The partitions definitions of the run model: one per cadence, starting where the landing data does."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from dataops_assets.catalog.spec import Partitioning
from dataops_assets.settings import Settings
from dataops_assets.sources.event_window import read_window_record

# Without a landing window record or DATAOPS_FIRST_PARTITION: `dataops generate`'s default windows.
FALLBACK_DAILY_DAYS = 90
FALLBACK_MONTHLY_DAYS = 540

if TYPE_CHECKING:
    import dagster as dg


def partitions_definitions(settings: Settings) -> dict[Partitioning, dg.TimeWindowPartitionsDefinition]:
    """Daily and monthly partitions (UTC) up to and including the current day and month."""
    import dagster as dg

    daily, monthly = first_partition_days(settings)
    return {
        Partitioning.DAILY: dg.DailyPartitionsDefinition(start_date=daily.isoformat(), end_offset=1),
        Partitioning.MONTHLY: dg.MonthlyPartitionsDefinition(start_date=monthly.replace(day=1).isoformat(), end_offset=1),
    }


def first_partition_days(settings: Settings) -> tuple[dt.date, dt.date]:
    """(first daily partition, first monthly partition's day).

    DATAOPS_FIRST_PARTITION sets both; else the landing window `dataops generate` recorded (daily
    from the event window's start, monthly from the start of the longer spend history); else
    the generator's default windows before today.
    """
    if settings.first_partition is not None:
        return settings.first_partition, settings.first_partition
    record = read_window_record(settings.landing_dir)
    if record is not None:
        return record["start"], record["history_start"]
    today = dt.datetime.now(dt.timezone.utc).date()
    return today - dt.timedelta(days=FALLBACK_DAILY_DAYS - 1), today - dt.timedelta(days=FALLBACK_MONTHLY_DAYS - 1)


def window_predicate(column: str, window: dg.TimeWindow) -> str:
    """SQL keeping the rows of a date column inside [window.start, window.end)."""
    return (f"\"{column}\" >= date '{window.start:%Y-%m-%d}' and \"{column}\" < date '{window.end:%Y-%m-%d}'")


def partition_keys(settings: Settings, today: dt.date | None = None) -> dict[Partitioning, list[str]]:
    """The keys of partitions_definitions(settings), by date arithmetic alone (no Dagster import):
    every day, and every month's first day, from the first partition to today (UTC) included."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    daily, monthly = first_partition_days(settings)
    days = [daily + dt.timedelta(days=i) for i in range((today - daily).days + 1)]
    months, month = [], monthly.replace(day=1)
    while month <= today:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return {Partitioning.DAILY: [d.isoformat() for d in days], Partitioning.MONTHLY: [m.isoformat() for m in months]}
