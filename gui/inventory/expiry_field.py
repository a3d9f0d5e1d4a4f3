"""The channel form's end date: the date Seller Central shows for the authorization, or none.

Without a date SP Connect counts 365 days from the grant; with one, that date wins
(:mod:`core.domain.expiry_changes`). Like every field it becomes a pending change when the
person leaves it, and Save keeps it. The authorization is shared by every channel on it, so the
date changes for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QDateEdit, QLabel, QVBoxLayout, QWidget

from core.domain import dates
from core.domain.changes import Change
from core.domain.errors import FieldError
from core.domain.expiry_changes import check_confirmed_expiry, confirm_expiry
from core.domain.inventory import Authorization, utcnow

HELP = (
    "In Seller Central open Settings > User Permissions > Third party developer and apps > "
    "Manage Your Apps: the row of this app shows when its authorization expires. Without a date "
    "here, SP Connect counts 365 days from the day it was granted."
)


class ExpiryField(QWidget):
    """A check box ("use the date Seller Central shows") and the date it enables."""

    edited = Signal()  # the value changed, applied or not
    commitRequested = Signal()  # the person is done with it: apply it now

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock: Callable[[], datetime] = utcnow
        self.auth: Authorization | None = None
        self._editing = False
        self.confirmed = QCheckBox("Use the date Seller Central shows")
        self.confirmed.setAccessibleName("Use the end date Seller Central shows")
        self.confirmed.setToolTip(HELP)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("d MMM yyyy")
        self.date.setAccessibleName("End date from Seller Central")
        self.date.setToolTip(HELP)
        self.help = QLabel(HELP)
        self.help.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for widget in (self.confirmed, self.date, self.help):
            layout.addWidget(widget)
        self.confirmed.toggled.connect(self._toggled)
        self.date.dateChanged.connect(lambda _day: self.edited.emit())
        self.date.editingFinished.connect(self.commitRequested)
        self._enable()

    # --- showing ----------------------------------------------------------------------

    def load(self, auth: Authorization | None) -> None:
        """Show ``auth``'s end date (what is saved or pending), dropping any unapplied edit."""
        self.auth = auth
        self.setVisible(auth is not None)
        if auth is None:
            return
        for widget in (self.confirmed, self.date):
            widget.blockSignals(True)
        self.confirmed.setChecked(auth.expiry_confirmed)
        self.date.setDate(_qdate(dates.local_day(auth.expires_at)))
        for widget in (self.confirmed, self.date):
            widget.blockSignals(False)
        self._enable()

    def set_editable(self, editing: bool) -> None:
        self._editing = editing
        self._enable()

    def _enable(self) -> None:
        self.confirmed.setEnabled(self._editing)
        self.date.setEnabled(self._editing and self.confirmed.isChecked())

    def _toggled(self, checked: bool) -> None:
        self._enable()
        if checked:
            self.date.setFocus()
        self.edited.emit()
        if not checked:  # nothing more to pick: clearing is the whole edit
            self.commitRequested.emit()

    # --- the value --------------------------------------------------------------------

    def wanted(self) -> date | None:
        """The date shown as confirmed, or ``None`` for "count 365 days"."""
        if not self.confirmed.isChecked():
            return None
        picked = self.date.date()
        return date(picked.year(), picked.month(), picked.day())

    def has_uncommitted(self) -> bool:
        auth = self.auth
        if auth is None or not self._editing:
            return False
        saved = dates.local_day(auth.expires_at) if auth.expiry_confirmed else None
        return self.wanted() != saved

    def errors(self) -> list[FieldError]:
        day = self.wanted()
        if self.auth is None or day is None or not self.has_uncommitted():
            return []
        return check_confirmed_expiry(self.auth, day, self.clock())

    def change(self) -> Change | None:
        """The pending change the field's value asks for, or ``None`` when it asks nothing."""
        if self.auth is None or not self.has_uncommitted():
            return None
        return confirm_expiry(self.auth.id, self.wanted(), self.clock())


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
