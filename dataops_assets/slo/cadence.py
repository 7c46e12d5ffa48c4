"""Refresh cadences: cron expressions (UTC), their ticks, and the cadence derived from a freshness budget."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import islice

from dagster._utils.schedules import cron_string_iterator, is_valid_cron_string

TIMEZONE = "UTC"
# Longest gap between ticks: measured over this many ticks from a fixed instant (covers weekly crons).
_SAMPLE_TICKS = 1000
_SAMPLE_START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
_MINUTE_STEPS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)  # divide an hour evenly
_HOUR_STEPS = (1, 2, 3, 4, 6, 8, 12)  # divide a day evenly


def is_cron(expression: str) -> bool:
    return isinstance(expression, str) and is_valid_cron_string(expression)


def derived_schedule(freshness_minutes: float) -> str:
    """A cron refreshing at least twice per freshness budget: the longest even step of minutes or
    hours that is at most half the budget, else daily at midnight UTC."""
    half = freshness_minutes / 2
    if half < 60:
        step = max((m for m in _MINUTE_STEPS if m <= half), default=1)
        return "* * * * *" if step == 1 else f"*/{step} * * * *"
    if half < 24 * 60:
        step = max(h for h in _HOUR_STEPS if h * 60 <= half)
        return "0 * * * *" if step == 1 else f"0 */{step} * * *"
    return "0 0 * * *"


def longest_gap_minutes(expression: str) -> float:
    """The longest wait between two consecutive ticks of the cron, in minutes."""
    ticks = list(islice(ticks_from(expression, _SAMPLE_START), _SAMPLE_TICKS))
    return max((b - a).total_seconds() / 60 for a, b in zip(ticks, ticks[1:], strict=False))


def ticks_from(expression: str, start: dt.datetime) -> Iterator[dt.datetime]:
    """The cron's ticks at or after `start` (UTC, ascending, endless)."""
    return cron_string_iterator(start.timestamp(), expression, TIMEZONE)


def ticks_between(expression: str, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The cron's ticks in [start, end)."""
    ticks = []
    for tick in ticks_from(expression, start):
        if tick >= end:
            return ticks
        ticks.append(tick)
    return ticks
