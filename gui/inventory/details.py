"""The details panel: the selected company or channel, read-only until Edit.

Edit makes the form editable; each field becomes a pending change when the person leaves it.
Save and Revert here are the window's own actions (they act on every pending change, as the
title's asterisk and the Unsaved badges show), so the panel only asks for them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.domain.changes import Change
from core.domain.errors import UserFacingError
from core.services.view.badges import channel_badges, company_badges
from core.services.view.rows import InventoryRows
from core.services.workspace import Workspace
from gui.inventory.badge_delegate import BadgeStrip
from gui.inventory.channel_form import ChannelForm
from gui.inventory.checklist import RecoverySection
from gui.inventory.company_form import CompanyForm
from gui.inventory.form_base import FormBase
from gui.inventory.rollback import make_button, update_button
from gui.text import make_plain


class DetailsPanel(QWidget):
    """Shows one company or channel; Edit / Save / Revert."""

    saveRequested = Signal()
    revertRequested = Signal()
    rollBackRequested = Signal()
    historyRequested = Signal()
    editingChanged = Signal(bool)
    edited = Signal()  # a field changed, applied or not (Save's enabled state may change)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Details")
        self.workspace: Workspace | None = None
        self._saving: Callable[[], bool] = lambda: False
        self.kind: str | None = None
        self.item_id: str | None = None
        self.editing = False
        self._can_edit = False
        self._rows: Callable[[], InventoryRows | None] = lambda: None

        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        make_plain(self.title, self.subtitle)  # names people typed
        self.badges = BadgeStrip()
        self.recovery = RecoverySection()  # last worked, failing since, the checklist

        self.edit_button = QPushButton("&Edit")
        self.edit_button.setToolTip("Make the fields editable. Nothing is saved until you Save.")
        self.edit_button.setAccessibleName("Edit")
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save every pending change (Ctrl+S).")
        self.save_button.setAccessibleName("Save")
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Drop every unsaved change and go back to the saved state.")
        self.revert_button.setAccessibleName("Revert")
        self.history_button = QPushButton("Histor&y…")
        self.history_button.setToolTip("What was saved about this item, and when (Ctrl+H).")
        self.history_button.clicked.connect(self.historyRequested)
        self.edit_button.clicked.connect(lambda: self.set_editing(True))
        self.save_button.clicked.connect(self.saveRequested)
        self.revert_button.clicked.connect(self.revertRequested)
        self.roll_back_button = make_button()
        self.roll_back_button.clicked.connect(self.rollBackRequested)
        buttons = QHBoxLayout()
        for button in (self.edit_button, self.save_button, self.revert_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        # What happened to the item and its authorization, apart from editing its fields.
        grant_buttons = QHBoxLayout()
        grant_buttons.addWidget(self.roll_back_button)
        grant_buttons.addWidget(self.history_button)
        grant_buttons.addStretch(1)

        self.company_form = CompanyForm(self._apply)
        self.channel_form = ChannelForm(self._apply)
        for form in (self.company_form, self.channel_form):
            form.edited.connect(self._on_edited)
        self.empty = QLabel("Select a company or channel to see its details here.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stack = _Pages(self.empty, self.company_form, self.channel_form)
        self.scroll_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        content = QWidget()  # the connection section scrolls with the form below it
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.recovery)
        column.addWidget(self.stack, 1)
        scroll.setWidget(content)

        self.setMinimumWidth(260)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.badges)
        layout.addLayout(buttons)
        layout.addLayout(grant_buttons)
        layout.addWidget(scroll, 1)
        self.show_item(None, None)

    # --- wiring -----------------------------------------------------------------------

    def set_workspace(
        self,
        workspace: Workspace,
        rows: Callable[[], InventoryRows | None],
        saving: Callable[[], bool],
    ) -> None:
        """Show items of ``workspace``; ``rows`` gives the tree's rows (their cached status),
        ``saving`` whether the window is saving (the buttons wait for it)."""
        self.workspace = workspace
        self._rows = rows
        self._saving = saving
        for form in (self.company_form, self.channel_form):
            form.workspace = workspace

    def _apply(self, change: Change) -> UserFacingError | None:
        if self.workspace is None:
            return None
        return self.workspace.try_apply(change)

    @property
    def form(self) -> FormBase | None:
        if self.kind == "company":
            return self.company_form
        if self.kind == "channel":
            return self.channel_form
        return None

    # --- showing ----------------------------------------------------------------------

    def show_item(self, kind: str | None, item_id: str | None) -> None:
        """Show a company or a channel (or nothing); another item leaves edit mode."""
        if (kind, item_id) == (self.kind, self.item_id) and kind is not None:
            self.refresh()
            return
        if self.editing:
            self.set_editing(False)
        self.kind, self.item_id = kind, item_id
        if kind == "company" and item_id is not None:
            self.company_form.show_company(item_id)
            self.stack.setCurrentWidget(self.company_form)
        elif kind == "channel" and item_id is not None:
            self.channel_form.show_channel(item_id)
            self.stack.setCurrentWidget(self.channel_form)
        else:
            self.kind = self.item_id = None
            self.stack.setCurrentWidget(self.empty)
        self._header()
        self.update_buttons()

    def refresh(self) -> None:
        """The workspace changed: reload the item, or let it go if it no longer exists."""
        if self.workspace is None or self.kind is None or self.item_id is None:
            return
        inv = self.workspace.current
        table = inv.companies if self.kind == "company" else inv.channels
        if self.item_id not in table:
            self.show_item(None, None)
            return
        form = self.form
        if form is not None:
            form.reload()
        self._header()
        self.update_buttons()

    def _header(self) -> None:
        ws = self.workspace
        if ws is None or self.kind is None or self.item_id is None:
            self.title.setText("Details")
            self.subtitle.setText("")
            self.badges.set_badges(())
            self.badges.hide()
            self.recovery.show_channel(None, None)
            return
        inv = ws.current
        rows = self._rows()  # the model's rows: their status is already derived and cached
        if self.kind == "company":
            company = inv.companies[self.item_id]
            parent = inv.companies.get(company.parent_id) if company.parent_id else None
            orow = rows.companies.get(self.item_id) if rows is not None else None
            count = len(orow.channels) if orow is not None else 0
            noun = "channel" if count == 1 else "channels"
            kind = f"Unified child of {parent.name}" if parent else "Company"
            self.title.setText(company.name)
            self.subtitle.setText(f"{kind} · {count} {noun}")
            self.badges.set_badges(company_badges(orow) if orow is not None else ())
        else:
            channel = inv.channels[self.item_id]
            market = channel.marketplace
            crow = rows.channels.get(self.item_id) if rows is not None else None
            self.title.setText(channel.name or market.label)
            self.subtitle.setText(
                f"Channel · Amazon {market.label} · {market.region.display_name} region"
            )
            self.badges.set_badges(channel_badges(crow.status) if crow is not None else ())
        self.badges.setVisible(bool(self.badges.badges()))
        self.recovery.show_channel(ws, self.item_id if self.kind == "channel" else None)

    # --- editing ----------------------------------------------------------------------

    def set_can_edit(self, can_edit: bool) -> None:
        self._can_edit = can_edit
        if not can_edit and self.editing:
            self.set_editing(False)
        self.update_buttons()

    def set_editing(self, editing: bool) -> None:
        form = self.form
        editing = editing and form is not None and self._can_edit
        if editing == self.editing:
            return
        if not editing and form is not None:
            form.commit()
        self.editing = editing
        for each in (self.company_form, self.channel_form):
            each.set_editing(editing and each is form)
        if editing and form is not None:
            target = self.company_form.name if form is self.company_form else self.channel_form.name
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            target.selectAll()
        self.update_buttons()
        self.editingChanged.emit(editing)

    def _on_edited(self) -> None:
        self.update_buttons()
        self.edited.emit()

    def commit(self) -> bool:
        """Apply the field being edited, if any; False when it has an error."""
        form = self.form
        return True if form is None or not self.editing else form.commit()

    def has_uncommitted(self) -> bool:
        form = self.form
        return form is not None and form.has_uncommitted()

    def update_buttons(self) -> None:
        dirty = self.workspace is not None and self.workspace.is_dirty
        self.edit_button.setEnabled(self.form is not None and self._can_edit and not self.editing)
        busy = self._saving()
        pending = dirty or self.has_uncommitted()
        self.save_button.setEnabled(pending and not busy)
        self.revert_button.setEnabled((dirty or self.editing) and not busy)
        update_button(
            self.roll_back_button, self.workspace, self.kind, self.item_id,
            can_edit=self._can_edit, busy=busy,
        )  # fmt: skip
        self.history_button.setEnabled(self.form is not None)


class _Pages(QWidget):
    """One page shown at a time, as tall as that page.

    A QStackedWidget is as tall as its tallest page (its height for a width counts hidden
    pages too), so the long channel form gave the empty page and a company a scroll bar with
    nothing to scroll to. A box layout leaves hidden widgets out.
    """

    def __init__(self, *pages: QWidget) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for page in pages:
            layout.addWidget(page)
            page.hide()
        self._current = pages[0]
        self._current.show()

    def currentWidget(self) -> QWidget:
        return self._current

    def setCurrentWidget(self, page: QWidget) -> None:
        if page is not self._current:
            self._current.hide()
            self._current = page
            page.show()
