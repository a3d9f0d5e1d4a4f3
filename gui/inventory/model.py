"""The inventory tree as a QAbstractItemModel: companies, unified children, channels.

It adapts :class:`core.services.view.rows.InventoryRows` (the rows, their cached status, filter and
sort) to Qt. Workspace events update it by rows: only the rows an event changes
(:mod:`core.services.view.updates`) are brought in line, with ``dataChanged``, inserts, removals
and moves (:mod:`gui.inventory.model_update`). Only the first load, a filter change and large
changes (Revert of many edits) reset it. An index's internal id is its row's key (a plain int),
never a pointer, so a stale index can only miss, not crash.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont

from core.domain.inventory import utcnow
from core.domain.summary import Category
from core.services.view import badges, texts
from core.services.view.nodes import ChannelRow, CompanyRow, Row, up
from core.services.view.rows import InventoryRows, QuickFilter
from core.services.view.sorting import Column
from core.services.view.updates import rows_to_update
from core.services.workspace import Workspace, WorkspaceEvent
from gui.inventory.model_update import NeedsReset, RowUpdate
from gui.text import tooltip

StatusRole = Qt.ItemDataRole.UserRole + 1  # tuple[Badge, ...] for the status column
KeyRole = Qt.ItemDataRole.UserRole + 2  # ("company" | "channel", id)

#: More changed rows than this at once (a Revert of a big import) reset the model instead.
RESET_LIMIT = 500
#: Top-level rows handed to the view at first; it fetches more as it scrolls.
FETCH_BATCH = 200

_HEADERS = ("Name", "Marketplace", "Seller ID", "Status", "Expires", "Last check")
_HEADER_TIPS = (
    "The company or channel name",
    "The Amazon marketplace: country and code",
    "The Amazon account (Seller ID, also called Merchant Token) the channel must be "
    "authorized from",
    "Which Amazon API the channel uses and what needs doing",
    "When the channel's authorization ends (Amazon asks for a new one every year)",
    "When the connection was last tested",
)
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_Display = Qt.ItemDataRole.DisplayRole
_Tooltip = Qt.ItemDataRole.ToolTipRole
_Accessible = Qt.ItemDataRole.AccessibleTextRole
#: The roles data() answers.
_ROLES = frozenset({_Display, _Accessible, _Tooltip, StatusRole, KeyRole, Qt.ItemDataRole.FontRole})
# Built once: flags() runs for every row the view lays out.
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_COMPANY_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_CHANNEL_FLAGS = _COMPANY_FLAGS | Qt.ItemFlag.ItemNeverHasChildren


class InventoryModel(QAbstractItemModel):
    """Companies and channels of one workspace, filtered and sorted in the model itself."""

    summaryChanged = Signal()

    def __init__(self, clock: Callable[[], datetime] = utcnow, parent: Any = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._now = clock()
        self._ws: Workspace | None = None
        self._rows: InventoryRows | None = None
        self.nodes: dict[int, Row] = {}
        self.limit = 0  # how many top-level rows the view has been given
        self._bold = QFont()
        self._bold.setBold(True)

    # --- loading, filtering, sorting --------------------------------------------------

    def load(self, rows: InventoryRows, workspace: Workspace) -> None:
        """Show ``rows`` (built from ``workspace.current``, maybe on another thread)."""
        self.beginResetModel()
        self._ws = workspace
        self._set_rows(rows)
        self.endResetModel()
        self.summaryChanged.emit()

    def _set_rows(self, rows: InventoryRows) -> None:
        self._rows = rows
        self.nodes = {r.key: r for r in rows.companies.values()}
        self.nodes.update((r.key, r) for r in rows.channels.values())
        self.limit = min(len(rows.shown), FETCH_BATCH)

    @property
    def rows(self) -> InventoryRows | None:
        return self._rows

    @property
    def counts(self) -> dict[Category, int]:
        return dict(self._rows.counts) if self._rows else {}

    @property
    def total(self) -> int:
        return self._rows.total if self._rows else 0

    def set_filter(self, text: str, quick: QuickFilter) -> None:
        rows = self._rows
        if rows is None:
            return
        if tuple(text.casefold().split()) == rows.words and quick is rows.quick:
            return
        self.beginResetModel()
        rows.set_filter(text, quick)
        self.limit = min(len(rows.shown), FETCH_BATCH)
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        rows = self._rows
        if rows is None:
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        nodes = [self.nodes.get(i.internalId()) for i in before]
        rows.set_sort(Column(column), order == Qt.SortOrder.DescendingOrder)
        after = [
            self.index_for(n, i.column()) if n is not None and self.exposed(n) else QModelIndex()
            for n, i in zip(nodes, before, strict=True)
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    # --- lookups ----------------------------------------------------------------------

    def row_at(self, index: Index) -> Row | None:
        return self.nodes.get(index.internalId()) if index.isValid() else None

    def index_of(self, kind: str, item_id: str, column: int = 0) -> QModelIndex:
        """The index of a shown company or channel (fetching its rows), or an invalid index."""
        rows = self._rows
        if rows is None:
            return QModelIndex()
        node = (rows.companies if kind == "company" else rows.channels).get(item_id)
        if node is None or not rows.is_shown(node):
            return QModelIndex()
        chain: list[CompanyRow] = []
        above = up(node)
        while above is not None:
            chain.append(above)
            above = above.parent
        top = chain[-1] if chain else node
        assert isinstance(top, CompanyRow)
        if top.row >= self.limit:
            self._fetch(top.row + 1 - self.limit)
        for company in reversed(chain):
            rows.children(company)
        return self.index_for(node, column)

    # The few internals gui.inventory.model_update works with: the nodes by key, the fetched
    # top-level row count, and the indexes of rows.

    def exposed(self, node: Row) -> bool:
        """Whether the view may hold an index of ``node`` (shown, listed and fetched)."""
        rows = self._rows
        assert rows is not None
        if not rows.is_shown(node):
            return False
        above = up(node)
        if above is None:
            return node.row < self.limit
        return rows.listed(above) and self.exposed(above)

    def index_for(self, node: Row, column: int = 0) -> QModelIndex:
        return self.createIndex(node.row, column, node.key)

    def row_changed(self, node: Row) -> None:
        """Tell the view every cell of ``node``'s row changed (the view holds its index)."""
        self.dataChanged.emit(self.index_for(node), self.index_for(node, len(_HEADERS) - 1))

    def parent_index(self, parent: CompanyRow | None) -> QModelIndex:
        return _ROOT if parent is None else self.index_for(parent)

    # --- QAbstractItemModel -----------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        rows = self._rows
        if rows is None or row < 0 or not 0 <= column < len(_HEADERS):
            return QModelIndex()
        if not parent.isValid():
            if row >= self.limit:
                return QModelIndex()
            return self.createIndex(row, column, rows.shown[row].key)
        node = self.nodes.get(parent.internalId())
        if not isinstance(node, CompanyRow) or parent.column() != 0:
            return QModelIndex()
        shown = rows.children(node)
        if row >= len(shown):
            return QModelIndex()
        return self.createIndex(row, column, shown[row].key)

    def parent(self, child: Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not child.isValid():
            return QModelIndex()
        node = self.nodes.get(child.internalId())
        above = None if node is None else up(node)
        return QModelIndex() if above is None else self.createIndex(above.row, 0, above.key)

    def rowCount(self, parent: Index = _ROOT) -> int:
        rows = self._rows
        if rows is None:
            return 0
        if not parent.isValid():
            return self.limit
        if parent.column() != 0:
            return 0
        node = self.nodes.get(parent.internalId())
        return len(rows.children(node)) if isinstance(node, CompanyRow) else 0

    def hasChildren(self, parent: Index = _ROOT) -> bool:
        if not parent.isValid():
            return self.limit > 0
        # Through rowCount, so the company's rows get listed: the view keeps this answer, and a
        # row added under a listed company is signalled (an unlisted one changes silently).
        return self.rowCount(parent) > 0

    def canFetchMore(self, parent: Index) -> bool:
        rows = self._rows
        return rows is not None and not parent.isValid() and self.limit < len(rows.shown)

    def fetchMore(self, parent: Index) -> None:
        if not parent.isValid():
            self._fetch(max(FETCH_BATCH, self.limit))  # doubling: few relayouts to the end

    def _fetch(self, count: int) -> None:
        rows = self._rows
        assert rows is not None
        count = min(count, len(rows.shown) - self.limit)
        if count <= 0:
            return
        self.beginInsertRows(_ROOT, self.limit, self.limit + count - 1)
        self.limit += count
        self.endInsertRows()

    def columnCount(self, parent: Index = _ROOT) -> int:
        return len(_HEADERS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return _NO_FLAGS
        node = self.nodes.get(index.internalId())
        return _CHANNEL_FLAGS if isinstance(node, ChannelRow) else _COMPANY_FLAGS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _Display) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(_HEADERS):
            return None
        if role == _Display:
            return _HEADERS[section]
        if role == _Tooltip:
            return _HEADER_TIPS[section]
        return None

    def data(self, index: Index, role: int = _Display) -> Any:
        # Called for every role of every cell the view paints: most roles are not ours.
        if role not in _ROLES:
            return None
        node = self.nodes.get(index.internalId()) if index.isValid() else None
        if node is None:
            return None
        column = index.column()
        if role in (_Display, _Accessible):
            if isinstance(node, ChannelRow):
                return texts.channel_cell(node, column, self._now)
            return texts.company_cell(node, column)
        if role == StatusRole:
            if column != Column.STATUS:
                return None
            if isinstance(node, ChannelRow):
                return badges.channel_badges(node.status)
            return badges.company_badges(node)
        if role == _Tooltip:
            if isinstance(node, ChannelRow):
                return tooltip(texts.channel_tooltip(node, column, self._now))
            return tooltip(texts.company_tooltip(node, column))
        if role == KeyRole:
            return ("channel", node.id) if isinstance(node, ChannelRow) else ("company", node.id)
        if column == 0 and isinstance(node, CompanyRow):  # the font
            return self._bold
        return None

    # --- workspace events -------------------------------------------------------------

    @Slot(object)
    def on_workspace_event(self, event: WorkspaceEvent) -> None:
        """Bring the rows in line with the workspace: those the event changes, no others."""
        rows, ws = self._rows, self._ws
        if rows is None or ws is None:
            return
        cur = ws.current
        self._now = now = self._clock()
        pending_channels = ws.pending_channel_ids()
        pending_companies = ws.pending_company_ids()
        companies, channels = rows_to_update(rows, event, cur, pending_channels, pending_companies)
        rows.inventory = cur
        rows.pending_channels, rows.pending_companies = pending_channels, pending_companies
        if channels or companies:
            rows.forget_matches()  # rows come, go or change their search text
        if len(channels) + len(companies) > RESET_LIMIT:
            self._rebuild(now, pending_channels, pending_companies)
        elif channels or companies:
            try:
                RowUpdate(self, rows, now, pending_channels, pending_companies).run(
                    companies, channels
                )
            except NeedsReset:
                self._rebuild(now, pending_channels, pending_companies)
        self.summaryChanged.emit()

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        """Read the time from ``clock`` from now on (tests move it across midnight)."""
        self._clock = clock

    def day_changed(self) -> None:
        """The local day changed: every status, count and filtered list as of today.

        Statuses depend on the day only (:mod:`core.domain.dates`), so nothing else changes:
        when neither the quick filter nor the sort looks at statuses the rows stay where they
        are and only repaint (expanded companies stay open); otherwise the model resets.
        """
        rows = self._rows
        self._now = now = self._clock()
        if rows is None:
            return
        by_status = rows.quick not in (QuickFilter.ALL, QuickFilter.MWS)
        if by_status or rows.sort_column is Column.STATUS:
            self.beginResetModel()
            rows.restate(now)
            rows.set_sort(rows.sort_column, rows.descending)
            rows.apply_filter()
            self.limit = min(len(rows.shown), max(self.limit, FETCH_BATCH))
            self.endResetModel()
        else:
            rows.restate(now)
            last = len(_HEADERS) - 1
            if self.limit:
                self.dataChanged.emit(self.index(0, 0), self.index(self.limit - 1, last))
            for company in rows.companies.values():
                shown = company.shown
                if shown and rows.listed(company) and self.exposed(company):
                    parent = self.index_for(company)
                    self.dataChanged.emit(
                        self.index(0, 0, parent), self.index(len(shown) - 1, last, parent)
                    )
        self.summaryChanged.emit()

    def _rebuild(
        self, now: datetime, pending_channels: frozenset[str], pending_companies: frozenset[str]
    ) -> None:
        assert self._ws is not None
        self.beginResetModel()
        rows = InventoryRows(
            self._ws.current, now, pending_channels, pending_companies, previous=self._rows
        )
        self._set_rows(rows)
        self.endResetModel()
