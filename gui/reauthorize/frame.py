"""The reauthorize dialog's frame: its title, the stack of pages, the paste panel and the row of
buttons; which of them show on each page, and which button Enter presses.

What the dialog does is in :mod:`gui.reauthorize.dialog`; this part only lays it out.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.reauthorize.pages import (
    PastePanel,
    ResultPage,
    SelfAuthPage,
    StartPage,
    WaitingPage,
    button,
    heading,
)
from gui.text import plain_label


class ReauthorizeFrame(QDialog):
    """The reauthorize dialog's widgets and which of them show; the dialog adds what they do."""

    def __init__(self, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — SP Connect")
        self.setAccessibleName(title)
        self.setMinimumWidth(620)
        self.title = heading(title, 1.35)
        self.subtitle = plain_label(subtitle)  # names the account (a store name from Amazon)
        self.subtitle.setWordWrap(True)
        self.start_page = StartPage()
        self.waiting_page = WaitingPage()
        self.self_auth_page = SelfAuthPage()
        self.result_page = ResultPage()
        self.pages = QStackedWidget()
        for page in (self.start_page, self.waiting_page, self.self_auth_page, self.result_page):
            self.pages.addWidget(page)
        self.paste = PastePanel()
        self.try_again_button = button(
            "&Try again", "Try again", "Start a new consent from the beginning."
        )
        self.use_button = button(
            "&Confirm",
            "Confirm: use this account",
            "This is the account I meant: give the channels this authorization (pending until "
            "you Save in the main window).",
        )
        #: Whether Enter confirms on the confirm page; not when the account looks like another.
        self.confirm_by_default = True
        self.close_button = button(
            "Cancel", "Cancel", "Stop here. Nothing changes (Escape does the same)."
        )
        self.close_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        for widget in (self.try_again_button, self.use_button, self.close_button):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.paste)
        layout.addLayout(row)
        self.paste.edit.textChanged.connect(self._update_default)

    def _page(self, page: QWidget, *, paste: bool, buttons: Sequence[QWidget] = ()) -> None:
        self.pages.setCurrentWidget(page)
        self.paste.setVisible(paste)
        for widget in (self.try_again_button, self.use_button):
            widget.setVisible(widget in buttons)
        # A question (Confirm shown) is not the end: its way out is Cancel, not Close.
        final = page is self.result_page and self.use_button not in buttons
        self.close_button.setText("Close" if final else "Cancel")
        self.close_button.setAccessibleName("Close" if final else "Cancel")
        self.close_button.setToolTip(
            "Close this window." if final else "Stop here. Nothing changes (Escape does the same)."
        )
        self._update_default()

    def _update_default(self) -> None:
        """Enter does the obvious thing on each page (and finishes once something is pasted)."""
        page = self.pages.currentWidget()
        target: QWidget | None = None
        if self.paste.isVisible() and self.paste.edit.text().strip():
            target = self.paste.finish_button
        elif page is self.start_page:
            target = self.start_page.open_button
        elif page is self.waiting_page:  # back from the browser: the next step is to paste
            target = self.paste.finish_button
        elif page is self.self_auth_page:
            target = self.self_auth_page.verify_button
        elif self.use_button.isVisible():
            target = self.use_button if self.confirm_by_default else self.close_button
        elif self.try_again_button.isVisible():
            target = self.try_again_button
        else:
            target = self.close_button
        for widget in self.findChildren(QPushButton):
            widget.setDefault(widget is target)
