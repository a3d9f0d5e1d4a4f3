"""Applying pending changes from a dialog: the refusal comes back instead of being raised.

The main window passes :meth:`gui.document.Document.try_apply` (which also refuses while a Save
runs); without a window, :func:`apply_to` applies straight to a workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.domain.changes import Change, Touched
from core.domain.errors import UserFacingError
from core.domain.inventory import Inventory
from core.services.workspace import Workspace

Apply = Callable[[Change], UserFacingError | None]


def apply_to(workspace: Workspace) -> Apply:
    """Applies a change to ``workspace`` (on the GUI thread) and returns its refusal, if any."""

    def apply(change: Change) -> UserFacingError | None:
        try:
            workspace.apply(change)
        except UserFacingError as exc:
            return exc
        return None

    return apply


def combined(changes: Sequence[Change], description: str) -> Change:
    """Several changes as one pending edit: applied together, undone together.

    The workspace applies a change to a trial copy, so if one part is refused none is kept.
    """

    def apply(inventory: Inventory) -> Touched:
        touched = Touched()
        for change in changes:
            touched.update(change.apply(inventory))
        return touched

    return Change(description, apply, tuple(s for c in changes for s in c.secrets))
