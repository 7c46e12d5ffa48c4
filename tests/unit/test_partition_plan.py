"""Which `dagster asset materialize` runs PARTITION / PARTITION_RANGE turn into, and bad requests."""

from __future__ import annotations

import pytest

from dataops_assets.catalog.spec import Partitioning
from dataops_assets.cli.partition_plan import PlannedRun, plan_runs

DAYS = [f"2026-10-{d:02d}" for d in range(25, 32)] + [f"2026-11-{d:02d}" for d in range(1, 27)]
MONTHS = ["2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01"]
KEYS = {Partitioning.DAILY: DAYS, Partitioning.MONTHLY: MONTHS}
NONE = PlannedRun(Partitioning.NONE)


def test_latest_partition_of_each_definition_by_default():
    assert plan_runs(KEYS) == [NONE, PlannedRun(Partitioning.DAILY, "2026-11-26", "2026-11-26"),
                               PlannedRun(Partitioning.MONTHLY, "2026-11-01", "2026-11-01")]


def test_one_day_runs_its_month_too():
    assert plan_runs(KEYS, partition="2026-10-30") == [
        NONE, PlannedRun(Partitioning.DAILY, "2026-10-30", "2026-10-30"),
        PlannedRun(Partitioning.MONTHLY, "2026-10-01", "2026-10-01")]


def test_range_is_one_run_per_definition_and_clipped():
    runs = plan_runs(KEYS, partition_range="2026-10-30...2026-11-02")
    assert runs[1] == PlannedRun(Partitioning.DAILY, "2026-10-30", "2026-11-02")
    assert runs[2] == PlannedRun(Partitioning.MONTHLY, "2026-10-01", "2026-11-01")
    assert runs[1].cli_args() == ["--select", "tag:partitions=daily", "--partition-range", "2026-10-30...2026-11-02"]
    # Months only: the daily definition does not reach back that far and is skipped.
    assert plan_runs(KEYS, partition_range="2026-08-01...2026-08-31") == [
        NONE, PlannedRun(Partitioning.MONTHLY, "2026-08-01", "2026-08-01")]


def test_all_takes_every_partition():
    runs = plan_runs(KEYS, partition_range="all")
    assert runs[1:] == [PlannedRun(Partitioning.DAILY, DAYS[0], DAYS[-1]),
                        PlannedRun(Partitioning.MONTHLY, MONTHS[0], MONTHS[-1])]
    assert NONE.cli_args() == ["--select", "tag:partitions=none"]


@pytest.mark.parametrize(("partition", "partition_range", "message"), [
    ("2026-11-01", "all", "PARTITION and PARTITION_RANGE: expected one of them, got both"),
    ("yesterday", "", "PARTITION: expected a day YYYY-MM-DD, got 'yesterday'"),
    ("", "2026-11-01..2026-11-02", "PARTITION_RANGE: expected START...END (YYYY-MM-DD...YYYY-MM-DD) or all, "
                                   "got '2026-11-01..2026-11-02'"),
    ("", "2026-11-05...2026-11-01", "PARTITION_RANGE: expected START <= END, got '2026-11-05...2026-11-01'"),
    ("2020-01-01", "", "PARTITION: expected a day inside the partitions (daily 2026-10-25...2026-11-26, "
                       "monthly 2026-08-01...2026-11-01), got '2020-01-01'"),
])
def test_bad_requests_are_one_line(partition, partition_range, message):
    with pytest.raises(ValueError) as excinfo:
        plan_runs(KEYS, partition, partition_range)
    assert str(excinfo.value) == message
