"""Test all: which channels a run covers, which it skips, and how the action says so.

The window's *Test all* and ``main.py check`` test many channels at once; a channel without an
authorization has nothing to test (a test only checks a stored grant, it never makes one), so it
is skipped and counted, never silently dropped. The run itself is :mod:`core.services.checks`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.domain.inventory import Inventory


@dataclass(frozen=True, slots=True)
class Scope:
    """The channels a Test all covers: ``tested`` have an authorization, ``skipped`` do not."""

    tested: tuple[str, ...]
    skipped: tuple[str, ...]
    authorizations: int

    @property
    def skipped_text(self) -> str:
        """``3 channels have no authorization to test.``, or ``""`` when none is skipped."""
        n = len(self.skipped)
        if not n:
            return ""
        if n == 1:
            return "1 channel has no authorization to test."
        return f"{n} channels have no authorization to test."


def scope(inventory: Inventory, channel_ids: Iterable[str]) -> Scope:
    """Split ``channel_ids`` into those with an authorization to test and those without."""
    tested: list[str] = []
    skipped: list[str] = []
    auths: set[str] = set()
    for channel_id in channel_ids:
        channel = inventory.channels.get(channel_id)
        if channel is None:
            continue
        if channel.authorization_id in inventory.authorizations:
            tested.append(channel_id)
            auths.add(channel.authorization_id)
        else:
            skipped.append(channel_id)
    return Scope(tuple(tested), tuple(skipped), len(auths))


def action_text(shown: int, total: int, filtered: bool) -> tuple[str, str]:
    """The Test all action's text and tooltip for ``shown`` of ``total`` channels.

    The text says which channels it tests, so nobody has to guess whether a filter counts:
    ``Test all 25`` without a filter, ``Test the 7 shown`` with one.
    """
    pace = (
        " Tests run a few at a time within Amazon's limits; Cancel keeps the results so far. "
        "This does not renew any authorization (Ctrl+Shift+T)."
    )
    if filtered and shown < total:
        channels = "the channel" if shown == 1 else f"the {shown} channels"
        return (
            f"Test the {shown} s&hown",
            f"Check the stored authorizations of {channels} the filter shows.{pace}",
        )
    return (
        f"Test &all {total}" if total else "Test &all",
        f"Check the stored authorization of every channel ({total}).{pace}",
    )
