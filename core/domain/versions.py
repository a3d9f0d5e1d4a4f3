"""Earlier authorizations kept for *Roll back*, how many, and what leaves with them.

Every authorization remembers the one it replaced (``previous_id``): the chain from the grant a
channel uses back through the ones before it is that channel's history, each with its refresh
token still in the keychain, so a mistaken reauthorization can be undone after Save.

Two rules keep the chain bounded and free of orphans (pure functions over an
:class:`~core.domain.inventory.Inventory`; the changes in :mod:`core.domain.changes` call them):

* :func:`prune` keeps :data:`KEPT_EARLIER_VERSIONS` earlier grants behind the one in use and
  drops the rest; a dropped row's keychain entry is then superseded by Save
  (:mod:`core.services.save_plan`) and deleted after the commit, unless a kept backup still
  names it (:mod:`core.storage.store`).
* :func:`roll_back` points every channel sharing the grant at the one it replaced, and *drops*
  the grant rolled back from. Why dropped rather than kept as a version to go forward to: a
  seller rolls back because that grant was a mistake (the wrong account was selected, the wrong
  store), and what they expect is "as it was before"; a wrong account's refresh token left in
  the keychain is a credential for a business that is not theirs. Until Save, Undo brings it
  back; after Save, a new consent does. It also keeps the history a simple chain (going
  forward would need a second pointer, or a cycle).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from core.domain.errors import FieldError, ValidationError
from core.domain.inventory import NO_HEALTH, Authorization, Inventory

#: How many earlier authorizations each grant in use keeps behind it (at least 3, the issue
#: asks for): Roll back can be chosen that many times in a row.
KEPT_EARLIER_VERSIONS = 3


def history(inv: Inventory, auth_id: str | None) -> list[Authorization]:
    """The grant ``auth_id`` and the earlier ones it remembers, newest first."""
    chain: list[Authorization] = []
    seen: set[str] = set()
    while auth_id is not None and auth_id not in seen:  # a cycle would be a bug: never loop
        auth = inv.authorizations.get(auth_id)
        if auth is None:
            break
        chain.append(auth)
        seen.add(auth_id)
        auth_id = auth.previous_id
    return chain


def sharing(inv: Inventory, channel_ids: Iterable[str]) -> dict[str, list[str]]:
    """Each current grant of ``channel_ids`` with every channel that uses it (all move together)."""
    grants = {c.authorization_id for i in channel_ids if (c := inv.channels.get(i))}
    groups: dict[str, list[str]] = {g: [] for g in grants if g}
    for channel in inv.channels.values():
        if channel.authorization_id in groups:
            groups[channel.authorization_id].append(channel.id)
    return groups


def prune(inv: Inventory, auth_id: str, keep: int = KEPT_EARLIER_VERSIONS) -> set[str]:
    """Keep ``keep`` earlier grants behind ``auth_id``; returns the ids changed or dropped.

    The last one kept forgets its predecessor (its row changes), and the tail is dropped unless
    another grant or a channel still uses it (a grant two chains share stays for the other).
    """
    chain = history(inv, auth_id)
    if len(chain) <= keep + 1:
        return set()
    last = chain[keep]
    inv.authorizations[last.id] = replace(last, previous_id=None)
    return {last.id} | drop_unused(inv, [chain[keep + 1].id])


def drop_unused(inv: Inventory, auth_ids: Iterable[str]) -> set[str]:
    """Drop each grant no channel and no other grant uses, and the chain only it remembers."""
    used_by_channels = {c.authorization_id for c in inv.channels.values()}
    dropped: set[str] = set()
    for start in auth_ids:
        current: str | None = start
        while current is not None and current not in dropped:
            remembered = any(a.previous_id == current for a in inv.authorizations.values())
            if current in used_by_channels or remembered:
                break
            auth = inv.authorizations.pop(current, None)
            if auth is None:
                break
            dropped.add(current)
            current = auth.previous_id
    return dropped


def roll_back(inv: Inventory, channel_ids: Iterable[str]) -> tuple[set[str], set[str]]:
    """Point the channels, and every channel sharing their grant, at the grant it replaced.

    The grant rolled back from is dropped (see the module's docstring). The channels' check
    results are cleared: they were about the other grant. Returns (channels moved, grants
    dropped); raises ValidationError when a grant has no earlier version.
    """
    ids = list(channel_ids)
    groups = sharing(inv, ids)
    moved: set[str] = set()
    for auth_id, members in groups.items():
        auth = inv.authorizations.get(auth_id)
        previous = auth.previous_id if auth is not None else None
        if previous is None or previous not in inv.authorizations:
            groups = {}
            break
        for channel_id in members:
            channel = inv.channels[channel_id]
            inv.channels[channel_id] = replace(channel, authorization_id=previous, health=NO_HEALTH)
            moved.add(channel_id)
    if not groups or any(i not in inv.channels for i in ids):
        raise ValidationError(
            [FieldError("authorization", "There is no earlier authorization to go back to.")]
        )
    return moved, drop_unused(inv, groups)
