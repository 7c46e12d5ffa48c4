"""Which partitions each partitions definition runs for a PARTITION / PARTITION_RANGE request (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dataops_assets.catalog.spec import Partitioning

ALL = "all"


@dataclass(frozen=True)
class PlannedRun:
    """One `dagster asset materialize` call: the assets of one partitions definition and the keys."""

    partitioning: Partitioning
    start: str | None = None  # None: unpartitioned
    end: str | None = None

    def cli_args(self) -> list[str]:
        selection = ["--select", f"tag:partitions={self.partitioning.value}"]
        if self.start is None:
            return selection
        if self.start == self.end:
            return [*selection, "--partition", self.start]
        return [*selection, "--partition-range", f"{self.start}...{self.end}"]


def plan_runs(keys: dict[Partitioning, list[str]], partition: str = "", partition_range: str = "") -> list[PlannedRun]:
    """The unpartitioned run, then one run per partitions definition (keys ascending, YYYY-MM-DD).

    Neither argument: each definition's latest partition. PARTITION=DAY: that day's partition of
    the daily definition and the month holding it of the monthly one. PARTITION_RANGE=START...END:
    the partitions of each definition between those days (months overlapping it), clipped to the
    definition's own partitions; `all`: every partition. A definition the request misses is skipped.
    """
    if partition and partition_range:
        raise ValueError("PARTITION and PARTITION_RANGE: expected one of them, got both")
    if partition:
        first = last = _day("PARTITION", partition)
    elif partition_range and partition_range != ALL:
        start, sep, end = partition_range.partition("...")
        if not sep:
            raise ValueError(f"PARTITION_RANGE: expected START...END (YYYY-MM-DD...YYYY-MM-DD) or all, got {partition_range!r}")
        first, last = _day("PARTITION_RANGE", start), _day("PARTITION_RANGE", end)
        if first > last:
            raise ValueError(f"PARTITION_RANGE: expected START <= END, got {partition_range!r}")
    runs = [PlannedRun(Partitioning.NONE)]
    for partitioning, available in keys.items():
        if partitioning is Partitioning.NONE or not available:
            continue
        if not partition and not partition_range:
            chosen = [available[-1]]
        elif partition_range == ALL:
            chosen = available
        else:
            chosen = [k for k in available if _overlaps(partitioning, dt.date.fromisoformat(k), first, last)]
        if chosen:
            runs.append(PlannedRun(partitioning, chosen[0], chosen[-1]))
    if (partition or partition_range) and len(runs) == 1 and any(k for p, k in keys.items() if p is not Partitioning.NONE):
        name = "PARTITION" if partition else "PARTITION_RANGE"
        span = ", ".join(f"{p.value} {k[0]}...{k[-1]}" for p, k in keys.items() if k and p is not Partitioning.NONE)
        raise ValueError(f"{name}: expected a day inside the partitions ({span}), got {partition or partition_range!r}")
    return runs


def _overlaps(partitioning: Partitioning, key: dt.date, first: dt.date, last: dt.date) -> bool:
    if partitioning is Partitioning.MONTHLY:
        month_end = (key.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return key <= last and month_end >= first
    return first <= key <= last


def _day(name: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{name}: expected a day YYYY-MM-DD, got {text!r}") from None
