"""The first-run view: an empty inventory gets three ways to start instead of an empty tree."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomeView(QWidget):
    addRequested = Signal()
    importRequested = Signal()
    demoRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Welcome")
        title = QLabel("Welcome to SP Connect")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "SP Connect keeps track of your Amazon connections: which ones must be "
            "reauthorized, which expire soon, and how to fix them.\n\n"
            "Your inventory is empty. Start by adding the first company and its Amazon "
            "channels, or look around in a sample inventory first."
        )
        intro.setWordWrap(True)

        self.add_button = QPushButton("Add a connection")
        self.add_button.setToolTip(
            "Add your first company; then add a channel for each Amazon marketplace it sells in."
        )
        self.add_button.setAccessibleName("Add a connection")
        self.add_button.setDefault(True)
        self.import_button = QPushButton("Import a file…")
        self.import_button.setToolTip(
            "Import companies and channels from a CSV or JSON file (coming in a later version)."
        )
        self.import_button.setAccessibleName("Import a file")
        self.import_button.setEnabled(False)
        self.demo_button = QPushButton("Open the demo")
        self.demo_button.setToolTip(
            "Open a sample inventory in a separate window. Nothing you do there touches your "
            "own inventory or keychain."
        )
        self.demo_button.setAccessibleName("Open the demo")
        self.add_button.clicked.connect(self.addRequested)
        self.import_button.clicked.connect(self.importRequested)
        self.demo_button.clicked.connect(self.demoRequested)

        column = QWidget()
        # A fixed width lets the word-wrapped text ask for the height it really needs; with only
        # a maximum width the layout squeezed it and clipped lines.
        column.setFixedWidth(600)
        layout = QVBoxLayout(column)
        layout.setSpacing(14)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(8)
        for button in (self.add_button, self.import_button, self.demo_button):
            button.setMinimumWidth(220)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 48, 48, 48)
        outer.addStretch(1)
        # Centred by stretches, not an alignment flag: an aligned widget gets its plain size
        # hint, which ignores how tall the wrapped text becomes at this width.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setTabOrder(self.add_button, self.import_button)
        self.setTabOrder(self.import_button, self.demo_button)


def centred(widget: QWidget) -> QWidget:
    """``widget`` in the middle of a page (with layouts: no alignment flags before paint)."""
    page = QWidget()
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget, 2)
    row.addStretch(1)
    column = QVBoxLayout(page)
    column.addStretch(1)
    column.addLayout(row)
    column.addStretch(1)
    return page
