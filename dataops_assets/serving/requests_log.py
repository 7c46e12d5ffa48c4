"""The request log `slo report` reads latencies from: one JSON object a line,
{"at", "route", "product", "status", "ms", "key_id"} (the key's id, never the key).

A request only puts its record on a queue; a background thread appends them in batches, so writing the log
costs a request nothing it waits for.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
import time
from pathlib import Path
from typing import Any

_FLUSH_SECONDS = 0.5
_BATCH = 1000


class RequestLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._queue: queue.SimpleQueue[dict[str, Any] | threading.Event | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._write, name="dataops-request-log", daemon=True)
        self._thread.start()

    def record(self, route: str, product: str | None, status: int, ms: float, key_id: str | None) -> None:
        self._queue.put({"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"), "route": route,
                         "product": product, "status": status, "ms": round(ms, 3), "key_id": key_id})

    def flush(self, timeout: float = 10) -> None:
        """Wait until what is queued now is written."""
        written = threading.Event()
        self._queue.put(written)
        written.wait(timeout)

    def close(self) -> None:
        """Write what is queued and stop."""
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _write(self) -> None:
        """Batches of what came within _FLUSH_SECONDS of the first (at most _BATCH), appended at once."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        done = False
        while not done:
            batch = [self._queue.get()]
            deadline = time.monotonic() + _FLUSH_SECONDS
            try:
                while len(batch) < _BATCH and not isinstance(batch[-1], threading.Event) and batch[-1] is not None:
                    batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                pass
            done = None in batch
            lines = [json.dumps(r) + "\n" for r in batch if isinstance(r, dict)]
            if lines:
                with self.path.open("a") as log:
                    log.writelines(lines)
            for waiting in (r for r in batch if isinstance(r, threading.Event)):
                waiting.set()
