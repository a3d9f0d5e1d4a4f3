"""The summary of an inventory: one category per channel, and the banner's counts.

Each channel counts once, in the first category that applies (:func:`category`), so the
banner's counts add up to the number of channels and each quick filter shows exactly the channels
its count says. The badges themselves come from :mod:`core.domain.status`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from core.domain.inventory import Inventory
from core.domain.status import (
    DEFAULT_WARN_DAYS,
    ChannelStatus,
    HealthKind,
    channel_status,
    failing_too_long,
)


class Category(IntEnum):
    """Where a channel counts in the summary: the first that applies, in this order."""

    NEEDS_REAUTHORIZATION = 0
    APP_CREDENTIALS = 1
    EXPIRING = 2
    CHECK_FAILED = 3
    HEALTHY = 4


def category(status: ChannelStatus) -> Category:
    """The one summary category of a channel (the banner and the quick filters share it)."""
    kinds = status.kinds
    if status.needs_reauthorization:
        return Category.NEEDS_REAUTHORIZATION
    if HealthKind.APP_CREDENTIALS in kinds:
        return Category.APP_CREDENTIALS
    if HealthKind.EXPIRES_SOON in kinds or HealthKind.EXPIRES_URGENT in kinds:
        return Category.EXPIRING
    if HealthKind.CHECK_FAILED in kinds:
        return Category.CHECK_FAILED
    return Category.HEALTHY


_SUMMARY_FIELD = {
    Category.NEEDS_REAUTHORIZATION: "needs_reauthorization",
    Category.APP_CREDENTIALS: "app_credentials",
    Category.EXPIRING: "expiring_soon",
    Category.CHECK_FAILED: "check_failed",
    Category.HEALTHY: "healthy",
}


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts for the main window's banner.

    ``needs_reauthorization``, ``app_credentials``, ``expiring_soon``, ``check_failed`` and
    ``healthy`` do not overlap and add up to ``total``: each channel counts once, in the first
    of those that applies. ``unsaved`` and ``failing_too_long`` count across them.
    """

    total: int = 0
    needs_reauthorization: int = 0
    app_credentials: int = 0
    expiring_soon: int = 0
    check_failed: int = 0
    healthy: int = 0
    unsaved: int = 0
    failing_too_long: int = 0


def summarize(
    inventory: Inventory,
    now: datetime,
    pending_channel_ids: frozenset[str] = frozenset(),
    warn_days: int = DEFAULT_WARN_DAYS,
) -> Summary:
    """Count channels by what they need, for the main window's banner (see :class:`Summary`)."""
    counts = dict.fromkeys(
        (
            "needs_reauthorization",
            "app_credentials",
            "expiring_soon",
            "check_failed",
            "healthy",
            "unsaved",
            "failing_too_long",
        ),
        0,
    )
    for channel in inventory.channels.values():
        pending = channel.id in pending_channel_ids
        status = channel_status(channel, inventory, now, pending=pending, warn_days=warn_days)
        counts[_SUMMARY_FIELD[category(status)]] += 1
        counts["unsaved"] += int(pending)
        counts["failing_too_long"] += int(failing_too_long(channel, now))
    return Summary(total=len(inventory.channels), **counts)
