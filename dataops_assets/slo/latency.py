"""Serving latencies: the requests the serving layer recorded, one JSON object a line:
{"product": "<id>", "ms": <float>, "at": "<ISO 8601 UTC>"}."""

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
                product, ms = str(record["product"]), float(record["ms"])
            except (ValueError, KeyError, TypeError):
                continue
            at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
            if window[0] <= at < window[1]:
                samples.setdefault(product, []).append(ms)
    return samples
