"""The History view: what was saved about a channel or a company, newest first.

Read-only. For a channel a second tab lists its authorization versions (the one in use and
those it replaced, which Roll back can return to while their token is kept). Everything is
read on the database lane through the window's task runner (:mod:`core.services.history`);
nothing needs the keychain, so it works in a read-only copy too. Every text is plain: names
people typed are shown as they are (:mod:`gui.text`). Esc or Close closes it.

Open it with :func:`open_history`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.domain import dates
from core.domain.errors import UserFacingError
from core.domain.history import KIND_WORDS, AuthorizationVersion, HistoryEntry
from core.services.history import History, channel_history, company_history
from core.services.review import review_source
from core.services.workspace import Workspace
from gui.tasks import TaskRunner
from gui.text import plain_label, tooltip

ENTRY_COLUMNS = ("When", "Why", "What changed")
VERSION_COLUMNS = ("Granted", "Expires", "Seller", "Store name", "How", "State")


class HistoryDialog(QDialog):
    """The history of one channel (``kind == "channel"``) or company (``"company"``)."""

    def __init__(
        self,
        workspace: Workspace,
        kind: str,
        item_id: str,
        *,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace, self.kind, self.item_id = workspace, kind, item_id
        self._runner = runner
        self._closed = False
        self.history: History | None = None
        self.setWindowTitle("History — SP Connect")
        self.setAccessibleName("History")
        self.setMinimumSize(780, 440)

        self.heading = plain_label(self._heading())
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.status = plain_label("Loading the history…")
        self.status.setWordWrap(True)
        self.entries = _table(ENTRY_COLUMNS, "Saved changes, newest first")
        self.versions = _table(VERSION_COLUMNS, "Authorization versions, newest first")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.entries, "&Changes")
        if kind == "channel":
            self.tabs.addTab(self.versions, "&Authorization versions")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.entries.setFocus(Qt.FocusReason.OtherFocusReason)

    def _heading(self) -> str:
        inv = self.workspace.saved
        if self.kind == "channel":
            channel = inv.channels.get(self.item_id)
            name = (channel.name or channel.marketplace.label) if channel else "this channel"
            return f"History of the channel {name}"
        company = inv.companies.get(self.item_id)
        name = company.name if company is not None else "this company"
        return f"History of {name} and its channels"

    # --- loading ------------------------------------------------------------------------

    def load(self) -> None:
        """Read the history on the database lane; the tables fill when it arrives."""
        ws, item_id = self.workspace, self.item_id
        read: Callable[[], History] = (
            (lambda: channel_history(ws, item_id))
            if self.kind == "channel"
            else (lambda: company_history(ws, item_id))
        )
        self._runner.run(read, self._loaded, self._failed)

    def _loaded(self, history: History) -> None:
        if self._closed:
            return
        self.history = history
        self._fill_entries(history.entries)
        self._fill_versions(history.versions)
        n = len(history.entries)
        if n == 0 and review_source(self.workspace) is not None:
            self.status.setText("An exported file holds no history: the inventory itself has it.")
        elif n == 0:
            what = "this channel" if self.kind == "channel" else "this company"
            self.status.setText(f"Nothing has been saved about {what} yet.")
        else:
            self.status.setText(
                f"{dates.count(n, 'saved change')}, newest first. Times are your computer's."
            )

    def _failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        if isinstance(exc, UserFacingError):
            text = exc.message + (f" {exc.next_step}" if exc.next_step else "")
        else:
            text = "The history could not be read (an unexpected error). Try again."
        self.status.setText(text)

    def _fill_entries(self, entries: Sequence[HistoryEntry]) -> None:
        rows = [
            (dates.day_time(e.at) if e.at else "", KIND_WORDS[e.kind], e.description)
            for e in entries
        ]
        _fill(self.entries, rows)

    def _fill_versions(self, versions: Sequence[AuthorizationVersion]) -> None:
        rows = []
        for v in versions:
            expires = dates.day(v.expires_at)
            if v.expiry_confirmed:
                expires += " (seen in Seller Central)"
            if v.current:
                state = "In use"
            elif v.kept:
                state = "Kept: can be rolled back to"
            else:
                state = "Replaced; its token is no longer kept"
            seller = f"{v.seller_id} ({v.region})"
            rows.append((dates.day(v.granted_at), expires, seller, v.store_name, v.source, state))
        _fill(self.versions, rows)

    # --- closing ------------------------------------------------------------------------

    def done(self, result: int) -> None:
        self._closed = True  # a history still loading finds nobody to show it to
        super().done(result)


def _table(columns: Sequence[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move within it
    table.setWordWrap(True)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)  # an item's text is never markup
            item.setToolTip(tooltip(text))
            table.setItem(r, c, item)
    table.resizeRowsToContents()
    if rows:
        table.setCurrentCell(0, 0)


def open_history(
    parent: QWidget | None, workspace: Workspace, kind: str, item_id: str, *, runner: TaskRunner
) -> HistoryDialog:
    """Open the History view of a channel or company (not modal); returns it, loading."""
    dialog = HistoryDialog(workspace, kind, item_id, runner=runner, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.load()
    return dialog
