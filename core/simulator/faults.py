"""Scenario faults: slow answers, dropped connections, server errors, throttled token calls,
huge and trickled answers, access tokens that expire at once.

Set them at any time, from any thread (``sim.faults.drop_next(2)``); the server consults them
before it routes each request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(slots=True)
class Fault:
    """What happens to a request instead of its answer."""

    kind: str  # "drop": no answer; "fail": a server error; "huge", "trickle": see Faults
    remaining: int | None  # None: until cleared
    path: str | None = None  # None: any path
    status: int = 500
    size: int = 0  # "huge", "trickle": how many bytes the body has
    interval_s: float = 0.0  # "trickle": the wait before each byte
    declare_length: bool = True  # "huge": send Content-Length (else: the body ends at close)
    head: bool = False  # "trickle": the status line and headers trickle too


class Faults:
    """The faults waiting for the next requests. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []
        self._token_throttles: list[float] = []
        self._expired_tokens = 0
        self._delay_s = 0.0

    @property
    def delay_s(self) -> float:
        """Every answer waits this long (a slow network or a slow Amazon)."""
        with self._lock:
            return self._delay_s

    @delay_s.setter
    def delay_s(self, seconds: float) -> None:
        with self._lock:
            self._delay_s = max(0.0, seconds)

    def drop_next(self, count: int | None = 1, *, path: str | None = None) -> None:
        """Close the connection without an answer: the next ``count`` requests (to ``path``, if
        given); ``count=None`` keeps dropping until :meth:`clear`."""
        with self._lock:
            self._queue.append(Fault("drop", count, path))

    def fail_next(
        self, count: int | None = 1, *, status: int = 500, path: str | None = None
    ) -> None:
        """Answer the next ``count`` requests (to ``path``, if given) with a server error."""
        with self._lock:
            self._queue.append(Fault("fail", count, path, status))

    def huge_body_next(
        self,
        count: int | None = 1,
        *,
        size: int = 300 * 1024 * 1024,
        status: int = 500,
        path: str | None = None,
        declare_length: bool = True,
    ) -> None:
        """Answer with an error body of ``size`` bytes (a JSON error padded with spaces, still
        valid JSON), generated as it is sent, so the simulator itself holds none of it."""
        with self._lock:
            self._queue.append(Fault("huge", count, path, status, size, 0.0, declare_length))

    def trickle_next(
        self,
        count: int | None = 1,
        *,
        size: int = 64,
        interval_s: float = 0.5,
        status: int = 200,
        path: str | None = None,
        head: bool = False,
    ) -> None:
        """Send the headers at once, then a ``size``-byte body one byte every ``interval_s``:
        each byte comes well within a read timeout, the whole answer takes ``size *
        interval_s``. With ``head``, the status line and headers come a byte at a time too."""
        with self._lock:
            fault = Fault("trickle", count, path, status, size, interval_s, head=head)
            self._queue.append(fault)

    def expire_next_access_tokens(self, count: int = 1) -> None:
        """The next ``count`` access tokens are issued already expired, as if an hour had passed
        between the token call and the SP-API call (the simulator's clock, for one token)."""
        with self._lock:
            self._expired_tokens += count

    def take_expired_token(self) -> bool:
        """Whether the access token being issued now is to be born expired (counted as used)."""
        with self._lock:
            if self._expired_tokens <= 0:
                return False
            self._expired_tokens -= 1
            return True

    def throttle_token_calls(self, count: int = 1, retry_after: float = 2.0) -> None:
        """The next ``count`` token calls get 429 with ``Retry-After: retry_after``."""
        with self._lock:
            self._token_throttles.extend([retry_after] * count)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._token_throttles.clear()
            self._expired_tokens = 0
            self._delay_s = 0.0

    def take(self, path: str) -> Fault | None:
        """The fault that hits a request to ``path``, if any, counted as used."""
        with self._lock:
            for fault in self._queue:
                if fault.path not in (None, path):
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._queue.remove(fault)
                return fault
            return None

    def take_token_throttle(self) -> float | None:
        """The ``Retry-After`` of a throttled token call, if the next one is throttled."""
        with self._lock:
            return self._token_throttles.pop(0) if self._token_throttles else None
