"""The inventory as tree rows: building them, the filter, the sort, the counts. No Qt here.

:class:`InventoryRows` is what :mod:`gui.inventory.model` shows. It holds one row per company and
per channel (:mod:`core.services.view.nodes`) with everything a keystroke or a repaint needs
precomputed (the channel's derived status, its summary category, lower-case search text), so
that filtering 50,000 channels is a few list comprehensions instead of a proxy model walking the
tree (see toolchain.md, "Qt at scale"). Being Qt-free, the first one is built on the loader
thread, off the GUI thread. Sort keys live in :mod:`core.services.view.sorting`.

Tree shape: top-level companies; under each, its channels, then its unified children (each with
its own channels). Each company keeps every row it owns (``channels``, ``children``). A filter
computes only what a keystroke must: the set of matching channels and of companies to show, and
the list of top-level companies. A company's visible children (:meth:`InventoryRows.children`)
are listed when the view first asks for them, and kept until the next filter (``gen``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.bulk import collector_paused
from core.domain.inventory import Authorization, Channel, Company, Inventory
from core.domain.status import DEFAULT_WARN_DAYS, ApiBadge, ChannelStatus, channel_status
from core.domain.summary import Category, category
from core.services.view import sorting
from core.services.view.nodes import ChannelRow, CompanyRow, Row, search_text
from core.services.view.sorting import Column


class QuickFilter(StrEnum):
    ALL = "all"
    ATTENTION = "attention"  # everything that is not fine
    REAUTHORIZE = "reauthorize"
    EXPIRING = "expiring"
    CHECK_FAILED = "check_failed"
    APP_CREDENTIALS = "app_credentials"
    MWS = "mws"
    HEALTHY = "healthy"


_QUICK_CATEGORIES: dict[QuickFilter, frozenset[Category]] = {
    QuickFilter.ATTENTION: frozenset(Category) - {Category.HEALTHY},
    QuickFilter.REAUTHORIZE: frozenset({Category.NEEDS_REAUTHORIZATION}),
    QuickFilter.EXPIRING: frozenset({Category.EXPIRING}),
    QuickFilter.CHECK_FAILED: frozenset({Category.CHECK_FAILED}),
    QuickFilter.APP_CREDENTIALS: frozenset({Category.APP_CREDENTIALS}),
    QuickFilter.HEALTHY: frozenset({Category.HEALTHY}),
}


#: How many filter answers are kept: enough for typing a few words and erasing them again.
_KEEP_MATCHES = 32


class _Statuses:
    """Channel statuses for one build, computed once per set of inputs that decide them.

    Channels alike in everything :func:`channel_status` reads (the authorization, whether MWS
    credentials are on record, the expected Seller ID, the last check's result, since when it
    fails and its message, pending or not) share one status: a unified account's channels, or
    healthy ones on one grant. The key must name every input of ``channel_status``;
    ``tests/core/test_rows.py`` compares every row with a direct computation to hold that.
    """

    def __init__(self, inventory: Inventory, now: datetime, warn_days: int) -> None:
        self._inventory, self._now, self._warn_days = inventory, now, warn_days
        self._known: dict[tuple[object, ...], tuple[ChannelStatus, Category]] = {}

    def of(
        self, channel: Channel, auth: Authorization | None, pending: bool
    ) -> tuple[ChannelStatus, Category]:
        health = channel.health
        key = (
            id(auth),  # the inventory holds every authorization while the rows are built
            channel.mws_auth_token_ref is not None,
            channel.seller_id,
            health.result,
            health.failing_since,
            health.message,
            pending,
        )
        known = self._known.get(key)
        if known is None:
            status = channel_status(
                channel, self._inventory, self._now, pending=pending, warn_days=self._warn_days
            )
            known = self._known[key] = (status, category(status))
        return known


class InventoryRows:
    """Every row of one inventory, the current filter, sort and summary counts."""

    def __init__(
        self,
        inventory: Inventory,
        now: datetime,
        pending_channels: frozenset[str] = frozenset(),
        pending_companies: frozenset[str] = frozenset(),
        *,
        warn_days: int = DEFAULT_WARN_DAYS,
        previous: InventoryRows | None = None,
    ) -> None:
        self.inventory = inventory
        self.warn_days = warn_days
        # The workspace's pending ids the rows show (their Unsaved badges), as of the last update.
        self.pending_channels, self.pending_companies = pending_channels, pending_companies
        self.companies: dict[str, CompanyRow] = {}
        self.channels: dict[str, ChannelRow] = {}
        self.roots: list[CompanyRow] = []
        self.shown: list[CompanyRow] = []  # the top-level companies the filter shows
        self.matched: set[int] | None = None  # keys of shown channels; None: all
        self.visible: set[int] | None = None  # keys of shown companies; None: all
        self.gen = 0  # filter generation: a company's ``shown`` list is kept until it changes
        self.order = 0  # sort generation: a company's own lists are sorted on first use after
        self.counts: Counter[Category] = Counter()
        # Filter answers by words, to narrow or go back to as a person types (_matching).
        self._found: dict[tuple[str, ...], tuple[list[ChannelRow], list[CompanyRow]]] = {}
        self.words: tuple[str, ...] = ()
        self.quick = QuickFilter.ALL
        self.sort_column = Column.NAME
        self.descending = False
        if previous is not None:
            self.words, self.quick = previous.words, previous.quick
            self.sort_column, self.descending = previous.sort_column, previous.descending
        with collector_paused():  # tens of thousands of rows, all kept: nothing to collect
            self._build(now, pending_channels, pending_companies, previous)

    # --- building -------------------------------------------------------------------------

    def _build(
        self,
        now: datetime,
        pending_channels: frozenset[str],
        pending_companies: frozenset[str],
        previous: InventoryRows | None,
    ) -> None:
        inv = self.inventory
        companies, channels = self.companies, self.channels
        for company in inv.companies.values():
            row = CompanyRow(company, None)
            row.pending = company.id in pending_companies
            companies[company.id] = row
        for row in companies.values():
            parent = self._parent_row(row.company)
            row.parent = parent
            (parent.children if parent is not None else self.roots).append(row)
        old = previous.channels if previous is not None else {}
        statuses = _Statuses(inv, now, self.warn_days)
        auths = inv.authorizations
        for channel in inv.channels.values():
            owner = companies.get(channel.company_id)
            if owner is None:  # an orphan the validation should have refused: not shown
                continue
            auth_id = channel.authorization_id
            auth = auths.get(auth_id) if auth_id else None
            pending = channel.id in pending_channels
            before = old.get(channel.id) if old else None
            if (
                before is not None
                and before.channel is channel
                and before.pending == pending
                and before.auth is auth
                and before.owner.company.name == owner.company.name
            ):
                status, summary, search = before.status, before.category, before.search
            else:
                status, summary = statuses.of(channel, auth, pending)
                search = search_text(channel, owner.company)
            crow = ChannelRow(channel, owner, auth, pending, status, summary, search)
            owner.channels.append(crow)
            channels[channel.id] = crow
        self.counts = Counter(r.category for r in channels.values())
        # Only the top level now: a company's own rows are sorted when the view first lists
        # them (most are never opened), see ordered().
        self.roots.sort(key=self.company_key(), reverse=self.descending)
        self.apply_filter()

    def _parent_row(self, company: Company) -> CompanyRow | None:
        parent = self.companies.get(company.parent_id) if company.parent_id else None
        # One level of unified children (validation keeps it so): deeper records show at the top.
        if parent is None or parent.company.parent_id is not None or parent.company is company:
            return None
        return parent

    def refresh(self, row: ChannelRow, channel: Channel, now: datetime, pending: bool) -> None:
        """Recompute a channel row's status, category and search text."""
        self.forget_matches()
        inv = self.inventory
        row.channel = channel
        row.auth = inv.authorization_of(channel)
        row.pending = pending
        row.status = channel_status(channel, inv, now, pending=pending, warn_days=self.warn_days)
        row.category = category(row.status)
        row.search = search_text(channel, row.owner.company)

    def restate(self, now: datetime) -> None:
        """Derive every channel's status again as of ``now`` (the local day changed).

        Alike channels share one derivation, as when the rows are built; the filter and the
        sort are the caller's to redo, since categories may have moved.
        """
        statuses = _Statuses(self.inventory, now, self.warn_days)
        with collector_paused():  # a status for every channel, all kept, as when built
            for row in self.channels.values():
                row.status, row.category = statuses.of(row.channel, row.auth, row.pending)
        self.counts = Counter(r.category for r in self.channels.values())
        self.forget_matches()

    # --- counting -------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self.channels)

    def shown_channel_count(self) -> int:
        return self.total if self.matched is None else len(self.matched)

    def shown_row_count(self) -> int:
        companies = len(self.companies) if self.visible is None else len(self.visible)
        return companies + self.shown_channel_count()

    def is_shown(self, node: Row) -> bool:
        """Whether the filter shows this row (and every row above it)."""
        if isinstance(node, ChannelRow):
            matched = self.matched
            return (matched is None or node.key in matched) and self.is_shown(node.owner)
        visible = self.visible
        if visible is not None and node.key not in visible:
            return False
        return node.parent is None or self.is_shown(node.parent)

    def show(self, node: Row) -> None:
        """Keep a row shown whatever the filter says (a row just added or brought back)."""
        if isinstance(node, ChannelRow):
            if self.matched is not None:
                self.matched.add(node.key)
        elif self.visible is not None:
            self.visible.add(node.key)

    def children(self, row: CompanyRow) -> list[Row]:
        """The rows the filter shows under ``row``, listed on first use after each filter."""
        if row.gen != self.gen:
            self.ordered(row)
            matched, visible = self.matched, self.visible
            channels: list[Row] = (
                list(row.channels)
                if matched is None
                else [r for r in row.channels if r.key in matched]
            )
            companies: list[Row] = (
                list(row.children)
                if visible is None
                else [c for c in row.children if c.key in visible]
            )
            row.shown = channels + companies
            for i, node in enumerate(row.shown):
                node.row = i
            row.gen = self.gen
        return row.shown

    def ordered(self, row: CompanyRow) -> CompanyRow:
        """``row``, its own channels and children sorted in the current order (on first use)."""
        if row.order != self.order:
            rev = self.descending
            row.channels.sort(key=self.channel_key(), reverse=rev)
            row.children.sort(key=self.company_key(), reverse=rev)
            row.order = self.order
        return row

    def listed(self, row: CompanyRow) -> bool:
        """Whether ``row``'s children were listed since the last filter."""
        return row.gen == self.gen

    # --- filtering ------------------------------------------------------------------------

    def set_filter(self, text: str, quick: QuickFilter) -> None:
        self.words = tuple(text.casefold().split())
        self.quick = quick
        self.apply_filter()

    def apply_filter(self) -> None:
        """Recompute what the filter shows (the model resets around this)."""
        self.gen += 1
        words, quick = self.words, self.quick
        if not words and quick is QuickFilter.ALL:
            self.matched = self.visible = None
            self.shown = list(self.roots)
        else:
            candidates, named = self._matching(words)
            if quick is QuickFilter.MWS:
                candidates = [r for r in candidates if r.status.api is ApiBadge.MWS]
            elif quick is not QuickFilter.ALL:
                allowed = _QUICK_CATEGORIES[quick]
                candidates = [r for r in candidates if r.category in allowed]
            owners = {r.owner for r in candidates}
            self.matched = {r.key for r in candidates}
            if quick is QuickFilter.ALL:  # a company whose name matches shows, channels or not
                owners.update(named)
            owners.update([c.parent for c in owners if c.parent is not None])
            self.visible = {c.key for c in owners}
            visible = self.visible
            self.shown = [c for c in self.roots if c.key in visible]
        for i, row in enumerate(self.shown):
            row.row = i

    def _matching(
        self, words: tuple[str, ...]
    ) -> tuple[Iterable[ChannelRow], Iterable[CompanyRow]]:
        """The channels and the companies whose search text holds every one of ``words``.

        Typing narrows: rows that hold "harb" are among those that held "har", so a keystroke
        looks only through the smallest earlier answer that must contain it; erasing goes back
        to an earlier answer as it was. Answers are kept until the rows change
        (:meth:`forget_matches`).
        """
        if not words:
            return self.channels.values(), self.companies.values()
        found = self._found.get(words)
        if found is not None:
            return found
        channels: Iterable[ChannelRow] = self.channels.values()
        companies: Iterable[CompanyRow] = self.companies.values()
        smallest = len(self.channels) + 1
        for earlier, (their_channels, their_companies) in self._found.items():
            # Every row holding each of ``words`` holds each earlier word that is part of one.
            if len(their_channels) < smallest and all(
                any(old in new for new in words) for old in earlier
            ):
                channels, companies = their_channels, their_companies
                smallest = len(their_channels)
        for word in words:
            channels = [r for r in channels if word in r.search]
            companies = [c for c in companies if word in c.search]
        found = (list(channels), list(companies))
        if len(self._found) >= _KEEP_MATCHES:
            del self._found[next(iter(self._found))]  # the oldest
        self._found[words] = found
        return found

    def forget_matches(self) -> None:
        """Rows were added, removed or changed: earlier filter answers no longer hold."""
        self._found.clear()

    # --- sorting --------------------------------------------------------------------------

    def set_sort(self, column: Column, descending: bool) -> None:
        """Re-sort every list; what is shown stays shown (the model moves rows, no reset)."""
        self.sort_column, self.descending = column, descending
        self.order += 1  # companies' own lists follow when next used (ordered())
        company_key, channel_key = self.company_key(), self.channel_key()
        self.roots.sort(key=company_key, reverse=descending)

        def resort(shown: list[Row]) -> None:
            channels = [n for n in shown if isinstance(n, ChannelRow)]
            companies = [n for n in shown if isinstance(n, CompanyRow)]
            channels.sort(key=channel_key, reverse=descending)
            companies.sort(key=company_key, reverse=descending)
            shown[:] = [*channels, *companies]
            for i, node in enumerate(shown):
                node.row = i

        roots: list[Row] = list(self.shown)
        resort(roots)
        self.shown = [r for r in roots if isinstance(r, CompanyRow)]
        for row in self.companies.values():
            if row.gen == self.gen:
                resort(row.shown)

    def company_key(self) -> Callable[[CompanyRow], Any]:
        return sorting.company_key(self.sort_column)

    def channel_key(self) -> Callable[[ChannelRow], Any]:
        return sorting.channel_key(self.sort_column)

    def insert_position(self, siblings: list[Any], node: Row) -> int:
        """Where ``node`` goes among ``siblings`` (channels before companies) in sort order."""
        return sorting.insert_position(siblings, node, self.sort_column, self.descending)
