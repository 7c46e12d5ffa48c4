"""Unit tests for the event window: it ends at an instant, and event times never pass it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from dataops_assets.cli.generate import parse_window_end
from dataops_assets.sources.event_window import HOURLY_WEIGHTS, Window, event_times


def test_a_date_ends_the_window_at_its_last_second() -> None:
    window = Window.ending_at(dt.date(2024, 3, 31), 60)
    assert window.end == np.datetime64("2024-03-31T23:59:59")
    assert window.start == np.datetime64("2024-02-01T00:00:00")
    assert window.span_seconds == 60 * 86_400 and window.last_day_seconds == 86_400


def test_a_datetime_ends_the_window_at_that_second() -> None:
    window = Window.ending_at(dt.datetime(2024, 3, 31, 10, 30, 15, 999_999), 60)
    assert window.end == np.datetime64("2024-03-31T10:30:15")
    assert window.start == np.datetime64("2024-02-01T00:00:00")
    assert window.last_day_seconds == 10 * 3600 + 30 * 60 + 16
    assert window.span_seconds == 59 * 86_400 + window.last_day_seconds


def test_an_aware_datetime_is_converted_to_utc() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    aware = Window.ending_at(dt.datetime(2024, 3, 31, 11, 30, 15, tzinfo=paris), 60)
    assert aware == Window.ending_at(dt.datetime(2024, 3, 31, 10, 30, 15), 60)


@pytest.mark.parametrize("end", [dt.datetime(2024, 3, 31, 0, 0, 0), dt.datetime(2024, 3, 31, 10, 30, 15)])
def test_event_times_never_pass_the_end(end: dt.datetime) -> None:
    window = Window.ending_at(end, 30)
    times = event_times(np.random.default_rng(1), window, 100_000)
    assert times.min() >= window.start and times.max() <= window.end
    assert times[0].astype("datetime64[D]") == np.datetime64(end.date())


def test_a_partial_last_day_keeps_the_hourly_profile_and_its_share_of_activity() -> None:
    end = dt.datetime(2024, 3, 31, 10, 30, 15)
    times = event_times(np.random.default_rng(1), Window.ending_at(end, 30), 1_000_000)
    last_day = times[times >= np.datetime64(end.date())]
    hours = (last_day - np.datetime64(end.date(), "s")).astype(np.int64) // 3600
    expected = HOURLY_WEIGHTS[:10] / HOURLY_WEIGHTS[:10].sum()  # hours 0-9 lie wholly before 10:30
    found = np.bincount(hours, minlength=24)[:10] / np.sum(hours < 10)
    assert np.abs(found - expected).max() < 0.025
    share_before_end = HOURLY_WEIGHTS[:10].sum() + HOURLY_WEIGHTS[10] * (30 * 60 + 16) / 3600
    day_weights = 1.0 + 0.5 * np.linspace(0.0, 1.0, 30)  # event_times' default recency trend
    day_weights[-1] *= share_before_end
    assert last_day.size / times.size == pytest.approx(day_weights[-1] / day_weights.sum(), rel=0.05)


def test_a_whole_last_day_is_unchanged_by_the_end_instant() -> None:
    by_date = event_times(np.random.default_rng(5), Window.ending_at(dt.date(2024, 3, 31), 30), 10_000)
    by_last_second = event_times(
        np.random.default_rng(5), Window.ending_at(dt.datetime(2024, 3, 31, 23, 59, 59), 30), 10_000
    )
    assert np.array_equal(by_date, by_last_second)


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-31", dt.date(2024, 3, 31)),
    ("2024-03-31T10:30", dt.datetime(2024, 3, 31, 10, 30)),
    ("2024-03-31T10:30:15", dt.datetime(2024, 3, 31, 10, 30, 15)),
])
def test_parse_window_end(text: str, expected: dt.date) -> None:
    parsed = parse_window_end(text)
    assert parsed == expected and type(parsed) is type(expected)


@pytest.mark.parametrize("text", ["2024-13-01", "2024-03-31 10:30", "2024-03-31T25:00", "today"])
def test_parse_window_end_rejects_other_formats_in_one_line(text: str) -> None:
    with pytest.raises(ValueError, match=r"^expected YYYY-MM-DD or YYYY-MM-DDTHH:MM\[:SS\] \(UTC\), got"):
        parse_window_end(text)
