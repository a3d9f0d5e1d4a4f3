"""The tree's columns and sort order: sort keys per column, and where a new row goes.

Channels and companies are sorted separately (under a company, its channels come before its
unified children). Every key ends with the row's unique ``key``, so the order is total and the
same however the rows were put together.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any

from core.services.view.nodes import ChannelRow, CompanyRow, Row


class Column(IntEnum):
    NAME = 0
    MARKETPLACE = 1
    SELLER_ID = 2
    STATUS = 3
    EXPIRES = 4
    LAST_CHECK = 5


def company_key(column: Column) -> Callable[[CompanyRow], Any]:
    if column is Column.STATUS:
        return lambda r: (-r.worst(), -r.attention(), r.search, r.key)
    if column is Column.EXPIRES:
        return lambda r: (min((_expiry(c) for c in r.channels), default=_INF), r.search)
    return lambda r: (r.search, r.key)


def channel_key(column: Column) -> Callable[[ChannelRow], Any]:
    if column is Column.MARKETPLACE:
        return lambda r: (r.channel.marketplace.country, r.key)
    if column is Column.SELLER_ID:
        return lambda r: (r.channel.seller_id or "~", r.key)
    if column is Column.STATUS:
        return lambda r: (-r.status.severity, r.category, _expiry(r), r.key)
    if column is Column.EXPIRES:
        return lambda r: (_expiry(r), r.key)
    if column is Column.LAST_CHECK:
        return lambda r: (_checked(r), r.key)
    return lambda r: (r.channel.name.casefold(), r.channel.marketplace.country, r.key)


def insert_position(siblings: list[Any], node: Row, column: Column, descending: bool) -> int:
    """Where ``node`` goes among ``siblings`` (channels before companies) in sort order."""
    if isinstance(node, ChannelRow):
        ckey = channel_key(column)
        mine = ckey(node)
        for i, other in enumerate(siblings):
            if isinstance(other, CompanyRow):
                return i
            theirs = ckey(other)
            if (theirs > mine) if not descending else (theirs < mine):
                return i
        return len(siblings)
    okey = company_key(column)
    mine = okey(node)
    for i, other in enumerate(siblings):
        if isinstance(other, ChannelRow):
            continue
        theirs = okey(other)
        if (theirs > mine) if not descending else (theirs < mine):
            return i
    return len(siblings)


_INF = float("inf")


def _expiry(row: ChannelRow) -> float:
    return _INF if row.auth is None else row.auth.expires_at.timestamp()


def _checked(row: ChannelRow) -> float:
    checked = row.channel.health.checked_at
    return -_INF if checked is None else checked.timestamp()
