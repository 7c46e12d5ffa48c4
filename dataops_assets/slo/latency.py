"""Serving latencies: the requests the serving layer recorded (serving/requests_log.py), one JSON object a
line: {"at": "<ISO 8601 UTC>", "route", "product": "<id>" or null, "status", "ms": <float>, "key_id"}.
A product's latency counts its answered requests (2xx, and 304): refusals and errors are not its latency."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path


def request_latencies(path: Path, window: tuple[dt.datetime, dt.datetime]) -> dict[str, list[float]]:
    """Product -> milliseconds of its requests answered inside the window; a line that is not such an
    object is skipped (the log is append-only and may end in a line being written)."""
    if not path.exists():
        return {}
    samples: dict[str, list[float]] = {}
    with path.open() as lines:
        for line in lines:
            try:
                record = json.loads(line)
                at = dt.datetime.fromisoformat(record["at"])
                product, ms = record["product"], float(record["ms"])
                status = int(record.get("status", 200))
            except (ValueError, KeyError, TypeError):
                continue
            if not isinstance(product, str) or not (200 <= status < 300 or status == 304):
                continue
            at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
            if window[0] <= at < window[1]:
                samples.setdefault(product, []).append(ms)
    return samples
