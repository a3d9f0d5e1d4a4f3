"""Workspace events as a Qt signal, delivered on the GUI thread whoever emits them.

The workspace calls its listeners in the thread that changed it: the GUI thread for edits, a
worker for Save. Re-emitting through a signal of this GUI-thread object makes Qt queue events
from a worker onto the GUI thread, and deliver the GUI thread's own events at once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from core.services.workspace import Workspace, WorkspaceEvent


class WorkspaceBridge(QObject):
    """Subscribes to one workspace and re-emits its events as :attr:`changed`."""

    changed = Signal(object)  # WorkspaceEvent

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = workspace.subscribe(self._forward)

    def _forward(self, event: WorkspaceEvent) -> None:
        self.changed.emit(event)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
