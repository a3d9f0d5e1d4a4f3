"""SP-API usage plans: Amazon's token-bucket rate limiting.

As https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits describes it:
tokens flow into a bucket at ``rate`` per second up to ``burst``; each request takes one; a
request that finds the bucket empty is throttled (429). Amazon limits per
selling-partner-and-application pair, and some operations also per application; a request is
throttled by whichever limit it reaches first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from core.simulator.model import DEFAULT_BURST, DEFAULT_RATE


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float

    def refill(self, now: float, rate: float, burst: float) -> None:
        self.tokens = min(burst, self.tokens + max(0.0, now - self.updated) * rate)
        self.updated = now

    def wait(self, rate: float) -> float:
        """Seconds until one token is there (0 when one is there now)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / rate


class UsagePlan:
    """Token buckets per (app, account) pair, and optionally per app. Thread-safe."""

    def __init__(
        self,
        clock: Callable[[], float],
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        global_rate: float | None = None,
        global_burst: int | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._pairs: dict[Hashable, _Bucket] = {}
        self._apps: dict[Hashable, _Bucket] = {}
        self.configure(rate, burst, global_rate, global_burst)
        #: Whether a 429 carries ``Retry-After``. Amazon documents only
        #: ``x-amzn-RateLimit-Limit`` for SP-API (the page above), so by default it does not.
        self.send_retry_after = False

    def configure(
        self,
        rate: float,
        burst: int,
        global_rate: float | None = None,
        global_burst: int | None = None,
    ) -> None:
        """A new plan; every bucket starts full again."""
        if rate <= 0 or burst < 1 or (global_rate is not None and global_rate <= 0):
            raise ValueError("a usage plan needs a positive rate and a burst of at least 1")
        with self._lock:
            self.rate, self.burst = rate, burst
            self.global_rate = global_rate
            self.global_burst = global_burst or burst
            self._pairs.clear()
            self._apps.clear()

    def take(self, app: Hashable, pair: Hashable) -> float | None:
        """Spends one request; ``None`` if allowed, else the seconds until one would be."""
        with self._lock:
            now = self._clock()
            limits = [(self._bucket(self._pairs, pair, self.burst, now), self.rate, self.burst)]
            if self.global_rate is not None:
                bucket = self._bucket(self._apps, app, self.global_burst, now)
                limits.append((bucket, self.global_rate, self.global_burst))
            for bucket, rate, burst in limits:
                bucket.refill(now, rate, burst)
            wait = max(bucket.wait(rate) for bucket, rate, _ in limits)
            if wait > 0:
                return wait
            for bucket, _, _ in limits:
                bucket.tokens -= 1
            return None

    @staticmethod
    def _bucket(table: dict[Hashable, _Bucket], key: Hashable, burst: int, now: float) -> _Bucket:
        if key not in table:
            table[key] = _Bucket(float(burst), now)
        return table[key]
