"""The simulator's request log: what was asked and how it was answered, for tests and the demo.

Never a query string, body or header value (see :class:`~core.simulator.model.LoggedRequest`).
"""

from __future__ import annotations

import threading

from core.simulator.model import LoggedRequest


class RequestLog:
    """Every request the simulator saw, in order. Thread-safe."""

    def __init__(self) -> None:
        self._log_lock = threading.Lock()
        self._log: list[LoggedRequest] = []

    def record(self, method: str, path: str, status: int | None) -> None:
        with self._log_lock:
            self._log.append(LoggedRequest(method, path, status))

    @property
    def request_log(self) -> tuple[LoggedRequest, ...]:
        with self._log_lock:
            return tuple(self._log)

    def count(self, path: str | None = None, *, status: int | None = None) -> int:
        """How many requests (to ``path``, with ``status``) the simulator has seen."""
        with self._log_lock:
            return sum(
                1 for r in self._log if path in (None, r.path) and status in (None, r.status)
            )

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()
