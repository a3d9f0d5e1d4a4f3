"""What a GUI test must not leave behind: top-level widgets and running Qt timers.

Used by tests/gui/conftest.py's autouse check (napari's "leaked widgets" and dangling-timer
fixtures are the model). A leftover window keeps its models, workspace and signal connections
alive into the next test; a running timer fires there, on objects that test never made.

Timers are found by noting every ``QTimer.start`` and ``QTimer.singleShot`` (where in our code
it was called) while the test runs; widgets by comparing ``QApplication.topLevelWidgets()``
before and after, once pytest-qt has closed the widgets handed to ``qtbot.addWidget`` and the
deferred deletes have run.
"""

from __future__ import annotations

import gc
import weakref
from dataclasses import dataclass, field
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from tests.leaks import our_caller


def settle() -> None:
    """Runs what is posted, deferred deletes included (``deleteLater`` outside an event loop
    waits for one otherwise)."""
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def _alive(obj: QObject | None) -> bool:
    return obj is not None and shiboken6.isValid(obj)


@dataclass
class _Shot:
    """One ``QTimer.singleShot`` call: pending until it fires or its context object dies."""

    site: str
    msec: int
    context: weakref.ReferenceType[QObject] | None
    fired: bool = False
    cancelled: bool = False

    @property
    def pending(self) -> bool:
        if self.fired or self.cancelled:
            return False
        return self.context is None or _alive(self.context())


@dataclass
class TimerWatch:
    """Notes the timers started while a test runs, to find the ones still running after it."""

    timers: list[tuple[weakref.ReferenceType[QTimer], str]] = field(default_factory=list)
    shots: list[_Shot] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        start = QTimer.start
        single_shot = QTimer.singleShot
        timers, shots = self.timers, self.shots

        def watched_start(timer: QTimer, *args: Any) -> None:
            timers.append((weakref.ref(timer), our_caller()))
            start(timer, *args)

        def watched_single_shot(msec: int, *rest: Any) -> None:
            functor = rest[-1] if rest else None
            if not callable(functor):  # a receiver and a slot's name: not used by SP Connect
                single_shot(msec, *rest)
                return
            context = next((r for r in rest[:-1] if isinstance(r, QObject)), None)
            bound_to = getattr(functor, "__self__", None)
            if context is None and isinstance(bound_to, QObject):
                # As Qt does for a bound slot: the shot dies with its object.
                context = bound_to
                rest = (bound_to, functor)
            shot = _Shot(our_caller(), msec, weakref.ref(context) if context else None)
            shots.append(shot)

            def fire() -> None:
                if not shot.cancelled:
                    shot.fired = True
                    functor()

            single_shot(msec, *rest[:-1], fire)

        monkeypatch.setattr(QTimer, "start", watched_start)
        monkeypatch.setattr(QTimer, "singleShot", staticmethod(watched_single_shot))

    def running(self) -> list[str]:
        """The timers still running, each stopped (so it cannot fire in the next test)."""
        found = []
        for ref, site in self.timers:
            timer = ref()
            if _alive(timer) and timer is not None and timer.isActive():
                interval = timer.interval()
                found.append(
                    f"  - QTimer {timer.objectName()!r} every {interval} ms"
                    f"{' (single shot)' if timer.isSingleShot() else ''}, started at {site}"
                )
                timer.stop()
        for shot in self.shots:
            if shot.pending:
                found.append(f"  - QTimer.singleShot({shot.msec} ms), called at {shot.site}")
                shot.cancelled = True
        return found


def describe_widget(widget: QWidget) -> str:
    parent = widget.parentWidget()
    state = "visible" if widget.isVisible() else "hidden"
    owner = f", child window of {type(parent).__name__}" if parent is not None else ""
    return (
        f"  - {type(widget).__name__} {widget.objectName()!r} titled "
        f"{widget.windowTitle()!r} ({state}{owner})"
    )


def top_level_widgets() -> set[QWidget]:
    return set(QApplication.topLevelWidgets())


def leaked_widgets(before: set[QWidget]) -> list[QWidget]:
    """Top-level widgets alive now that were not before. A second look after a garbage
    collection: a window only a reference cycle kept is not a leak."""
    settle()
    left = [w for w in QApplication.topLevelWidgets() if w not in before]
    if left:
        del left
        gc.collect()
        settle()
        left = [w for w in QApplication.topLevelWidgets() if w not in before]
    return left


def close_all(widgets: list[QWidget]) -> None:
    """Closes and deletes leftovers, so the next test starts clean."""
    for widget in widgets:
        widget.close()
        widget.deleteLater()
    settle()


def leak_message(nodeid: str, widgets: list[str], timers: list[str]) -> str:
    parts = []
    if widgets:
        parts.append(f"{nodeid} left {len(widgets)} top-level widget(s) alive:")
        parts += widgets
        parts.append(
            "Give each window to qtbot.addWidget (it closes and deletes it), or close and "
            "deleteLater what the code opened; a window the code keeps must have a parent."
        )
    if timers:
        parts.append(f"{nodeid} left {len(timers)} Qt timer(s) running:")
        parts += timers
        parts.append("Stop the timer when its work ends (or when its owner closes).")
    return "\n".join(parts)
