"""Row-by-row updates of the inventory model after a workspace event.

The model hands over the ids that changed (:func:`core.services.view.updates.rows_to_update`);
:class:`RowUpdate` brings its rows in line and emits the matching Qt signals: inserts, moves,
``dataChanged`` and removals, each inside its begin/end pair. A change it cannot express that way
raises :class:`NeedsReset` (the model then resets). It knows the model only as a
:class:`TreeModel`, so this module does not import the model's (which imports this one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import QModelIndex, QPersistentModelIndex

from core.services.view.nodes import ChannelRow, CompanyRow, Row, search_text, up
from core.services.view.rows import InventoryRows

Index = QModelIndex | QPersistentModelIndex


class TreeModel(Protocol):
    """What a row update needs of the model (:class:`gui.inventory.model.InventoryModel`)."""

    nodes: dict[int, Row]
    limit: int  # how many top-level rows the view has been given

    @property
    def rows(self) -> InventoryRows | None: ...

    def exposed(self, node: Row) -> bool: ...

    def parent_index(self, parent: CompanyRow | None) -> QModelIndex: ...

    def row_changed(self, node: Row) -> None: ...

    def beginInsertRows(self, parent: Index, first: int, last: int, /) -> None: ...

    def endInsertRows(self, /) -> None: ...

    def beginRemoveRows(self, parent: Index, first: int, last: int, /) -> None: ...

    def endRemoveRows(self, /) -> None: ...

    def beginMoveRows(
        self, source: Index, first: int, last: int, destination: Index, row: int, /
    ) -> bool: ...

    def endMoveRows(self, /) -> None: ...


class NeedsReset(Exception):
    """The change is not one the incremental path handles (for example an orphaned row)."""


class RowUpdate:
    """One workspace event's row-by-row update: adds, moves, edits, then removals.

    A row under a company whose children the view has not asked for yet (not listed since the
    last filter) changes silently: the list is made when the view asks. Top-level rows beyond
    what the view has fetched change silently too.
    """

    def __init__(
        self,
        model: TreeModel,
        rows: InventoryRows,
        now: datetime,
        pending_channels: frozenset[str],
        pending_companies: frozenset[str],
    ) -> None:
        self.m, self.rows, self.now = model, rows, now
        self.pending_channels, self.pending_companies = pending_channels, pending_companies

    def run(self, companies: set[str], channels: set[str]) -> None:
        rows, cur = self.rows, self.rows.inventory
        known, current = rows.companies, cur.companies
        added = [current[i] for i in companies if i not in known and i in current]
        # Parents before their children, so a child always finds its parent's row.
        for new in sorted(added, key=lambda c: c.parent_id is not None):
            added_row = CompanyRow(new, None)
            added_row.pending = new.id in self.pending_companies
            self._insert(added_row, self._parent_of(new.parent_id))
        for cid in companies:
            orow = rows.companies.get(cid)
            company = cur.companies.get(cid)
            if orow is not None and company is not None and company is not orow.company:
                self._edit_company(orow, company)
            elif orow is not None and company is not None:
                orow.pending = cid in self.pending_companies
                self._changed(orow)
        for cid in channels:
            channel = cur.channels.get(cid)
            if channel is None:
                continue
            crow = rows.channels.get(cid)
            owner = rows.companies.get(channel.company_id)
            if owner is None:
                raise NeedsReset
            if crow is None:
                crow = ChannelRow(channel, owner)
                self._refresh(crow, channel, counted=False)
                self._insert(crow, owner)
                continue
            if crow.owner is not owner:
                self._move(crow, owner)
            self._refresh(crow, channel)
            self._changed(crow)
            self._changed(owner)
        for cid in channels:
            crow = rows.channels.get(cid)
            if crow is not None and cid not in cur.channels:
                self._remove(crow)
        for cid in companies:
            gone = rows.companies.get(cid)
            if gone is not None and cid not in cur.companies:
                if any(c.id in cur.companies for c in gone.children):
                    raise NeedsReset
                self._remove(gone)

    def _parent_of(self, company_id: str | None) -> CompanyRow | None:
        parent = self.rows.companies.get(company_id) if company_id else None
        return parent if parent is not None and parent.company.parent_id is None else None

    def _refresh(self, crow: ChannelRow, channel: Any, counted: bool = True) -> None:
        counts = self.rows.counts
        if counted:
            counts[crow.category] -= 1
        self.rows.refresh(crow, channel, self.now, channel.id in self.pending_channels)
        counts[crow.category] += 1

    def _edit_company(self, orow: CompanyRow, company: Any) -> None:
        renamed = company.name != orow.company.name
        orow.company = company
        orow.search = company.name.casefold()
        orow.pending = company.id in self.pending_companies
        parent = self._parent_of(company.parent_id)
        if parent is not orow.parent:
            self._move(orow, parent)
        if renamed:  # the channels' search text holds the company name
            for crow in orow.channels:
                crow.search = search_text(crow.channel, orow.company)
        self._changed(orow)
        for child in orow.children:
            self._changed(child)  # their "Unified" badge names this company

    def _changed(self, node: Row) -> None:
        if self.m.exposed(node):
            self.m.row_changed(node)

    def _lists(self, node: Row, parent: CompanyRow | None) -> list[Any]:
        """Every row of ``node``'s kind under ``parent``, in sort order."""
        if isinstance(node, ChannelRow):
            assert parent is not None
            return self.rows.ordered(parent).channels
        return self.rows.roots if parent is None else self.rows.ordered(parent).children

    def _visible_list(self, parent: CompanyRow | None) -> list[Any] | None:
        """The shown list the view knows under ``parent``, or None if it knows none."""
        rows, m = self.rows, self.m
        if parent is None:
            return rows.shown
        if not rows.listed(parent) or not m.exposed(parent):
            return None
        return parent.shown

    def _fetched(self, pos: int) -> bool:
        """Whether a new top-level row at ``pos`` falls among the rows the view was given."""
        m = self.m
        assert m.rows is not None
        return pos < m.limit or m.limit >= len(m.rows.shown)

    def _insert(self, node: Row, parent: CompanyRow | None) -> None:
        rows, m = self.rows, self.m
        everything = self._lists(node, parent)
        everything.insert(rows.insert_position(everything, node), node)
        if isinstance(node, ChannelRow):
            assert parent is not None
            node.owner = parent
            rows.channels[node.id] = node
        else:
            node.parent = parent
            node.gen = -1
            rows.companies[node.id] = node
        m.nodes[node.key] = node
        rows.show(node)  # a row just added (or brought back) shows whatever the filter
        if parent is not None and not rows.is_shown(parent):
            return  # its company is filtered out: the next filter shows it if it matches
        shown = self._visible_list(parent)
        if shown is None:
            return  # listed when the view asks
        pos = rows.insert_position(shown, node)
        if parent is None and not self._fetched(pos):
            shown.insert(pos, node)  # beyond the rows fetched: the view gets it when it scrolls
            _renumber(shown, pos)
            return
        m.beginInsertRows(m.parent_index(parent), pos, pos)
        shown.insert(pos, node)
        _renumber(shown, pos)
        if parent is None:
            m.limit += 1
        m.endInsertRows()

    def _remove(self, node: Row, forget: bool = True) -> None:
        rows, m = self.rows, self.m
        parent = up(node)
        self._lists(node, parent).remove(node)
        shown = self._visible_list(parent) if rows.is_shown(node) else None
        if shown is not None and node in shown:
            pos = node.row
            if parent is None and pos >= m.limit:
                del shown[pos]
                _renumber(shown, pos)
            else:
                m.beginRemoveRows(m.parent_index(parent), pos, pos)
                del shown[pos]
                _renumber(shown, pos)
                if parent is None:
                    m.limit -= 1
                m.endRemoveRows()
        if forget:
            self._forget(node)

    def _forget(self, node: Row) -> None:
        rows, m = self.rows, self.m
        m.nodes.pop(node.key, None)
        if isinstance(node, ChannelRow):
            if rows.channels.get(node.id) is node:
                del rows.channels[node.id]
                rows.counts[node.category] -= 1
            if rows.matched is not None:
                rows.matched.discard(node.key)
            return
        rows.companies.pop(node.id, None)
        if rows.visible is not None:
            rows.visible.discard(node.key)
        for crow in list(node.channels):
            self._forget(crow)
        for child in list(node.children):
            self._forget(child)

    def _move(self, node: Row, new_parent: CompanyRow | None) -> None:
        rows, m = self.rows, self.m
        old_parent = up(node)
        src = self._visible_list(old_parent) if rows.is_shown(node) else None
        dst = (
            self._visible_list(new_parent)
            if new_parent is None or rows.is_shown(new_parent)
            else None
        )
        simple = (
            src is not None
            and dst is not None
            and node in src
            and m.exposed(node)
            and (new_parent is not None or self._fetched(rows.insert_position(dst, node)))
        )
        if not simple:
            self._remove(node, forget=False)
            self._insert(node, new_parent)
            return
        assert src is not None
        assert dst is not None
        self._lists(node, old_parent).remove(node)
        everything = self._lists(node, new_parent)
        everything.insert(rows.insert_position(everything, node), node)
        pos = rows.insert_position(dst, node)
        source, target = m.parent_index(old_parent), m.parent_index(new_parent)
        m.beginMoveRows(source, node.row, node.row, target, pos)
        del src[node.row]
        _renumber(src, node.row)
        dst.insert(pos, node)
        _renumber(dst, pos)
        if isinstance(node, ChannelRow):
            assert new_parent is not None
            node.owner = new_parent
        else:
            node.parent = new_parent
        if old_parent is None:
            m.limit -= 1
        if new_parent is None:
            m.limit += 1
        m.endMoveRows()


def _renumber(shown: list[Any], start: int) -> None:
    for i in range(start, len(shown)):
        shown[i].row = i
