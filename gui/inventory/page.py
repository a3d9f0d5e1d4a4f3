"""The inventory page: summary banner, filter bar, the tree and the details panel.

The window builds this page only once an inventory has been opened (its modules pull in the
core, which the first paint does not need). The tree's rows come from the model; nothing here
fills widgets by hand.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from core.domain.app_rules import app_secret_status
from core.domain.inventory import utcnow
from core.services.view.badges import Badge, Tone
from core.services.view.ends import next_end_today
from core.services.view.first_step import first_step
from core.services.view.rows import InventoryRows, QuickFilter
from core.services.view.sorting import Column
from core.services.workspace import Workspace, WorkspaceEvent
from gui.bridge import Bridge
from gui.inventory.badge_delegate import BadgeDelegate, badges_width
from gui.inventory.banner import SummaryBanner
from gui.inventory.day_timer import DayTimer
from gui.inventory.details import DetailsPanel
from gui.inventory.model import InventoryModel, KeyRole
from gui.text import make_plain

#: Expand every company when at most this many rows are shown (expanding is linear in rows).
EXPAND_LIMIT = 400

#: The quick filter buttons: (filter, label, tooltip).
QUICK_BUTTONS = (
    (QuickFilter.ALL, "All", "Show every company and channel."),
    (
        QuickFilter.ATTENTION,
        "Needs attention",
        "Show only channels that need something done: reauthorization, an expiry within 30 "
        "days, a failed check or the app's credentials.",
    ),
    (
        QuickFilter.EXPIRING,
        "Expiring within 30 days",
        "Show only working channels whose authorization ends within 30 days.",
    ),
    (QuickFilter.MWS, "MWS only", "Show only channels still on the retired MWS API."),
)


class InventoryPage(QWidget):
    """Everything the window shows for a loaded inventory."""

    currentChanged = Signal()  # the selected company or channel changed
    activated = Signal()  # a row was activated (the window starts editing)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace: Workspace | None = None
        self.clock: Callable[[], datetime] = utcnow
        self.model = InventoryModel(parent=self)
        # Counts and badges change at local midnight: the timer recomputes them then.
        self.day_timer = DayTimer(parent=self)
        self.day_timer.dayChanged.connect(self.day_changed)
        self.day_timer.next_end = self._next_end
        self.banner = SummaryBanner()

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name, Seller ID, marketplace or country")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter")
        self.filter_edit.setToolTip(
            "Type part of a company or channel name, a Seller ID, a marketplace or a country "
            "(Ctrl+F)."
        )
        self.quick_group = QButtonGroup(self)
        self.quick_buttons: dict[QuickFilter, QToolButton] = {}
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 2)
        for quick, label, tip in QUICK_BUTTONS:
            button = QToolButton()
            button.setText(label)
            button.setCheckable(True)
            button.setToolTip(tip)
            button.setAccessibleName(f"Show: {label}")
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.quick_group.addButton(button)
            self.quick_buttons[quick] = button
            bar.addWidget(button)
            button.clicked.connect(lambda _checked, q=quick: self.set_quick(q))
        self.quick_buttons[QuickFilter.ALL].setChecked(True)
        self.shown_label = QLabel()
        bar.addWidget(self.shown_label, 1, Qt.AlignmentFlag.AlignRight)

        self.view = QTreeView()
        self.view.setAccessibleName("Companies and channels")
        self.view.setUniformRowHeights(True)  # what keeps 50,000 rows fast
        self.view.setAlternatingRowColors(True)
        self.view.setAllColumnsShowFocus(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(Column.STATUS, BadgeDelegate(self.view))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self._size_columns()

        self.panel = DetailsPanel()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([990, 290])

        self.read_only_notice = QLabel()
        self.read_only_notice.setWordWrap(True)
        self.read_only_notice.setFrameShape(QFrame.Shape.StyledPanel)
        self.read_only_notice.setMargin(6)
        self.read_only_notice.hide()
        make_plain(self.read_only_notice, self.shown_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.read_only_notice)
        layout.addWidget(self.banner)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)

        self.filter_edit.textChanged.connect(self._apply_filter)
        self.banner.filterRequested.connect(self.set_quick)
        self.model.modelAboutToBeReset.connect(self._remember)
        self.model.modelReset.connect(self._after_reset)
        self.model.summaryChanged.connect(self._update_summary)
        self.view.selectionModel().currentChanged.connect(self._on_current)
        # Double-click or Enter (as the platform has it) on a row starts editing it.
        self.view.activated.connect(lambda _index: self.activated.emit())
        self._remembered: tuple[str, str] | None = None
        self._tab_order()

    def _size_columns(self) -> None:
        metrics = QFontMetrics(self.view.font())
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        indent = self.view.indentation()
        # Sized for typical content, so that all six columns fit beside the details panel.
        samples = {
            Column.NAME: ("Northwind Home & Garden UK", 2 * indent + 16),  # a channel's name
            Column.MARKETPLACE: ("United Kingdom (UK)", 8),
            Column.SELLER_ID: ("A1NORTHWINDHG4Z", 8),
            Column.EXPIRES: ("No authorization", 8),
        }
        for column, (sample, extra) in samples.items():
            header.resizeSection(column, metrics.horizontalAdvance(sample) + extra)
        typical = (Badge("SP-API", Tone.OK), Badge("Needs reauthorization", Tone.ERROR))
        header.resizeSection(Column.STATUS, int(badges_width(typical, self.view.font())) + 2)

    def _tab_order(self) -> None:
        chain: list[QWidget] = [self.filter_edit, *self.quick_buttons.values(), self.view]
        chain.append(self.panel.edit_button)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- loading ----------------------------------------------------------------------

    def load(
        self,
        workspace: Workspace,
        bridge: Bridge,
        rows: InventoryRows,
        saving: Callable[[], bool] = lambda: False,
    ) -> None:
        self.workspace = workspace
        self.panel.set_workspace(workspace, lambda: self.model.rows, saving)
        # The model first: the panel and banner then read rows that are already up to date.
        bridge.listen(workspace.changed, self.model.on_workspace_event)
        bridge.listen(workspace.changed, self._after_event)
        self.model.load(rows, workspace)
        self.day_timer.start()

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        """Read the time from ``clock`` (tests move it across midnight; the timer stays real)."""
        self.clock = clock
        self.model.set_clock(clock)
        self.panel.channel_form.expiry.clock = clock
        self.day_changed()  # what was shown was as of the old clock
        self.day_timer.set_clock(clock)  # re-armed from the statuses as of the new one

    def _next_end(self, now: datetime) -> datetime | None:
        rows, ws = self.model.rows, self.workspace
        if rows is None or ws is None:
            return None
        return next_end_today(rows.channels.values(), ws.current.app, now)

    def day_changed(self) -> None:
        """A new local day: every row's status, the banner and the details panel as of today."""
        self.model.day_changed()  # the banner follows through summaryChanged
        self.panel.refresh()

    def set_read_only(self, reason: str, notice: str | None = None) -> None:
        """Say why nothing can be changed here: another window has the inventory open, or
        ``notice`` (a file opened for review says whose it is)."""
        text = notice or f"Read-only: {reason} Close the other window to edit."
        self.read_only_notice.setText(text)
        self.read_only_notice.setAccessibleName(self.read_only_notice.text())
        self.read_only_notice.show()

    def _after_event(self, event: WorkspaceEvent) -> None:
        self.panel.refresh()
        self.reselect()

    # --- filtering --------------------------------------------------------------------

    def quick(self) -> QuickFilter:
        rows = self.model.rows
        return rows.quick if rows is not None else QuickFilter.ALL

    def set_quick(self, quick: QuickFilter) -> None:
        button = self.quick_buttons.get(quick)
        if button is not None:
            button.setChecked(True)
        else:  # a banner category without a button of its own
            self.quick_group.setExclusive(False)
            for each in self.quick_buttons.values():
                each.setChecked(False)
            self.quick_group.setExclusive(True)
        self.banner.set_active(quick)
        self.model.set_filter(self.filter_edit.text(), quick)
        self._update_shown()

    def _apply_filter(self, text: str) -> None:
        self.model.set_filter(text, self.quick())
        self._update_shown()

    def _update_shown(self) -> None:
        rows = self.model.rows
        if rows is None:
            return
        shown, total = rows.shown_channel_count(), rows.total
        filtered = bool(rows.words) or rows.quick is not QuickFilter.ALL
        self.shown_label.setText(f"Showing {shown} of {total} channels" if filtered else "")

    def _update_summary(self) -> None:
        self.banner.set_counts(self.model.counts, self.model.total)
        rows, ws = self.model.rows, self.workspace
        if rows is not None and ws is not None:
            now, app = self.clock(), ws.current.app
            self.banner.set_app_notice(app_secret_status(app, now))
            self.banner.set_first_step(first_step(rows.channels.values(), app, now))
        self.banner.set_active(self.quick())

    # --- selection --------------------------------------------------------------------

    def current(self) -> tuple[str, str] | None:
        """The selected (kind, id), or None."""
        key = self.view.currentIndex().data(KeyRole)
        return (key[0], key[1]) if key else None

    def select(self, kind: str, item_id: str) -> bool:
        index = self.model.index_of(kind, item_id)
        if not index.isValid():
            return False
        parent = index.parent()
        while parent.isValid():
            self.view.expand(parent)
            parent = parent.parent()
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)
        return True

    def reselect(self) -> None:
        """Keep the panel's item selected in the tree (after rows moved or came back)."""
        panel = self.panel
        if panel.kind is None or panel.item_id is None:
            return
        if self.current() != (panel.kind, panel.item_id):
            self.select(panel.kind, panel.item_id)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = current.data(KeyRole) if current.isValid() else None
        if key:  # an invalid index (filtered away) keeps the panel as it is
            self.panel.show_item(key[0], key[1])
        self.currentChanged.emit()

    def _remember(self) -> None:
        panel = self.panel
        self._remembered = (panel.kind, panel.item_id) if panel.kind and panel.item_id else None

    def _after_reset(self) -> None:
        rows = self.model.rows
        if rows is not None and rows.shown_row_count() <= EXPAND_LIMIT:
            self.view.expandAll()
        if self._remembered is not None:
            self.select(*self._remembered)
        self._update_shown()
