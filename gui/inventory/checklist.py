"""The details panel's connection section: when it last worked, since when it fails, and the
after-reconnection checklist of a channel that had been failing for 36 hours or more.

Ticks are written at once on the database lane (why: :mod:`core.services.recovery`); the
workspace's event then refreshes the panel, which shows the saved state again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.domain import recovery as checklist
from core.domain.errors import UserFacingError
from core.domain.inventory import Recovery, utcnow
from core.services import recovery
from core.services.workspace import Workspace
from gui import dialogs
from gui.tasks import TaskRunner
from gui.text import make_plain


class _ItemLabel(QLabel):
    """An item's words beside its box: they wrap (a QCheckBox's own text cannot), and a click
    on them ticks the box as a click on a check box's own text would."""

    def __init__(self, check: QCheckBox) -> None:
        super().__init__()
        self._check = check
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() is Qt.MouseButton.LeftButton and self._check.isEnabled():
            self._check.click()
        super().mouseReleaseEvent(event)


class RecoverySection(QWidget):
    """A channel's connection history and, when it has one, its checklist."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Connection history")
        #: Where ticks are written; the window sets it (without one, ticking is off).
        self.runner: TaskRunner | None = None
        self.clock: Callable[[], datetime] = utcnow
        self.workspace: Workspace | None = None
        self.channel_id: str | None = None
        self._busy = False

        self.history = QLabel()
        self.history.setWordWrap(True)
        self.history.setAccessibleName("Connection history")
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setFrameShape(QFrame.Shape.StyledPanel)
        self.warning.setMargin(6)
        self.warning.setAccessibleName("Orders may be missing")
        self.box = QGroupBox("After reconnecting")
        self.box.setAccessibleName("After-reconnection checklist")
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.boxes: dict[str, QCheckBox] = {}
        self.labels: dict[str, QLabel] = {}
        box_layout = QVBoxLayout(self.box)
        box_layout.addWidget(self.intro)
        for key in (checklist.ORDERS, checklist.INVENTORY_SYNC, checklist.APP_ACTIVE):
            check = QCheckBox()
            check.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            check.clicked.connect(lambda done, k=key: self._tick(k, done))
            self.boxes[key] = check
            self.labels[key] = label = _ItemLabel(check)
            row = QHBoxLayout()
            row.addWidget(check, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(label, 1)
            box_layout.addLayout(row)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.dismiss_button = QPushButton("&Dismiss checklist")
        self.dismiss_button.setAccessibleName("Dismiss checklist")
        self.dismiss_button.setToolTip("Every item is done: put this checklist away.")
        self.dismiss_button.clicked.connect(self._dismiss)
        box_layout.addWidget(self.state)
        box_layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignLeft)
        make_plain(self.history, self.warning, self.intro, self.state)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.history)
        layout.addWidget(self.warning)
        layout.addWidget(self.box)
        self.hide()

    def show_channel(self, workspace: Workspace | None, channel_id: str | None) -> None:
        """Show ``channel_id``'s section, or hide it (no channel)."""
        self.workspace, self.channel_id = workspace, channel_id
        channel = workspace.current.channels.get(channel_id or "") if workspace else None
        if workspace is None or channel is None:
            self.hide()
            return
        now = self.clock()
        self.history.setText("\n".join(checklist.health_lines(channel, now)))
        warning = checklist.gap_warning(channel, now)
        self.warning.setText(f"\u26a0 {warning}" if warning else "")
        self.warning.setVisible(warning is not None)
        found = channel.health.recovery
        self.box.setVisible(checklist.is_open(found))
        if found is not None and not found.dismissed:
            self._show_checklist(workspace, found)
        self.show()

    def _show_checklist(self, workspace: Workspace, found: Recovery) -> None:
        assert self.channel_id is not None
        refusal = recovery.why_not(workspace, self.channel_id)
        can_tick = refusal is None and self.runner is not None and not workspace.read_only
        self.intro.setText(
            "This channel could not reach Amazon for 36 hours or more before it was "
            "reconnected. Tick each item off once it is done."
        )
        for item in checklist.items(found):
            check = self.boxes[item.key]
            self.labels[item.key].setText(item.text)
            check.setAccessibleName(item.text)
            check.setChecked(item.key in found.ticked)
            # Not disabled while a tick is written: that would take the keyboard focus away.
            check.setEnabled(can_tick)
        done = len(checklist.ITEM_KEYS & found.ticked)
        if refusal is not None:
            self.state.setText(f"{refusal.message} {refusal.next_step}")
        elif checklist.is_done(found):
            self.state.setText("Done: every item is ticked off.")
        else:
            self.state.setText(f"{done} of {len(checklist.ITEM_KEYS)} done.")
        self.dismiss_button.setVisible(checklist.is_done(found))
        self.dismiss_button.setEnabled(can_tick)

    # --- writing ----------------------------------------------------------------------

    def _tick(self, key: str, done: bool) -> None:
        ws, channel_id = self.workspace, self.channel_id
        if ws is None or channel_id is None:
            return
        self._write(lambda: recovery.tick(ws, channel_id, key, done))

    def _dismiss(self) -> None:
        ws, channel_id = self.workspace, self.channel_id
        if ws is None or channel_id is None:
            return
        self._write(lambda: recovery.dismiss(ws, channel_id))

    def _write(self, fn: Callable[[], None]) -> None:
        if self.runner is None or self._busy:
            self._refresh()  # one write at a time: the box shows the saved state again
            return
        self._busy = True
        self.runner.run(fn, self._written, self._failed)

    def _written(self, _result: object) -> None:
        self._busy = False
        self._refresh()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._refresh()  # the boxes show the saved state again
        if isinstance(exc, UserFacingError):
            dialogs.show_error(self.window(), exc)
        else:
            dialogs.report_error(self.window(), exc)

    def _refresh(self) -> None:
        self.show_channel(self.workspace, self.channel_id)
