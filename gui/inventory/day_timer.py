"""A timer that says when statuses are due to change, for a window left open overnight.

Every expiry count is a count of local calendar days (:mod:`core.domain.dates`), so badges and
banner counts change at local midnight; the one change inside a day is something that "expires
today" becoming "expired" at its moment (:mod:`core.domain.expiry`), which the window names
through ``next_end`` (:func:`core.services.view.ends.next_end_today`).

The timer is armed from the clock each time, for the next local midnight, never for a fixed 24
hours: a machine that slept, a clock set by hand or a change of time zone would put a fixed
interval out of step. Qt's timers count the monotonic clock, which stops while the machine
sleeps, so a single long shot would fire hours late after a wake: each shot is capped at
:data:`MAX_WAIT_MS` and every firing compares today's date with the last one seen. Cheap: one
date comparison per shot, and the handler runs only when the day really changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from core.domain import dates
from core.domain.inventory import utcnow

#: The longest single wait: how late a day change may be noticed after the machine wakes.
MAX_WAIT_MS = 15 * 60 * 1000
#: Fire this long after midnight, so a clock a little behind Qt's timer still reads the new day.
_AFTER_MIDNIGHT_MS = 500


class DayTimer(QObject):
    """Emits :attr:`dayChanged` when the local day changes or an end moment inside it passes."""

    dayChanged = Signal()

    def __init__(
        self, clock: Callable[[], datetime] = utcnow, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        #: The next end moment inside today, asked each time the timer is armed.
        self.next_end: Callable[[datetime], datetime | None] = lambda _now: None
        self._due: datetime | None = None
        self._day: date = dates.local_day(clock())
        self.timer = QTimer(self)
        self.timer.setObjectName("dayTimer")
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)  # one timer: no need to batch it
        self.timer.timeout.connect(self.check)
        self._running = False

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        """Read the time from ``clock`` (tests); the day seen so far is the clock's today."""
        self._clock = clock
        self._day = dates.local_day(clock())
        if self._running:
            self.arm()

    def start(self) -> None:
        self._running = True
        self.arm()

    def stop(self) -> None:
        """Stop for good (the window closes): a check after this re-arms nothing."""
        self._running = False
        self.timer.stop()

    def wait_ms(self) -> int:
        """How long until the next check: the next end moment, local midnight, or the cap."""
        now = self._clock()
        self._due = self.next_end(now)
        wake = dates.next_local_midnight(now)
        if self._due is not None:
            wake = min(wake, self._due)
        until = (wake - now).total_seconds() * 1000
        return max(0, min(int(until) + _AFTER_MIDNIGHT_MS, MAX_WAIT_MS))

    def arm(self) -> None:
        self.timer.start(self.wait_ms())

    def check(self) -> None:
        """Emit :attr:`dayChanged` if the day changed or the end moment came, then re-arm."""
        now = self._clock()
        today = dates.local_day(now)
        changed = today != self._day or (self._due is not None and now >= self._due)
        self._day = today
        if changed:
            self.dayChanged.emit()  # first: the next arming reads the statuses as of now
        if self._running:
            self.arm()
