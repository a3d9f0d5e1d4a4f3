"""Every question and message box the app shows: the only module that uses QMessageBox.

Plain functions, so tests replace them (``monkeypatch.setattr(dialogs, "ask_unsaved", ...)``)
and never block on a real dialog. Callers look them up through the module at call time
(``dialogs.ask_unsaved(...)``) for that reason.
"""

from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from core.domain.errors import CorruptStoreError, UserFacingError

log = logging.getLogger(__name__)

Answer = Literal["save", "discard", "cancel"]
_Button = QMessageBox.StandardButton


def ask_unsaved(parent: QWidget | None, count: int) -> Answer:
    """Save / Discard / Cancel before closing with unsaved changes."""
    changes = "1 unsaved change" if count == 1 else f"{count} unsaved changes"
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"You have {changes}. Save before closing?")
    box.setInformativeText("If you don't save, the changes are lost.")
    box.setStandardButtons(_Button.Save | _Button.Discard | _Button.Cancel)
    box.setDefaultButton(_Button.Save)
    box.button(_Button.Discard).setText("Close without saving")
    answer = box.exec()
    if answer == _Button.Save:
        return "save"
    if answer == _Button.Discard:
        return "discard"
    return "cancel"


def confirm_remove(parent: QWidget | None, what: str, consequence: str) -> bool:
    """Ask before removing a company or channel (it stays pending until Save)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Remove")
    box.setText(f"Remove {what}?")
    box.setInformativeText(
        f"{consequence} The removal takes effect when you click Save; until then Undo brings "
        "it back."
    )
    remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(_Button.Cancel)
    box.setDefaultButton(_Button.Cancel)
    box.exec()
    return box.clickedButton() is remove


def confirm_revert(parent: QWidget | None, count: int) -> bool:
    """Ask before dropping every pending change."""
    changes = "the unsaved change" if count == 1 else f"all {count} unsaved changes"
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Revert")
    box.setText(f"Drop {changes}?")
    box.setInformativeText("Everything goes back to how it was last saved. This cannot be undone.")
    revert = box.addButton("Revert", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(_Button.Cancel)
    box.setDefaultButton(_Button.Cancel)
    box.exec()
    return box.clickedButton() is revert


def show_error(parent: QWidget | None, error: UserFacingError) -> None:
    """What went wrong and the one next step, in plain words."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("SP Connect")
    box.setText(error.message)
    if error.next_step:
        box.setInformativeText(error.next_step)
    box.exec()


def show_restored(parent: QWidget | None, message: str, next_step: str) -> None:
    """A backup was put back: what it undid (the sellers to reauthorize) and what to do."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Backup restored")
    box.setTextFormat(Qt.TextFormat.PlainText)  # store names are whatever a person typed
    box.setText(message)
    if next_step:
        box.setInformativeText(next_step)
    box.exec()


def offer_restore(parent: QWidget | None, error: CorruptStoreError) -> bool:
    """The inventory cannot be opened: offer the newest backup, if any. True = restore it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("The inventory cannot be opened")
    box.setText(error.message)
    if not error.backups:
        box.setInformativeText(error.next_step)
        box.exec()
        return False
    box.setInformativeText(
        f"{error.next_step}\n\nNewest backup: {error.backups[0]}\n"
        "The current file is kept aside, not deleted."
    )
    restore = box.addButton("Restore the newest backup", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is restore


def show_crash(parent: QWidget | None, details: str) -> None:
    """An unexpected error: say so plainly, with the technical details folded away."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("SP Connect: unexpected error")
    box.setText("Something went wrong inside SP Connect.")
    box.setInformativeText(
        "Your saved data is safe. Unsaved changes are still pending: try Save. If this happens "
        "again, send the details below to support."
    )
    box.setDetailedText(details)
    box.exec()


def about(parent: QWidget | None, version: str) -> None:
    QMessageBox.about(
        parent,
        "About SP Connect",
        f"<b>SP Connect {version}</b><p>Keeps your Amazon Selling Partner API connections "
        "healthy: which ones need reauthorizing, which expire soon, and how to fix them.</p>",
    )


def report_error(parent: QWidget | None, exc: BaseException) -> None:
    """The three ways an error is shown: user-facing, silent (cancelled), or the crash dialog."""
    from core.domain.errors import Cancelled, UserFacingError

    if isinstance(exc, Cancelled):
        return
    if isinstance(exc, UserFacingError):
        log.info("shown to the user: %s", exc.message)
        show_error(parent, exc)
        return
    details = "".join(traceback.format_exception(exc))
    log.error("unexpected error: %s", details)
    show_crash(parent, details)
