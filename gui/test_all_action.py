"""The Test all action's words: which channels it tests, as the filter stands.

Kept apart from :mod:`gui.checks` (which pulls in the network code): the window sets this
action's text on its first paint. What the action does is :mod:`gui.checks.test_all`.
"""

from __future__ import annotations

from PySide6.QtGui import QAction

from core.services.test_all import action_text
from core.services.view.rows import InventoryRows, QuickFilter


def filtered(rows: InventoryRows) -> bool:
    """Whether a filter (typed words or a quick filter) hides some rows."""
    return bool(rows.words) or rows.quick is not QuickFilter.ALL


def shown_channel_ids(rows: InventoryRows) -> list[str]:
    """Every channel the filter shows (all of them when there is no filter)."""
    if not filtered(rows):
        return list(rows.channels)
    return [channel_id for channel_id, row in rows.channels.items() if rows.is_shown(row)]


def sync_action(action: QAction, rows: InventoryRows | None, can_test: bool) -> None:
    """The action's text, tooltip and whether it is enabled, for the rows as filtered now.

    Cheap (two counts), so the window may call it on every state change.
    """
    shown = rows.shown_channel_count() if rows is not None else 0
    total = rows.total if rows is not None else 0
    text, tip = action_text(shown, total, rows is not None and filtered(rows))
    action.setText(text)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.setEnabled(can_test and shown > 0)
