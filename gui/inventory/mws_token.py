"""A legacy channel's MWS Authorization Token: masked, Reveal after a question, Copy.

The token is a secret (see :mod:`core.domain.secret`), so the field shows only its shape and
reads the keychain only when the person asks: Reveal asks first who may see the screen (a
support person watching a screen share, say), then shows the value; Copy puts it on the
clipboard without showing it. Either way the value stays in memory for a short while only
(:attr:`MwsTokenField.shown_for_ms`): it is dropped, and the clipboard cleared if it still holds
it, when that time is up, when another channel is selected, when the token changes and when the
field is hidden or closed. The keychain can hang behind an unlock prompt, so the read runs on the
window's task runner, never on the GUI thread; a keychain error is shown under the field in plain
words.

The value appears in the field's own text only: never in a tooltip, an accessible name of
another widget, a log record or a message.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QHideEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import UserFacingError
from core.domain.inventory import Channel
from core.domain.secret import Secret
from core.domain.seller_central import MWS_TOKEN_MASK
from core.services.lanes import Lane
from core.services.workspace import Workspace
from gui import clipboard, dialogs
from gui.tasks import TaskRunner

#: How long a revealed or copied token stays shown, or on the clipboard.
SHOWN_FOR_MS = 30_000


class MwsTokenField(QWidget):
    """The token on record with Reveal and Copy, above ``entry`` (where a new one is typed)."""

    def __init__(self, entry: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.runner: TaskRunner | None = None  # the window's; without it nothing can be read
        self.shown_for_ms = SHOWN_FOR_MS
        self._workspace: Workspace | None = None
        self._channel_id: str | None = None
        self._ref: str | None = None
        self._copied: str | None = None  # what Copy put on the clipboard, to take it back
        self._revealed = False
        self._reading = False
        self._generation = 0  # a read that comes back for an older state is dropped

        # A label, not a line edit: its text cannot be selected, so the value never lands in
        # the X11 selection behind the clipboard helper's back.
        self.value = QLabel(MWS_TOKEN_MASK)
        self.value.setTextFormat(Qt.TextFormat.PlainText)
        self.value.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.value.setFrameShape(QFrame.Shape.StyledPanel)
        self.value.setWordWrap(True)
        self.reveal_button = QPushButton("&Reveal…")
        self.reveal_button.setAccessibleName("Reveal the MWS Authorization Token")
        self.reveal_button.setToolTip("Show the token on screen. SP Connect asks you first.")
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setAccessibleName("Copy the MWS Authorization Token")
        self.copy_button.setToolTip(
            "Copy the token without showing it. The clipboard is cleared again shortly."
        )
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # keychain messages
        self.note.setWordWrap(True)
        self.note.hide()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.forget)

        row = QHBoxLayout()  # under the value: the panel is narrow, a token is 45 characters
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.reveal_button)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.value)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addWidget(entry)
        self.setFocusProxy(entry)
        self.reveal_button.clicked.connect(self.toggle_reveal)
        self.copy_button.clicked.connect(self.copy)
        self._update()

    # --- what is shown ------------------------------------------------------------------

    def show_channel(self, workspace: Workspace | None, channel: Channel | None) -> None:
        """Show ``channel``'s token on record; another channel, or another token, hides it."""
        channel_id = channel.id if channel is not None else None
        ref = channel.mws_auth_token_ref if channel is not None else None
        if (workspace, channel_id, ref) != (self._workspace, self._channel_id, self._ref):
            self.forget()
        self._workspace, self._channel_id, self._ref = workspace, channel_id, ref
        self._update()

    def set_editing(self, editing: bool) -> None:
        """The entry for a new token is there while editing only."""
        self.entry.setVisible(editing)

    @property
    def revealed(self) -> bool:
        return self._revealed

    def _update(self) -> None:
        stored = self._ref is not None
        if not self._revealed:
            self.value.setText(MWS_TOKEN_MASK if stored else "None on record")
        can = stored and self.runner is not None and not self._reading
        for button in (self.reveal_button, self.copy_button):
            button.setEnabled(can)
            button.setVisible(stored)
        self.reveal_button.setText("Hi&de" if self._revealed else "&Reveal…")

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    # --- reveal and copy ----------------------------------------------------------------

    def toggle_reveal(self) -> None:
        if self._revealed:
            self.forget()
            return
        if not dialogs.confirm_reveal(self, self.shown_for_ms // 1000):
            return
        self._read(self._show)

    def copy(self) -> None:
        self._read(self._copy)

    def _read(self, then: Callable[[Secret], None]) -> None:
        ws, ref, runner = self._workspace, self._ref, self.runner
        if ws is None or ref is None or runner is None or runner.lanes.closed:
            return
        generation = self._generation

        def done(secret: Secret | None) -> None:
            if generation != self._generation:
                return  # another channel or token by now: this value is not wanted
            self._reading = False
            if secret is None:
                self._say(
                    "The token is not in the keychain. Copy it again from Seller Central > "
                    "Apps and Services > Manage Your Apps > View, type it here and Save."
                )
            else:
                then(secret)
            self._update()

        def failed(error: BaseException) -> None:
            if generation != self._generation:
                return
            self._reading = False
            self._update()
            if isinstance(error, UserFacingError):
                self._say(f"{error.message} {error.next_step}".strip())
            else:
                dialogs.report_error(self, error)

        self._reading = True
        self._say("Reading the token from the keychain…")
        self._update()
        runner.run(lambda: ws.secret(ref), done, failed, lane=Lane.NETWORK)

    def _show(self, secret: Secret) -> None:
        self._revealed = True
        # A break opportunity after each dash: 45 characters do not fit the panel on one line.
        self.value.setText(secret.reveal().replace("-", "-\u200b"))
        self.timer.start(self.shown_for_ms)
        self._say(
            f"Shown for {self.shown_for_ms // 1000} seconds, or until you select something else."
        )

    def _copy(self, secret: Secret) -> None:
        self._copied = secret.reveal()
        clipboard.copy(self._copied)
        self.timer.start(self.shown_for_ms)
        self._say(
            f"Copied. The clipboard is cleared in {self.shown_for_ms // 1000} seconds, or when "
            "you select something else."
        )

    def forget(self) -> None:
        """Mask the token again, drop it from memory and take it back from the clipboard."""
        self._generation += 1
        self._reading = False
        self.timer.stop()
        if self._copied is not None:
            clipboard.clear_if_holds(self._copied)
            self._copied = None
        self._revealed = False
        self._say("")
        self._update()

    def hideEvent(self, event: QHideEvent) -> None:
        # Another page of the panel, or the window closing: nothing stays shown or running.
        self.forget()
        super().hideEvent(event)
