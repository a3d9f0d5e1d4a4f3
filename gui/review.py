"""File > Open for review…: an exported JSON file takes the window's place, read-only.

The review *replaces* what the window shows (one window, one inventory: simplest to follow on a
support call). Unsaved changes are asked about first (Save / Discard / Cancel, as on closing);
Cancel keeps everything. The file is read and checked on the database lane; a bad file is
explained (its name, what is wrong, the next step) and the current inventory stays open,
untouched. To go back to the inventory, close the window and start SP Connect again.

What review mode refuses is not decided here: the workspace is read-only with no store and a
refusing secret store (:mod:`core.services.review`), so every writing path refuses it as it
refuses any read-only copy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtWidgets import QDialog, QFileDialog, QStackedWidget, QStatusBar, QWidget

from core.domain.inventory import utcnow
from core.services.review import ReviewWorkspace, open_review
from core.services.view.rows import InventoryRows
from core.services.workspace import Workspace
from gui import dialogs
from gui.tasks import TaskRunner


class Host(Protocol):
    """What this needs of the main window (gui.main_window imports this module, not back)."""

    workspace: Workspace | None
    page: Any
    welcome: Any
    commands: Any
    saving: bool
    runner: TaskRunner
    stack: QStackedWidget
    saveFinished: Any
    connection_tests: list[Any]

    def save(self) -> bool: ...

    def show_workspace(self, workspace: Workspace, rows: InventoryRows) -> None: ...

    def statusBar(self) -> QStatusBar: ...

    def findChildren(self, kind: type[QDialog]) -> list[QDialog]: ...


def ask_review_file(parent: QWidget | None) -> Path | None:
    """Which export to open for review, or ``None`` when the person cancels."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Open an export for review", "", "SP Connect export (*.json)"
    )
    return Path(path) if path else None


def open_for_review(window: Host, path: Path | None = None) -> None:
    """Ask for a file (unless given), ask about unsaved changes, then open it for review."""
    if window.saving:
        window.statusBar().showMessage("Saving… open the file when it is done.", 5000)
        return
    chosen = path or ask_review_file(window if isinstance(window, QWidget) else None)
    if chosen is None:
        return
    ws, page = window.workspace, window.page
    if page is not None:
        page.panel.commit()  # a field still being typed in counts as a change
    if ws is not None and ws.is_dirty:
        answer = dialogs.ask_unsaved(window if isinstance(window, QWidget) else None,
                                     len(ws.pending))  # fmt: skip
        if answer == "cancel":
            return
        if answer == "save":
            _after_save(window, lambda: _load(window, chosen))
            return
    _load(window, chosen)


def _after_save(window: Host, then: Callable[[], None]) -> None:
    """Save, then ``then`` once saved; a failed Save (it says why) opens nothing."""

    def finished(ok: bool) -> None:
        window.saveFinished.disconnect(finished)
        if ok:
            then()

    window.saveFinished.connect(finished)
    if not window.save():  # nothing was started (nothing pending after all, or saving)
        window.saveFinished.disconnect(finished)
        if window.workspace is None or not window.workspace.is_dirty:
            then()


def _opened(path: Path) -> tuple[ReviewWorkspace, InventoryRows]:
    """Runs on the database lane: read and check the file, prepare the rows."""
    workspace = open_review(path)
    try:
        return workspace, InventoryRows(workspace.current, utcnow(), frozenset(), frozenset())
    except BaseException:
        workspace.close()
        raise


def _load(window: Host, path: Path) -> None:
    window.statusBar().showMessage(f"Opening {path.name} for review…")

    def failed(exc: BaseException) -> None:
        window.statusBar().clearMessage()
        dialogs.report_error(window if isinstance(window, QWidget) else None, exc)

    window.runner.run(lambda: _opened(path), lambda result: _replace(window, path, *result), failed)


def _replace(window: Host, path: Path, workspace: ReviewWorkspace, rows: InventoryRows) -> None:
    """Put the review where the inventory was; the old one closes on the database lane."""
    old, page, welcome = window.workspace, window.page, window.welcome
    for run in window.connection_tests:
        run.cancel()
    for dialog in window.findChildren(QDialog):  # they act on the inventory that goes away
        dialog.close()
    for widget in (page, welcome):
        if widget is None:
            continue
        if widget is page:
            page.day_timer.stop()
        window.stack.removeWidget(widget)
        widget.deleteLater()
    window.workspace = window.page = window.welcome = window.commands = None
    if old is not None:
        window.runner.run(
            old.close, lambda _none: None, lambda exc: dialogs.report_error(None, exc)
        )
    window.show_workspace(workspace, rows)
    window.statusBar().showMessage(f"Opened {path.name} for review.", 5000)
