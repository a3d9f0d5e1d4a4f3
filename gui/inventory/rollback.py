"""Roll back in the window: the details panel's button and the Amazon menu's action.

Two clicks plus Save: Roll back, then the question naming what comes back and what goes away
(:func:`core.services.rollback.question`), then a pending change like any other (the Unsaved
badge, the title's asterisk, Undo). Whether a channel can roll back, and why not, is the
service's answer; this module only shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtWidgets import QPushButton, QStatusBar, QWidget

from core.domain.changes import Apply
from core.domain.errors import ReadOnlyError, UserFacingError
from core.domain.inventory import utcnow
from core.services import rollback
from core.services.workspace import SAVING, Workspace
from gui import dialogs
from gui.text import tooltip

SHORTCUT = "Ctrl+Shift+B"
TIP = (
    "Go back to the authorization this channel had before its last reauthorization "
    f"({SHORTCUT}). Nothing changes until you Save."
)


def make_button() -> QPushButton:
    """The details panel's Roll back button (shown for channels only)."""
    button = QPushButton("Roll &back…")
    button.setAccessibleName("Roll back")
    button.setToolTip(tooltip(TIP))
    return button


def update_button(
    button: QPushButton,
    workspace: Workspace | None,
    kind: str | None,
    item_id: str | None,
    *,
    can_edit: bool,
    busy: bool,
) -> None:
    """Show the button for a channel; enabled only when it can roll back, else says why."""
    button.setVisible(kind == "channel")
    if workspace is None or kind != "channel" or item_id is None:
        return
    reason = _refusal(workspace, busy)
    why = reason.message if reason is not None else ""
    if not why and not can_edit:
        why = "Changes cannot be made here."
    why = why or rollback.why_not(workspace.current, item_id)
    button.setEnabled(not why)
    button.setToolTip(tooltip(why or TIP))


def roll_back(
    parent: QWidget | None,
    workspace: Workspace,
    channel_ids: Sequence[str],
    *,
    apply: Apply,
    saving: bool,
    status_bar: QStatusBar | None = None,
    now: Callable[[], datetime] = utcnow,
) -> bool:
    """Ask, then roll the channels back as a pending change; True when it was applied."""
    refusal = _refusal(workspace, saving)
    found = rollback.offer(workspace.current, channel_ids) if refusal is None else None
    if found is not None and not found.possible:
        refusal = UserFacingError(
            found.reason, "To connect another account, choose Reauthorize instead."
        )
    if refusal is not None or found is None:
        dialogs.show_error(parent, refusal or UserFacingError("Nothing to roll back."))
        return False
    headline, details = rollback.question(found, now())
    if not dialogs.confirm_roll_back(parent, headline, details):
        return False
    error = apply(rollback.change(found))
    if error is not None:
        dialogs.show_error(parent, error)
        return False
    if status_bar is not None:
        status_bar.showMessage(
            "Rolled back to the previous authorization. Save to make it final, or Undo "
            "(Ctrl+Z) to take it back.",
            10000,
        )
    return True


def _refusal(workspace: Workspace, saving: bool) -> UserFacingError | None:
    """The usual refusals of an edit, before any question is asked."""
    if workspace.read_only_reason is not None:
        return ReadOnlyError(workspace.read_only_reason, "Changes cannot be made here.")
    if saving or workspace.saving:
        return UserFacingError(SAVING, "Wait a moment until it is done, then try again.")
    return None
