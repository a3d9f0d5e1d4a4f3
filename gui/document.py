"""The open inventory as the window sees it: pending edits, Undo, Revert, and Save on a worker.

The workspace is not thread-safe, so Save hands it to the worker only while the document is
*saving*: every edit is refused until the worker is done (the window disables its editing
actions on :attr:`Document.stateChanged`). Workspace events fired on the worker reach the GUI
thread through the bridge's queued signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from core.domain.changes import Change
from core.domain.errors import UserFacingError
from core.services.session import Session
from core.services.workspace import Workspace, WorkspaceEvent
from gui import dialogs
from gui.bridge import Bridge
from gui.tasks import TaskRunner

log = logging.getLogger(__name__)


class Document(QObject):
    """One open :class:`~core.services.session.Session` and the state the window's actions
    follow."""

    stateChanged = Signal()  # dirty, saving or the Undo text may have changed
    saveFinished = Signal(bool)  # True when everything was saved

    def __init__(
        self,
        session: Session,
        runner: TaskRunner,
        dialog_parent: Callable[[], QWidget | None] = lambda: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.workspace: Workspace = session.workspace
        self.runner = runner
        self._dialog_parent = dialog_parent
        self._saving = False
        self.bridge = Bridge(self)
        self.bridge.listen(self.workspace.changed, self._on_event)

    # --- state ------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return self.workspace.is_dirty

    @property
    def saving(self) -> bool:
        return self._saving

    @property
    def read_only(self) -> bool:
        return self.workspace.read_only

    @property
    def can_edit(self) -> bool:
        return not self.read_only and not self._saving

    @property
    def pending_count(self) -> int:
        return len(self.workspace.pending)

    def undo_text(self) -> str:
        pending = self.workspace.pending
        return pending[-1].description if pending else ""

    def _on_event(self, event: WorkspaceEvent) -> None:
        self.stateChanged.emit()

    # --- editing ----------------------------------------------------------------------

    def try_apply(self, change: Change) -> UserFacingError | None:
        """Apply a change as a pending edit; returns the refusal instead of showing it."""
        if not self.can_edit:
            reason = self.workspace.read_only_reason or "Wait until saving is done."
            return UserFacingError(reason, "Changes cannot be made right now.")
        try:
            self.workspace.apply(change)
        except UserFacingError as exc:
            return exc
        return None

    def apply(self, change: Change) -> bool:
        """Apply a change; a refusal is shown to the person. True when it was applied."""
        error = self.try_apply(change)
        if error is not None:
            dialogs.show_error(self._dialog_parent(), error)
            return False
        return True

    def undo(self) -> None:
        if self.can_edit:
            self.workspace.undo()

    def revert(self) -> None:
        if self.can_edit:
            self.workspace.revert()

    # --- saving -----------------------------------------------------------------------

    def save(self) -> bool:
        """Start saving on the worker; :attr:`saveFinished` tells how it ended.

        Returns False when there was nothing to start (nothing pending, or already saving).
        """
        if self._saving or not self.dirty:
            return False
        self._saving = True
        self.stateChanged.emit()
        self.runner.run(self.workspace.save, self._saved, self._save_failed)
        return True

    def _saved(self, _result: object) -> None:
        self._saving = False
        log.info("saved")
        self.stateChanged.emit()
        self.saveFinished.emit(True)

    def _save_failed(self, exc: BaseException) -> None:
        # The workspace keeps every change pending when a Save fails.
        self._saving = False
        self.stateChanged.emit()
        self.saveFinished.emit(False)
        dialogs.report_error(self._dialog_parent(), exc)

    def close(self) -> None:
        self.bridge.close()
        self.session.close()
