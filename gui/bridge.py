"""The one bridge from core events to the GUI thread.

Services emit plain :class:`core.services.events.Event` s in whatever thread changed something:
the GUI thread for an edit, the database lane for a Save or a batch of test results, a listener
thread for a consent's answer. :meth:`Bridge.listen` subscribes a GUI-thread callable; the
bridge re-emits through a signal of this GUI-thread object, so Qt queues events from other
threads onto the GUI thread and delivers the GUI thread's own events at once.

:meth:`Bridge.close` disconnects everything before the widgets go away; an emit racing with it
either finishes posting first or is not posted at all (the lock), so no event reaches a deleted
object.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from core.services.events import Event

T = TypeVar("T")


class Bridge(QObject):
    """Subscribes GUI callables to core events; delivery always on the GUI thread."""

    _relay = Signal(object)  # (callback, value)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.RLock()
        self._closed = False
        self._disconnects: list[Callable[[], None]] = []
        self._relay.connect(self._deliver)

    def listen(self, event: Event[T], callback: Callable[[T], None]) -> Callable[[], None]:
        """Call ``callback(value)`` on the GUI thread for every emit of ``event``.

        Returns a function that disconnects this one subscription.
        """

        def forward(value: T) -> None:
            with self._lock:
                if not self._closed:
                    self._relay.emit((callback, value))

        disconnect = event.connect(forward)
        self._disconnects.append(disconnect)
        return disconnect

    @Slot(object)
    def _deliver(self, item: tuple[Callable[[Any], None], Any]) -> None:
        if self._closed:
            return
        callback, value = item
        callback(value)

    def close(self) -> None:
        """Disconnect every subscription; nothing more is delivered. Idempotent."""
        with self._lock:
            self._closed = True
        for disconnect in self._disconnects:
            disconnect()
        self._disconnects.clear()
