"""The crash dialog: an unexpected error in plain words, and where support finds its details.

A seller never sees a traceback: the dialog says that something went wrong, that what is saved
is safe and the unsaved changes are still there (the window keeps running: an exception in a Qt
callback ends that callback only, and the pending changes live in the workspace), and where the
log file is, with a button to open its folder and one to copy its path for a support ticket.
When no log file could be written, the details (redacted) are offered by "Copy details"
instead, since support still needs them. Built by :func:`gui.dialogs.crash_box`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from gui import clipboard
from gui.text import plain_label

HEADLINE = "Something went wrong inside SP Connect."
SAFE = "Your saved data is safe; unsaved changes are still there."
NEXT_STEP = "Save your changes, then carry on. If this happens again, send the log file to support."
NO_LOG = (
    "SP Connect could not write its log file, so the details are not saved anywhere. Click "
    "Copy details and paste them into your message to support."
)


class CrashDialog(QDialog):
    """The dialog itself; ``open_folder`` opens the log folder (with this dialog as parent)."""

    def __init__(
        self,
        parent: QWidget | None,
        details: str,
        log_file: Path | None,
        open_folder: Callable[[QWidget], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle("SP Connect: unexpected error")
        self.details, self.log_file = details, log_file
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.headline = plain_label(HEADLINE)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.message = plain_label(f"{SAFE} {NEXT_STEP if log_file else ''}".strip())
        self.message.setWordWrap(True)
        text = QVBoxLayout()
        text.addWidget(self.headline)
        text.addWidget(self.message)
        self.path_field: QLineEdit | None = None
        buttons = QDialogButtonBox()
        self.open_button: QPushButton | None = None
        self.copy_button: QPushButton | None = None
        self.details_button: QPushButton | None = None
        if log_file is not None:
            text.addWidget(plain_label("The details are in this log file:"))
            # Read-only but focusable: the path can be selected with the mouse or the keyboard.
            self.path_field = QLineEdit(str(log_file))
            self.path_field.setReadOnly(True)
            self.path_field.setAccessibleName("Log file")
            self.path_field.setMinimumWidth(self.fontMetrics().horizontalAdvance("M" * 36))
            text.addWidget(self.path_field)
            self.open_button = QPushButton("&Open log folder")
            self.open_button.clicked.connect(lambda: open_folder(self))
            self.copy_button = QPushButton("Copy the log's &path")
            self.copy_button.clicked.connect(lambda: clipboard.copy(str(log_file)))
            for button in (self.open_button, self.copy_button):
                buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        else:
            no_log = plain_label(NO_LOG)
            no_log.setWordWrap(True)
            text.addWidget(no_log)
            self.details_button = QPushButton("Copy &details")
            self.details_button.clicked.connect(lambda: clipboard.copy(details))
            buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = QPushButton("&Close")
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        for other in (self.open_button, self.copy_button, self.details_button):
            if other is not None:
                other.setAutoDefault(False)  # Enter closes; the others need a click or Alt+key
        # Once the button is inside the dialog: only then does the dialog keep it as its default.
        self.close_button.setDefault(True)
        self.close_button.setFocus()
