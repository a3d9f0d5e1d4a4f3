"""Roll back: whether the selected channels can go back to their previous authorization, to
what, and in which words. One rule for every surface (the window now, the command line later).

What a roll back does to the inventory is :func:`core.domain.versions.roll_back` (every channel
sharing the grant moves; the grant rolled back from is dropped, with its keychain entry once
saved). This module decides whether it is possible and describes it: what comes back (granted
when, for which seller and store, how, until when) and what goes away.

Whether Amazon still honours an earlier refresh token once the seller granted a newer one is
not documented (https://developer-docs.amazon.com/sp-api/docs/renew-authorizations says the
app must update the stored token, not whether the old one stops working); for self-authorized
apps, each "Authorize app" click mints a new refresh token without invalidating the earlier
ones. So a roll back clears the channels' check results and the question asks the person to
Test connection after Save (:data:`TEST_AFTER`, which a surface may leave out or reword).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from core.domain import versions
from core.domain.changes import Change, roll_back_authorization
from core.domain.dates import day
from core.domain.inventory import Authorization, AuthSource, Inventory

#: The last words of the question: the earlier grant may no longer work at Amazon (see above).
TEST_AFTER = (
    "Amazon does not say whether an earlier authorization still works once a newer one was "
    "granted: choose Test connection after you Save."
)

_NO_GRANT = "No authorization yet, so there is nothing to go back to."
_NO_EARLIER = (
    "There is no earlier authorization to go back to: this is the first one saved here, or "
    "the earlier ones were rolled back or removed."
)

_SOURCES = {
    AuthSource.CONSENT: "by the seller's consent in the browser",
    AuthSource.SELF_AUTHORIZATION: "by a refresh token copied from Seller Central",
    AuthSource.IMPORT: "by an import",
    AuthSource.DEMO: "in the demo",
}


@dataclass(frozen=True, slots=True)
class Step:
    """One grant to roll back: every channel that uses it moves to the one it replaced."""

    channel_ids: tuple[str, ...]
    current: Authorization  # goes away when saved
    restored: Authorization  # comes back


@dataclass(frozen=True, slots=True)
class Offer:
    """What Roll back would do for a selection, or why it cannot (``reason``, plain words)."""

    steps: tuple[Step, ...] = ()
    reason: str = ""
    names: dict[str, str] = field(default_factory=dict)  # channel id -> name shown

    @property
    def possible(self) -> bool:
        return bool(self.steps)

    @property
    def channel_ids(self) -> tuple[str, ...]:
        return tuple(i for s in self.steps for i in s.channel_ids)


def why_not(inventory: Inventory, channel_id: str) -> str:
    """Why one channel cannot roll back, in plain words; ``""`` when it can.

    Cheap (one channel, no scan of the inventory): the details panel asks on every selection.
    """
    channel = inventory.channels.get(channel_id)
    if channel is None:
        return "Select a channel first."
    auth = inventory.authorization_of(channel)
    if auth is None:
        return _NO_GRANT
    if auth.previous_id is None or auth.previous_id not in inventory.authorizations:
        return _NO_EARLIER
    return ""


def offer(inventory: Inventory, channel_ids: Iterable[str]) -> Offer:
    """Whether the channels can roll back, and what each grant among them would go back to.

    For a company's many channels, the grants with an earlier version roll back and the others
    are left as they are; the offer is refused only when none can.
    """
    ids = [i for i in channel_ids if i in inventory.channels]
    if not ids:
        return Offer(reason="Select a channel first.")
    groups = versions.sharing(inventory, ids)
    if not groups:
        return Offer(reason=_NO_GRANT)
    steps: list[Step] = []
    for auth_id, members in groups.items():
        current = inventory.authorizations[auth_id]
        restored = inventory.authorizations.get(current.previous_id or "")
        if restored is not None:
            steps.append(Step(tuple(members), current, restored))
    if not steps:
        return Offer(reason=_NO_EARLIER)
    names = {
        i: inventory.channels[i].name or inventory.channels[i].marketplace.label
        for s in steps
        for i in s.channel_ids
    }
    return Offer(tuple(steps), names=names)


def change(found: Offer) -> Change:
    """The pending change that rolls back every grant of ``found`` (Undo takes it back)."""
    return roll_back_authorization(found.channel_ids)


def describe(auth: Authorization, now: datetime) -> str:
    """One grant in plain words: seller, store, when and how it was granted, its expiry."""
    store = f' ("{auth.store_name}")' if auth.store_name else ""
    ends = "expired" if auth.expires_at <= now else "expires"
    return (
        f"Seller ID {auth.seller_id}{store}, granted {day(auth.granted_at)} "
        f"{_SOURCES.get(auth.source, '')}; it {ends} {day(auth.expires_at)}."
    ).replace(" ;", ";")


def question(found: Offer, now: datetime) -> tuple[str, str]:
    """The headline and the details of the question asked before rolling back."""
    parts: list[str] = []
    for step in found.steps:
        names = [found.names.get(i, i) for i in step.channel_ids]
        together = (
            f"{len(names)} channels share this authorization and move together: {', '.join(names)}."
            if len(names) > 1
            else f"Channel: {names[0]}."
        )
        parts.append(
            f"{together}\nComes back: {describe(step.restored, now)}\n"
            f"Goes away: {describe(step.current, now)} Its refresh token is deleted from the "
            "keychain when you Save."
        )
    count = len(found.steps)
    headline = (
        "Go back to the previous authorization?"
        if count == 1
        else f"Go back to the previous authorization of {count} authorizations?"
    )
    tail = "Nothing changes until you Save; until then Undo takes it back. " + TEST_AFTER
    return headline, "\n\n".join([*parts, tail])
