"""Where background work runs: one serial lane for the inventory database, one parallel lane for
the network, one thread for the keychain.

Every surface uses one :class:`Lanes`: the window through its task runner (``gui/tasks.py``), a
headless command directly. Why three lanes:

* **database**: one thread. Opening, Save and recording test results go through SQLite's one
  connection, one after the other; a Save and a batch of health records never interleave.
* **network**: a few threads. Amazon calls may take seconds and run side by side (consents,
  connection tests); nothing there writes to the inventory.
* **keychain**: one thread. A locked or hung keychain blocks the call that reached it, so every
  call waits there with a timeout (see :mod:`core.storage.keychain`) and the rest of the app keeps
  going; one thread keeps the OS keychain from seeing concurrent calls it may not support.

:meth:`Lanes.shutdown` is the one way to stop: it waits for the database lane (a Save in progress
must finish), and abandons the network and the keychain (their answers are no longer wanted;
queued work is cancelled, running calls end on their own and their results are dropped).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from typing import Protocol, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Network threads: enough for a consent and a test run side by side. Pacing, not threads, is
#: what keeps a test run inside Amazon's limits (:class:`core.amazon.checks.CheckSettings`).
NETWORK_WORKERS = 6


class Lane(StrEnum):
    DATABASE = "database"
    NETWORK = "network"
    KEYCHAIN = "keychain"


class Executor(Protocol):
    """What a lane needs of a :class:`concurrent.futures.Executor`."""

    def submit(self, fn: Callable[[], T], /) -> Future[T]: ...

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None: ...


class ImmediateExecutor:
    """Runs each task at once in the caller's thread: tests, and one-shot headless commands."""

    def submit(self, fn: Callable[[], T], /) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn())
        except BaseException as exc:  # delivered like a worker's failure
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass


class Lanes:
    """The three lanes. Create one per process (or per test) and :meth:`shutdown` it once."""

    def __init__(
        self,
        database: Executor | None = None,
        network: Executor | None = None,
        keychain: Executor | None = None,
        *,
        network_workers: int = NETWORK_WORKERS,
    ) -> None:
        self.database: Executor = database or ThreadPoolExecutor(1, thread_name_prefix="db")
        self.network: Executor = network or ThreadPoolExecutor(
            network_workers, thread_name_prefix="net"
        )
        self.keychain: Executor = keychain or ThreadPoolExecutor(1, thread_name_prefix="keychain")
        self.closed = False

    @classmethod
    def immediate(cls) -> Lanes:
        """Database and network work run in the caller; the keychain keeps its own thread.

        The keychain's thread stays real: its timeout needs a thread to give up on.
        """
        return cls(ImmediateExecutor(), ImmediateExecutor())

    def executor(self, lane: Lane) -> Executor:
        return {Lane.DATABASE: self.database, Lane.NETWORK: self.network}.get(lane, self.keychain)

    def submit(self, lane: Lane, fn: Callable[[], T]) -> Future[T]:
        """Run ``fn`` on ``lane``. Raises RuntimeError once the lanes are shut down."""
        if self.closed:
            raise RuntimeError("the lanes are shut down")
        return self.executor(lane).submit(fn)

    def shutdown(self) -> None:
        """Abandon the network and the keychain, then wait for the database lane. Idempotent."""
        if self.closed:
            return
        self.closed = True
        self.network.shutdown(wait=False, cancel_futures=True)
        self.keychain.shutdown(wait=False, cancel_futures=True)
        self.database.shutdown(wait=True)
