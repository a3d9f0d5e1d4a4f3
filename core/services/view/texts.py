"""The words and dates the tree shows for a row, and its tooltips. No Qt here.

Dates are shown by :mod:`core.domain.dates` (local time); relative times ("3 hours ago") count
from the ``now`` of the last refresh.
"""

from __future__ import annotations

from datetime import datetime

from core.domain.dates import ago, day, day_time
from core.services.view.badges import channel_badges, company_badges
from core.services.view.nodes import ChannelRow, CompanyRow
from core.services.view.sorting import Column


def _plural(n: int, one: str) -> str:
    return f"1 {one}" if n == 1 else f"{n} {one}s"


def channel_cell(row: ChannelRow, column: int, now: datetime) -> str:
    channel = row.channel
    if column == Column.NAME:
        return channel.name or channel.marketplace.label
    if column == Column.MARKETPLACE:
        return channel.marketplace.label
    if column == Column.SELLER_ID:
        return channel.seller_id or "Not recorded"
    if column == Column.STATUS:
        return row.status.text
    if column == Column.EXPIRES:
        # The status badges already say "Expires in N days" or "Expired": the date suffices.
        return "No authorization" if row.auth is None else day(row.auth.expires_at)
    if column == Column.LAST_CHECK:
        checked = channel.health.checked_at
        return "Never" if checked is None else ago(checked, now)
    return ""


def company_cell(row: CompanyRow, column: int) -> str:
    if column == Column.NAME:
        return row.company.name
    if column == Column.MARKETPLACE:
        count = len(row.channels)
        return "No channels" if count == 0 else _plural(count, "channel")
    if column == Column.STATUS:
        return ", ".join(b.text for b in company_badges(row))
    return ""


def channel_tooltip(row: ChannelRow, column: int, now: datetime) -> str:
    channel = row.channel
    market = channel.marketplace
    if column == Column.STATUS:
        return "\n\n".join(f"{b.text}: {b.detail}" for b in channel_badges(row.status))
    if column == Column.EXPIRES and row.auth is not None:
        auth = row.auth
        store = f" ({auth.store_name})" if auth.store_name else ""
        seen = " (the date Seller Central shows)" if auth.expiry_confirmed else ""
        return (
            f"Authorized by Seller ID {auth.seller_id}{store} on {day(auth.granted_at)}; "
            f"it ends on {day(auth.expires_at)}{seen}."
        )
    if column == Column.LAST_CHECK:
        health = channel.health
        if health.checked_at is None:
            return "The connection has not been tested yet."
        result = f" Result: {health.result.value.replace('_', ' ')}." if health.result else ""
        message = f" {health.message}." if health.message else ""
        return f"Last tested {day_time(health.checked_at)}.{result}{message}"
    return (
        f"{channel.name or market.label}: {row.owner.company.name} on Amazon {market.label}, "
        f"{market.region.display_name} region"
    )


def company_tooltip(row: CompanyRow, column: int) -> str:
    company = row.company
    if column == Column.STATUS:
        return "\n\n".join(f"{b.text}: {b.detail}" for b in company_badges(row))
    if row.parent is not None:
        parent = row.parent.company.name
        return (
            f"{company.name} is unified with {parent}: its Amazon connections are authorized "
            f"through {parent}."
        )
    if row.children:
        names = ", ".join(c.company.name for c in row.children)
        return f"{company.name} is the unified parent of {names}."
    return company.notes or company.name
