"""Ticking off the after-reconnection checklist (:mod:`core.domain.recovery`).

The checklist itself is made by the consent's pending change and saved with it: nothing is
written until Save, as for the grant it belongs to. Its ticks are different: each is written at
once, like a connection test's result (:meth:`Workspace.record_health`), and survives Revert.
A tick records work the person did elsewhere (orders typed in, a sync run, a page looked at),
not an edit of the inventory: a support person on the phone who says "tick it off once it's
done" expects it to stay ticked, without a Save that would also write every unrelated pending
edit, and without a Revert of those edits unticking it.

Blocking (one SQLite transaction): run these on the database lane.
"""

from __future__ import annotations

from collections.abc import Callable

from core.domain import recovery
from core.domain.errors import ReadOnlyError, UserFacingError
from core.domain.inventory import Health
from core.services.workspace import Workspace


def why_not(workspace: Workspace, channel_id: str) -> UserFacingError | None:
    """Why the channel's checklist cannot be ticked right now, or ``None`` when it can.

    Only a saved checklist can be ticked: one whose consent is still pending would otherwise be
    written before the consent it belongs to. A channel with an unsaved change to its
    connection waits for that Save (or Revert) too, so the tick lands on the health it shows.
    """
    saved = workspace.saved.channels.get(channel_id)
    current = workspace.current.channels.get(channel_id)
    if current is None or current.health.recovery is None:
        return UserFacingError("This channel has no checklist.", "Choose the channel again.")
    if saved is None or saved.health.recovery is None:
        return UserFacingError(
            "This checklist belongs to a new authorization that is not saved yet.",
            "Click Save to keep the new authorization, then tick the checklist off.",
        )
    if saved.health != current.health:
        return UserFacingError(
            "This channel has an unsaved change to its connection.",
            "Click Save (or Revert) first, then tick the checklist off.",
        )
    return None


def tick(workspace: Workspace, channel_id: str, key: str, done: bool) -> None:
    """Tick (or untick) one item of the channel's saved checklist, written at once.

    Raises:
        UserFacingError: The checklist cannot be ticked now (see :func:`why_not`), or the disk
            refused the write.
    """
    _record(workspace, channel_id, lambda h: recovery.ticked(h, key, done))


def dismiss(workspace: Workspace, channel_id: str) -> None:
    """Archive the channel's checklist (it stays in the database, no longer shown)."""
    _record(workspace, channel_id, recovery.dismissed)


def _record(workspace: Workspace, channel_id: str, change: Callable[[Health], Health]) -> None:
    if workspace.read_only_reason is not None:
        raise ReadOnlyError(workspace.read_only_reason, "Tick the checklist off there.")
    refusal = why_not(workspace, channel_id)
    if refusal is not None:
        raise refusal
    saved = workspace.saved.channels[channel_id]
    workspace.record_health({channel_id: change(saved.health)})
