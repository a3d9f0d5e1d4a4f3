"""After a long failure: the checklist a reconnected channel shows, and its health in words.

A channel whose checks had been failing for :data:`core.domain.status.FAILING_WARN` or longer
when a new consent succeeded gets a :class:`~core.domain.inventory.Recovery`: orders from the
gap may not have reached the seller's software, the stock levels Amazon shows may be stale, and
the app should show as Active again in Seller Central. The checklist is made by the consent's
own pending change (:func:`checklist_change`), so like the grant it exists only once saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from core.domain import dates
from core.domain.changes import Change, Touched
from core.domain.inventory import Channel, CheckResult, Health, Inventory, Recovery
from core.domain.status import failing_too_long, gap_sentence


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to do after reconnecting: a stable ``key`` (stored) and its words."""

    key: str
    text: str


ORDERS = "orders"
INVENTORY_SYNC = "inventory_sync"
APP_ACTIVE = "app_active"


def items(recovery: Recovery) -> tuple[Item, ...]:
    """The checklist's items, in the order to do them, with the gap's dates."""
    start, end = dates.day_time(recovery.gap_start), dates.day_time(recovery.gap_end)
    return (
        Item(ORDERS, f"Enter orders from {start} to {end} by hand if they did not arrive"),
        Item(INVENTORY_SYNC, "Run a full inventory sync in the software that sends your stock"),
        Item(APP_ACTIVE, "Check that Seller Central > Manage Your Apps shows the app as Active"),
    )


ITEM_KEYS = frozenset({ORDERS, INVENTORY_SYNC, APP_ACTIVE})


def is_done(recovery: Recovery) -> bool:
    return recovery.ticked >= ITEM_KEYS


def is_open(recovery: Recovery | None) -> bool:
    """A checklist that still shows: not dismissed (a finished one shows until dismissed)."""
    return recovery is not None and not recovery.dismissed


def ticked(health: Health, key: str, done: bool) -> Health:
    """``health`` with one item of its checklist ticked (or unticked)."""
    if health.recovery is None or key not in ITEM_KEYS:
        raise ValueError("no such checklist item")
    keys = health.recovery.ticked | {key} if done else health.recovery.ticked - {key}
    return replace(health, recovery=replace(health.recovery, ticked=frozenset(keys)))


def dismissed(health: Health) -> Health:
    """``health`` with its checklist archived (kept in the database, no longer shown)."""
    if health.recovery is None:
        raise ValueError("no checklist")
    return replace(health, recovery=replace(health.recovery, dismissed=True))


def checklists_for(
    inventory: Inventory, channel_ids: Iterable[str], now: datetime
) -> dict[str, Recovery]:
    """The checklist each channel should have once a consent that succeeded at ``now`` applies.

    A channel failing for 36 hours or more gets a new one for the gap (``failing_since`` to
    ``now``); a channel with an unfinished, undismissed one keeps it (the orders are still to
    be entered). The others get none.
    """
    found: dict[str, Recovery] = {}
    for channel_id in channel_ids:
        channel = inventory.channels.get(channel_id)
        if channel is None:
            continue
        since, kept = channel.health.failing_since, channel.health.recovery
        if since is not None and failing_too_long(channel, now):
            found[channel_id] = Recovery(since, now)
        elif kept is not None and not kept.dismissed and not is_done(kept):
            found[channel_id] = kept
    return found


def checklist_change(checklists: dict[str, Recovery]) -> Change:
    """Give channels their checklists; applied right after the consent's ``set_authorization``.

    Pending like the grant it belongs to: Revert or Undo drops both, Save writes both.
    """
    found = dict(checklists)

    def apply(inv: Inventory) -> Touched:
        touched = Touched()
        for channel_id, recovery in found.items():
            channel = inv.channels.get(channel_id)
            if channel is not None:
                health = replace(channel.health, recovery=recovery)
                inv.channels[channel_id] = replace(channel, health=health)
                touched.channels.add(channel_id)
        return touched

    return Change("After-reconnection checklist", apply)


def health_lines(channel: Channel, now: datetime) -> tuple[str, ...]:
    """The channel's connection history in plain words, for the details panel.

    ``Last worked: 1 Dec 2026, 14:02``; ``Failing since 30 Nov 2026, 08:00 (50 hours)``.
    What a long failure means for orders is :func:`gap_warning`.
    """
    health = channel.health
    if health.checked_at is None and health.last_ok_at is None:
        return ("Not tested yet.",)
    worked = health.last_ok_at
    lines = [f"Last worked: {dates.day_time(worked)}" if worked else "Last worked: not recorded"]
    since = health.failing_since
    if since is not None and health.result not in (None, CheckResult.OK):
        lines.append(f"Failing since {dates.day_time(since)} ({dates.span(since, now)})")
    return tuple(lines)


def gap_warning(channel: Channel, now: datetime) -> str | None:
    """Past 36 hours of failure: which orders may be missing and what is due, else ``None``."""
    since = channel.health.failing_since
    if since is None or not failing_too_long(channel, now):
        return None
    return gap_sentence(since, now)
