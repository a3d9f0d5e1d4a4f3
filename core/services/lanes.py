"""Where background work runs: one serial lane for the inventory database, one parallel lane for
the network, and one thread for the keychain.

Every surface uses one :class:`Lanes`: the window through its task runner (``gui/tasks.py``), a
headless command directly. Why three lanes:

* **database**: one thread. Opening, Save and recording test results go through SQLite's one
  connection, one after the other; a Save and a batch of health records never interleave.
* **network**: a few threads. Amazon calls may take seconds and run side by side (consents,
  connection tests); nothing there writes to the inventory.
* **keychain**: one thread, owned by the keychain store itself
  (:class:`core.storage.keychain.KeyringSecretStore`): every keychain call from any lane goes
  there and is waited for with a timeout, so a locked or hung keychain costs the caller a clear
  error, never a hang; one thread also keeps the OS keychain from seeing concurrent calls. It is
  a daemon thread: a keychain that never answers must not keep the app from exiting.

:meth:`Lanes.shutdown` is the one way to stop: it waits for the database lane (a Save in progress
must finish) and abandons the network (its answers are no longer wanted: queued work is
cancelled, running calls end on their own and their results are dropped).
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
    """The database and network lanes. Create one per process (or per test); shut it down once."""

    def __init__(
        self,
        database: Executor | None = None,
        network: Executor | None = None,
        *,
        network_workers: int = NETWORK_WORKERS,
    ) -> None:
        self.database: Executor = database or ThreadPoolExecutor(1, thread_name_prefix="db")
        self.network: Executor = network or ThreadPoolExecutor(
            network_workers, thread_name_prefix="net"
        )
        self.closed = False

    @classmethod
    def immediate(cls) -> Lanes:
        """Every task runs at once in the caller (tests, one-shot commands)."""
        return cls(ImmediateExecutor(), ImmediateExecutor())

    def executor(self, lane: Lane) -> Executor:
        return self.database if lane is Lane.DATABASE else self.network

    def submit(self, lane: Lane, fn: Callable[[], T]) -> Future[T]:
        """Run ``fn`` on ``lane``. Raises RuntimeError once the lanes are shut down."""
        if self.closed:
            raise RuntimeError("the lanes are shut down")
        return self.executor(lane).submit(fn)

    def shutdown(self) -> None:
        """Abandon the network, then wait for the database lane. Idempotent."""
        if self.closed:
            return
        self.closed = True
        self.network.shutdown(wait=False, cancel_futures=True)
        self.database.shutdown(wait=True)
