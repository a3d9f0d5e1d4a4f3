"""Python's cyclic garbage collector, run on the GUI thread only.

CPython starts a collection in whichever thread happens to allocate past the threshold. When
that is a worker (a network lane building a session, the database lane loading rows) and the
garbage holds Qt wrappers, their C++ objects are destroyed on the wrong thread, which can crash
the interpreter ("Fatal Python error: Segmentation fault ... Garbage-collecting"): seen in the
GUI tests about once in ten runs before they collected on the GUI thread themselves. The
application does the same: automatic collection is switched off and a timer on the GUI thread
runs each generation when its count passes the threshold the interpreter would have used.
Reference counting still frees everything that is not part of a cycle at once, so memory only
waits up to one interval for cycles.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the collector's counts. A second keeps cyclic garbage
#: short-lived; a look that finds nothing due costs a few microseconds.
INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    """Switches automatic collection off and collects on a GUI-thread timer until :meth:`stop`."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect each generation whose count is past its threshold; returns what was freed.

        The same rule as the interpreter's own: the young generation when enough objects were
        made, an older one only when enough younger collections ran since its last.
        """
        counts = gc.get_count()
        freed = 0
        for generation in range(3):
            threshold = self._thresholds[generation]
            if threshold <= 0 or counts[generation] <= threshold:
                break
            freed += gc.collect(generation)
        return freed

    def stop(self) -> None:
        """Stop the timer and give collection back to the interpreter as it was found."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
