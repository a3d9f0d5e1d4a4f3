"""The app status a person saw in Seller Central's Manage Your Apps, with the day they looked.

Picking a status in the list records it with today's date (one pending change, see
:func:`core.domain.seller_central.record_app_status`), even when it is the status already on
record: looking again is news. The list's current entry reads "Active (checked 3 Dec 2026)",
and a short text under it says where in Seller Central to look.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from core.domain.inventory import AppStatus, Channel
from core.domain.seller_central import APP_STATUS_HELP, APP_STATUS_WORDS, app_status_text


class AppStatusField(QWidget):
    """The status list (``combo``) and where to look."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setAccessibleName("App status in Seller Central")
        self.combo.setToolTip(
            "What Seller Central > Apps and Services > Manage Your Apps shows for this app. "
            "Picking a status records it with today's date."
        )
        for status, words in APP_STATUS_WORDS.items():
            self.combo.addItem(words, status.value)
        self.help = QLabel(APP_STATUS_HELP)
        self.help.setTextFormat(Qt.TextFormat.PlainText)
        self.help.setWordWrap(True)
        palette = self.help.palette()  # secondary text, still readable and not "disabled"
        role = QPalette.ColorRole
        palette.setColor(role.WindowText, palette.color(role.PlaceholderText))
        self.help.setPalette(palette)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.combo)
        layout.addWidget(self.help)
        self.setFocusProxy(self.combo)

    def show_status(self, channel: Channel) -> None:
        """The channel's status, dated, as the list's current entry."""
        for index, (status, words) in enumerate(APP_STATUS_WORDS.items()):
            self.combo.setItemText(
                index, app_status_text(channel) if status is channel.app_status else words
            )
        self.combo.setCurrentIndex(max(self.combo.findData(channel.app_status.value), 0))

    def picked(self) -> AppStatus:
        return AppStatus(self.combo.currentData() or AppStatus.UNKNOWN.value)
