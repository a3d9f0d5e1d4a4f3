"""Work redone off the GUI thread when something changes, at most one run at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from gui.tasks import TaskRunner

T = TypeVar("T")


class Coalesced(Generic[T]):
    """Runs ``compute`` on the database lane and hands its result to ``show``.

    A request while a run is under way asks for exactly one more run after it, never a queue:
    a Test all records a batch every few seconds, and only the newest result is worth showing.
    After :meth:`stop` nothing more is shown.
    """

    def __init__(
        self,
        runner: TaskRunner,
        compute: Callable[[], T],
        show: Callable[[T], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        self._runner, self._compute, self._show, self._failed = runner, compute, show, failed
        self._running = self._again = self._stopped = False

    def request(self) -> None:
        if self._stopped:
            return
        if self._running:
            self._again = True
            return
        self._running = True
        self._runner.run(self._compute, self._done, self._error)

    def stop(self) -> None:
        self._stopped = True

    def _done(self, result: T) -> None:
        self._running = False
        if self._stopped:
            return
        if self._again:
            self._again = False
            self.request()
            return
        self._show(result)

    def _error(self, exc: BaseException) -> None:
        self._running = self._again = False
        if not self._stopped:
            self._failed(exc)
