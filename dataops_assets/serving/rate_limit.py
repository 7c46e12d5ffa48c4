"""Per-key rate limiting: a token bucket per key, `per_minute` refilled evenly, holding at most `burst`."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, per_minute: int, burst: int, clock=time.monotonic) -> None:
        self.per_minute, self.burst = per_minute, burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, when counted)
        self._lock = threading.Lock()

    def take(self, key_id: str) -> float:
        """0 when the request may go ahead (a token is taken); else the seconds until one is free."""
        rate = self.per_minute / 60.0
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(key_id, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * rate)
            if tokens >= 1:
                self._buckets[key_id] = (tokens - 1, now)
                return 0.0
            self._buckets[key_id] = (tokens, now)
            return (1 - tokens) / rate
