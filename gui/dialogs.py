"""Every question and message box the app shows: the only module that uses QMessageBox.

Plain functions, so tests replace them (``monkeypatch.setattr(dialogs, "ask_unsaved", ...)``)
and never block on a real dialog. Callers look them up through the module at call time
(``dialogs.ask_unsaved(...)``) for that reason. Each box is built by its own ``*_box``
function, so tests check what a box shows without running it. Every box shows its texts as
plain text (:func:`gui.text.make_box_plain`): they quote names people typed.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QLabel, QMessageBox, QWidget

from core.domain.redaction import redact
from core.services import logs
from gui import log_folder
from gui.crash import CrashDialog
from gui.text import make_box_plain

if TYPE_CHECKING:
    from core.domain.errors import CorruptStoreError, UserFacingError

log = logging.getLogger(__name__)

Answer = Literal["save", "discard", "cancel"]
_Button = QMessageBox.StandardButton


def unsaved_box(parent: QWidget | None, count: int) -> QMessageBox:
    """The box :func:`ask_unsaved` shows (tests inspect it without running it)."""
    changes = "1 unsaved change" if count == 1 else f"{count} unsaved changes"
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"You have {changes}. Save before closing?")
    box.setInformativeText("If you don't save, the changes are lost.")
    box.setStandardButtons(_Button.Save | _Button.Discard | _Button.Cancel)
    box.setDefaultButton(_Button.Save)
    box.button(_Button.Discard).setText("Close without saving")
    return make_box_plain(box)


def ask_unsaved(parent: QWidget | None, count: int) -> Answer:
    """Save / Discard / Cancel before closing with unsaved changes."""
    answer = unsaved_box(parent, count).exec()
    if answer == _Button.Save:
        return "save"
    if answer == _Button.Discard:
        return "discard"
    return "cancel"


def remove_box(
    parent: QWidget | None, what: str, consequence: str
) -> tuple[QMessageBox, QAbstractButton]:
    """The box :func:`confirm_remove` shows, and its Remove button."""
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
    return make_box_plain(box), remove


def confirm_remove(parent: QWidget | None, what: str, consequence: str) -> bool:
    """Ask before removing a company or channel (it stays pending until Save)."""
    box, remove = remove_box(parent, what, consequence)
    box.exec()
    return box.clickedButton() is remove


def revert_box(parent: QWidget | None, count: int) -> tuple[QMessageBox, QAbstractButton]:
    """The box :func:`confirm_revert` shows, and its Revert button."""
    changes = "the unsaved change" if count == 1 else f"all {count} unsaved changes"
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Revert")
    box.setText(f"Drop {changes}?")
    box.setInformativeText("Everything goes back to how it was last saved. This cannot be undone.")
    revert = box.addButton("Revert", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(_Button.Cancel)
    box.setDefaultButton(_Button.Cancel)
    return make_box_plain(box), revert


def confirm_revert(parent: QWidget | None, count: int) -> bool:
    """Ask before dropping every pending change."""
    box, revert = revert_box(parent, count)
    box.exec()
    return box.clickedButton() is revert


def reveal_box(parent: QWidget | None, seconds: int) -> tuple[QMessageBox, QAbstractButton]:
    """The box :func:`confirm_reveal` shows, and its Show button."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Show the MWS Authorization Token")
    box.setText("Show the MWS Authorization Token on screen?")
    box.setInformativeText(
        "Anyone who can see your screen can read it, including someone you share your screen "
        "with, such as a support person. Whoever has it can use this seller's Amazon account "
        f"through the old MWS connection. It is hidden again after {seconds} seconds or when "
        "you select something else."
    )
    show = box.addButton("Show token", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_Button.Cancel)
    box.setDefaultButton(_Button.Cancel)
    return make_box_plain(box), show


def confirm_reveal(parent: QWidget | None, seconds: int) -> bool:
    """Ask before a secret is shown on screen: who can see the screen matters."""
    box, show = reveal_box(parent, seconds)
    box.exec()
    return box.clickedButton() is show


def roll_back_box(
    parent: QWidget | None, headline: str, details: str
) -> tuple[QMessageBox, QAbstractButton]:
    """The box :func:`confirm_roll_back` shows, and its Roll back button."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Roll back")
    box.setText(headline)
    box.setInformativeText(details)
    roll_back = box.addButton("Roll back", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_Button.Cancel)
    box.setDefaultButton(_Button.Cancel)
    return make_box_plain(box), roll_back  # store names are whatever a person typed


def confirm_roll_back(parent: QWidget | None, headline: str, details: str) -> bool:
    """Ask before going back to a previous authorization (pending until Save)."""
    box, roll_back = roll_back_box(parent, headline, details)
    box.exec()
    return box.clickedButton() is roll_back


def error_box(parent: QWidget | None, error: UserFacingError) -> QMessageBox:
    """The box :func:`show_error` shows."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("SP Connect")
    box.setText(error.message)
    if error.next_step:
        box.setInformativeText(error.next_step)
    return make_box_plain(box)


def restored_box(parent: QWidget | None, message: str, next_step: str) -> QMessageBox:
    """The box :func:`show_restored` shows."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Backup restored")
    box.setText(message)
    if next_step:
        box.setInformativeText(next_step)
    return make_box_plain(box)  # store names are whatever a person typed


def show_restored(parent: QWidget | None, message: str, next_step: str) -> None:
    """A backup was put back: what it undid (the sellers to reauthorize) and what to do."""
    restored_box(parent, message, next_step).exec()


def show_error(parent: QWidget | None, error: UserFacingError) -> None:
    """What went wrong and the one next step, in plain words."""
    error_box(parent, error).exec()


def restore_box(
    parent: QWidget | None, error: CorruptStoreError
) -> tuple[QMessageBox, QAbstractButton | None]:
    """The box :func:`offer_restore` shows, and its Restore button (None without a backup)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("The inventory cannot be opened")
    box.setText(error.message)
    if not error.backups:
        box.setInformativeText(error.next_step)
        return make_box_plain(box), None
    box.setInformativeText(
        f"{error.next_step}\n\nNewest backup: {error.backups[0]}\n"
        "The current file is kept aside, not deleted."
    )
    restore = box.addButton("Restore the newest backup", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
    return make_box_plain(box), restore


def offer_restore(parent: QWidget | None, error: CorruptStoreError) -> bool:
    """The inventory cannot be opened: offer the newest backup, if any. True = restore it."""
    box, restore = restore_box(parent, error)
    box.exec()
    return restore is not None and box.clickedButton() is restore


def crash_box(parent: QWidget | None, details: str) -> CrashDialog:
    """The dialog :func:`show_crash` shows: plain words and the log file, never ``details``
    (the redacted traceback) on screen; without a log file, a button copies them."""
    return CrashDialog(parent, details, logs.active_log_file(), open_log_folder)


def show_crash(parent: QWidget | None, details: str) -> None:
    """An unexpected error: say so plainly and say where the details are.

    It does not wait (the window goes on; an error that repeats, in a timer or a paint, opens
    one dialog, not a pile of nested ones). Without a window to belong to, it waits.
    """
    if parent is None:
        crash_box(None, details).exec()
        return
    for shown in parent.findChildren(CrashDialog):
        if shown.isVisible():
            shown.raise_()
            return
    dialog = crash_box(parent, details)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()


def open_log_folder(parent: QWidget | None) -> None:
    """Help > Open log folder (and the crash dialog's button); says where it is if it cannot."""
    opened, folder = log_folder.open_log_folder()
    if not opened:
        show_log_folder_error(parent, folder)


def log_folder_box(parent: QWidget | None, folder: Path) -> QMessageBox:
    """The box :func:`show_log_folder_error` shows; its path can be selected and copied."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Open log folder")
    box.setText("SP Connect could not open the log folder in your file manager.")
    box.setInformativeText(f"Open this folder yourself in your file manager:\n{folder}")
    make_box_plain(box)
    for label in box.findChildren(QLabel):
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
    return box


def show_log_folder_error(parent: QWidget | None, folder: Path) -> None:
    """The desktop could not open the log folder: where it is, to open it by hand."""
    log_folder_box(parent, folder).exec()


def about(parent: QWidget | None, version: str) -> None:
    QMessageBox.about(
        parent,
        "About SP Connect",
        f"<b>SP Connect {version}</b><p>Keeps your Amazon Selling Partner API connections "
        "healthy: which ones need reauthorizing, which expire soon, and how to fix them.</p>",
    )


def choose_report_file(parent: QWidget | None) -> Path | None:
    """Where to save the printable report: a ``.pdf`` or ``.html`` file, ``None`` if cancelled."""
    name, chosen = QFileDialog.getSaveFileName(
        parent,
        "Export report",
        str(Path.home() / "sp-connect-report.pdf"),
        "PDF document (*.pdf);;Web page, opens in any browser (*.html)",
    )
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() not in (".pdf", ".html"):
        path = path.with_name(path.name + (".html" if "html" in chosen else ".pdf"))
    return path


def report_error(parent: QWidget | None, exc: BaseException) -> None:
    """The three ways an error is shown: user-facing, silent (cancelled), or the crash dialog."""
    from core.domain.errors import Cancelled, UserFacingError

    if isinstance(exc, Cancelled):
        return
    if isinstance(exc, UserFacingError):
        log.info("shown to the user: %s", exc.message)
        show_error(parent, exc)
        return
    # The traceback goes to the log (redacted by its handlers); the dialog shows none of it.
    log.error("unexpected error: %s", type(exc).__name__, exc_info=exc)
    show_crash(parent, redact("".join(traceback.format_exception(exc))))


def choose_support_bundle_file(parent: QWidget | None, suggested: Path) -> Path | None:
    """Where to save the support bundle (a ``.zip``), ``None`` if cancelled."""
    name, _chosen = QFileDialog.getSaveFileName(
        parent, "Create support bundle", str(suggested), "Zip archive (*.zip)"
    )
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".zip" else path.with_name(path.name + ".zip")


def support_bundle_box(parent: QWidget | None, path: Path) -> QMessageBox:
    """The box :func:`show_support_bundle_written` shows."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Support bundle created")
    box.setText(f"The support bundle was saved as:\n{path}")
    box.setInformativeText(
        "Attach this file to your support ticket. Every secret was taken out; it still names "
        "your companies and sellers, so send it only to your support contact."
    )
    return make_box_plain(box)  # a path can hold any character a person typed


def show_support_bundle_written(parent: QWidget | None, path: Path) -> None:
    """The bundle is written: where, and the one next step."""
    support_bundle_box(parent, path).exec()
