"""The overall deadline of a request, before its answer's body: status line and headers.

:class:`core.amazon.transport.AmazonClient` checks its deadline between reads of a body. Before
that, ``requests`` reads the status line and headers itself, each read bounded only by the read
timeout: a server sending a header byte every few seconds would keep a request pending
indefinitely. Sessions made by :func:`core.amazon.http.make_session` (and the checker's) use
:class:`DeadlineAdapter`, whose connections shut their socket down when the deadline of the
request in progress (set by :func:`deadline`, per thread) passes while they wait for the
answer's head; the read in progress then ends at once. Not covered: SOCKS proxies (their own
connection classes).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests.adapters
import urllib3.connection
import urllib3.connectionpool
import urllib3.response

_scope = threading.local()


@contextlib.contextmanager
def deadline(at: float) -> Iterator[None]:
    """Requests made in this thread inside the block must have their answer's head by ``at``
    (a :func:`time.monotonic` time)."""
    _scope.at = at
    try:
        yield
    finally:
        _scope.at = None


@contextlib.contextmanager
def _watched(connection: urllib3.connection.HTTPConnection) -> Iterator[None]:
    at: float | None = getattr(_scope, "at", None)
    if at is None:
        yield
        return

    def cut_off() -> None:
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(max(0.0, at - time.monotonic()), cut_off)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


class _HTTPConnection(urllib3.connection.HTTPConnection):
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]  # as urllib3
        with _watched(self):
            return super().getresponse()


class _HTTPSConnection(urllib3.connection.HTTPSConnection):
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]  # as urllib3
        with _watched(self):
            return super().getresponse()


class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """An adapter whose connections honour :func:`deadline` while they wait for a head."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


def mount(session: requests.Session) -> requests.Session:
    """``session`` with :class:`DeadlineAdapter` for http and https, and no hidden retries."""
    adapter = DeadlineAdapter(max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
