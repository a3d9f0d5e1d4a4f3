"""The plan's stored states of a workspace, wherever they come from.

An inventory's own notes are in its SQLite file (:mod:`core.storage.plan_progress`); a file
opened for review has none of its own but brings the exporter's (the export's ``plan`` states,
read by :mod:`core.services.exchange.read_json`). Everything that shows or exports the plan's
states asks here, so the window's plan, File > Export, ``main.py export``, the support bundle
and the printed report all see the same states.
"""

from __future__ import annotations

from core.domain.plan_progress import Progress
from core.services.review import ReviewWorkspace
from core.services.workspace import Workspace
from core.storage.plan_progress import read_progress


def workspace_notes(workspace: Workspace) -> dict[str, Progress]:
    """The notes by item key. Blocking (reads SQLite): run it on the database lane."""
    if workspace.store is not None:
        return read_progress(workspace.store)
    if isinstance(workspace, ReviewWorkspace):
        return dict(workspace.plan_notes)
    return {}
