"""The window's one task runner: blocking core calls on a lane, results on the GUI thread.

Core is blocking (SQLite, the keychain, the network) and thread-agnostic; the GUI never waits on
it. :class:`TaskRunner` submits a function to one of the lanes of
:class:`core.services.lanes.Lanes` (database: serial; network: parallel) and, when it is done,
emits a signal connected to a method of this GUI-thread object, so Qt queues the delivery onto
the GUI thread. Every dialog uses the window's runner; :meth:`TaskRunner.shutdown` is the one
place background work stops (see ARCHITECTURE.md, "Lanes").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from core.services.lanes import Lane, Lanes

log = logging.getLogger(__name__)

T = TypeVar("T")
OnOk = Callable[[Any], None]
OnError = Callable[[BaseException], None]


class TaskRunner(QObject):
    """Runs functions on the lanes; ``on_ok`` / ``on_error`` run on the GUI thread."""

    _finished = Signal(object)  # emitted by worker threads: (future, on_ok, on_error)

    def __init__(self, lanes: Lanes | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lanes = lanes if lanes is not None else Lanes()
        self._closed = False
        self._finished.connect(self._deliver)

    def run(
        self, fn: Callable[[], T], on_ok: OnOk, on_error: OnError, *, lane: Lane = Lane.DATABASE
    ) -> Future[T]:
        """Run ``fn`` on ``lane``; exactly one of the callbacks follows on this thread, unless the
        runner is shut down first (then neither does: nobody is left to tell)."""
        future = self.lanes.submit(lane, fn)
        item = (future, on_ok, on_error)
        if future.done():  # ran in place (an immediate lane in tests): deliver it now, in order
            self._deliver(item)
        else:
            future.add_done_callback(lambda _future: self._post(item))
        return future

    def _post(self, item: tuple[Future[Any], OnOk, OnError]) -> None:
        # On the worker. Once shut down nobody is left to tell, and the window may be gone.
        if not self._closed:
            self._finished.emit(item)

    @Slot(object)
    def _deliver(self, item: tuple[Future[Any], OnOk, OnError]) -> None:
        future, on_ok, on_error = item
        if self._closed or future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            on_error(exc)
        else:
            on_ok(future.result())

    def shutdown(self) -> None:
        """Stop every lane (waits for the database lane: a Save must finish); later results are
        dropped."""
        self._closed = True
        self.lanes.shutdown()
