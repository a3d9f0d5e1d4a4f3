"""Background work: run blocking core calls on a worker, deliver results on the GUI thread.

Core is blocking (SQLite, the keychain, later the network); the GUI never waits on it. A
:class:`TaskRunner` submits a function to an :class:`~concurrent.futures.Executor` and, when it
is done, emits a signal connected to a method of this GUI-thread object, so Qt queues the
delivery onto the GUI thread. Tests pass :class:`ImmediateExecutor` to run tasks in place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

if TYPE_CHECKING:  # imported when first used: the window paints before any task runs
    from concurrent.futures import Future

log = logging.getLogger(__name__)

T = TypeVar("T")
OnOk = Callable[[Any], None]
OnError = Callable[[BaseException], None]


class Executor(Protocol):
    """What a TaskRunner needs of a concurrent.futures executor."""

    def submit(self, fn: Callable[[], T], /) -> Future[T]: ...

    def shutdown(self, wait: bool = True) -> None: ...


class ImmediateExecutor:
    """Runs each task at once in the caller's thread (tests, and headless use)."""

    def submit(self, fn: Callable[[], T], /) -> Future[T]:
        from concurrent.futures import Future

        future: Future[T] = Future()
        try:
            future.set_result(fn())
        except BaseException as exc:  # delivered to on_error like a worker's failure
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True) -> None:
        pass


class TaskRunner(QObject):
    """Runs functions on an executor; ``on_ok`` / ``on_error`` run on the GUI thread."""

    _finished = Signal(object)  # emitted by worker threads: (future, on_ok, on_error)

    def __init__(self, executor: Executor | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = executor
        self._closed = False
        self._finished.connect(self._deliver)

    def run(self, fn: Callable[[], T], on_ok: OnOk, on_error: OnError) -> Future[T]:
        """Run ``fn`` on the executor; exactly one of the callbacks follows on this thread."""
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            # One worker: the inventory's tasks (open, Save) must run one after the other.
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="task")
        future = self._executor.submit(fn)
        future.add_done_callback(lambda f: self._finished.emit((f, on_ok, on_error)))
        return future

    @Slot(object)
    def _deliver(self, item: tuple[Future[Any], OnOk, OnError]) -> None:
        future, on_ok, on_error = item
        if self._closed:
            return  # the window went away while this ran: nobody is left to tell
        exc = future.exception()
        if exc is not None:
            on_error(exc)
        else:
            on_ok(future.result())

    def shutdown(self) -> None:
        """Wait for running work (a Save must finish), then drop any result still to come."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        self._closed = True
