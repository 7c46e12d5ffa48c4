"""The event window (it ends at an instant) and event times inside it with a daily rhythm."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SECONDS_PER_DAY = 86_400
# In the landing zone: where its events and its longer spend history start (partitions start there).
WINDOW_RECORD = "_window.json"
# Relative activity per UTC hour: quiet nights, busy late morning and early evening.
HOURLY_WEIGHTS = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 5, 5.5, 5, 4.5, 4.5, 5, 5.5, 6, 6, 5, 4, 3, 2],
    dtype=float,
)
HOURLY_WEIGHTS /= HOURLY_WEIGHTS.sum()


@dataclass(frozen=True)
class Window:
    """The event window, naive UTC: midnight of its first day up to the end instant (inclusive).

    It spans `days` calendar days; the last one, end_date, is partial unless the window ends at
    23:59:59.
    """

    end_instant: dt.datetime
    days: int

    @classmethod
    def ending_at(cls, end: dt.date | dt.datetime, days: int) -> Window:
        """A date ends the window at its last second (23:59:59); a datetime at its own second.

        A naive datetime is taken as UTC; an aware one is converted to UTC.
        """
        if isinstance(end, dt.datetime):
            if end.tzinfo is not None:
                end = end.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return cls(dt.datetime(*end.timetuple()[:6]), days)  # a plain datetime, whole seconds
        return cls(dt.datetime.combine(dt.date(end.year, end.month, end.day), dt.time(23, 59, 59)), days)

    @property
    def end_date(self) -> dt.date:
        return self.end_instant.date()

    @property
    def start_date(self) -> dt.date:
        return self.end_date - dt.timedelta(days=self.days - 1)

    @property
    def start(self) -> np.datetime64:
        return np.datetime64(self.start_date, "s")

    @property
    def end(self) -> np.datetime64:
        """The last second events may carry."""
        return np.datetime64(self.end_instant, "s")

    @property
    def span_seconds(self) -> int:
        """Length in seconds, counting the end second (days * 86,400 when the last day is whole)."""
        return int((self.end - self.start) // np.timedelta64(1, "s")) + 1

    @property
    def last_day_seconds(self) -> int:
        """Seconds of end_date inside the window (86,400 when it ends at 23:59:59)."""
        return self.span_seconds - (self.days - 1) * SECONDS_PER_DAY


def event_times(rng: np.random.Generator, window: Window, n: int, recency: float = 0.5) -> np.ndarray:
    """Timestamps in the window with the HOURLY_WEIGHTS profile; later days are up to (1 + recency)x busier.

    A partial last day gets only the share of a day's activity that falls before the end
    instant. The first row is the window's last second, so the newest data is as fresh as the window
    (a live feed: its timeliness is judged against the freshness SLO, at any scale or time of day).
    """
    weights = 1.0 + recency * np.linspace(0.0, 1.0, window.days)
    partial = window.last_day_seconds < SECONDS_PER_DAY
    if partial:
        weights[-1] *= _hourly_share(np.float64(window.last_day_seconds))
    day = rng.choice(window.days, size=n, p=weights / weights.sum())
    if n:
        day[0] = window.days - 1
    second = rng.choice(24, size=n, p=HOURLY_WEIGHTS) * 3600 + rng.integers(0, 3600, n)
    if partial:
        last = day == window.days - 1
        second[last] = _squeeze_before(second[last], window.last_day_seconds)
    if n:
        second[0] = (window.last_day_seconds if partial else SECONDS_PER_DAY) - 1
    return window.start + (day * SECONDS_PER_DAY + second).astype("timedelta64[s]")


_HOURLY_CDF = np.concatenate([[0.0], np.cumsum(HOURLY_WEIGHTS)])


def _hourly_share(second: np.ndarray) -> np.ndarray:
    """Share of a day's activity before `second` (seconds since midnight, uniform within an hour)."""
    hour = np.minimum(np.asarray(second, dtype=float) // 3600, 23).astype(np.int64)
    return _HOURLY_CDF[hour] + (second - 3600 * hour) / 3600 * HOURLY_WEIGHTS[hour]


def _squeeze_before(second: np.ndarray, limit: int) -> np.ndarray:
    """Map seconds of a whole day onto [0, limit) keeping the hourly profile (quantile rescaling)."""
    target = _hourly_share(second) * _hourly_share(np.float64(limit))
    hour = np.clip(np.searchsorted(_HOURLY_CDF, target, side="right") - 1, 0, 23)
    squeezed = 3600 * hour + (target - _HOURLY_CDF[hour]) / HOURLY_WEIGHTS[hour] * 3600
    return np.minimum(np.floor(squeezed).astype(np.int64), limit - 1)


def write_window_record(landing_dir: Path, window: Window, history_start: dt.date) -> Path:
    """Record the window beside the tables it describes, replaced in one rename."""
    path = Path(landing_dir) / WINDOW_RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"start": window.start_date.isoformat(), "end": window.end_instant.isoformat(),
              "history_start": history_start.isoformat()}
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    tmp.replace(path)
    return path


def read_window_record(landing_dir: Path) -> dict[str, dt.date] | None:
    """{'start', 'history_start'} of the landing zone's record; None if absent; malformed raises ValueError."""
    path = Path(landing_dir) / WINDOW_RECORD
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text())
        return {key: dt.date.fromisoformat(str(raw[key])) for key in ("start", "history_start")}
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"{path}: expected JSON with dates 'start' and 'history_start' (YYYY-MM-DD)") from None
