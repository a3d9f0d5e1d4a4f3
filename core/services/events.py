"""Plain-Python events: what services use to say that something happened.

A service owns one :class:`Event` per kind of news (an inventory changed, a listener received
an answer, a test run progressed). Listeners are called in the thread that emits, so a service
never needs to know who listens or on which thread: the GUI's one bridge (``gui/bridge.py``)
re-emits each event on the GUI thread; a headless command just listens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
Listener = Callable[[T], None]


class Event(Generic[T]):
    """A list of listeners. Thread-safe: connect, disconnect and emit from any thread."""

    __slots__ = ("_listeners", "_lock", "name")

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._listeners: tuple[Listener[T], ...] = ()
        self._lock = threading.Lock()

    def connect(self, listener: Listener[T]) -> Callable[[], None]:
        """Call ``listener(value)`` on every :meth:`emit`; returns the function that disconnects."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

        def disconnect() -> None:
            with self._lock:
                self._listeners = tuple(each for each in self._listeners if each is not listener)

        return disconnect

    def emit(self, value: T) -> None:
        """Tell every listener, in the order they connected, in this thread.

        A listener connected or disconnected while this runs is not told this time (the list is
        read once): listeners may disconnect themselves.
        """
        for listener in self._listeners:
            listener(value)

    def __len__(self) -> int:
        return len(self._listeners)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._listeners)} listener(s))"
