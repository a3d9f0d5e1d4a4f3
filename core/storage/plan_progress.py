"""The ``plan_progress`` table: support staff's state of each consent of the plan.

One row per plan item key (a seller in a region, or a lone channel). Written at once, one
transaction per write, like a connection test's result (see :mod:`core.services.plan_view` for
why); the one exception is an import's states (:func:`merge_progress`), which belong to the
imported records and so are written with the Save that writes those.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from core.domain.errors import ReadOnlyError
from core.domain.plan_progress import PlanState, Progress
from core.storage.failures import rollback, unreadable, write_error
from core.storage.store import Store


def read_progress(store: Store) -> dict[str, Progress]:
    """Every stored row, by item key."""
    try:
        rows = store.connection.execute(
            "SELECT item_key, generation, state, changed_at, reason, item FROM plan_progress"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise unreadable(store.path, exc) from None
    result: dict[str, Progress] = {}
    for key, generation, state, changed_at, reason, item in rows:
        try:
            snapshot: dict[str, Any] = json.loads(item)
        except ValueError:
            snapshot = {}
        result[str(key)] = Progress(
            key=str(key),
            generation=str(generation),
            state=PlanState(state),
            changed_at=datetime.fromisoformat(str(changed_at)),
            reason=str(reason),
            item=snapshot if isinstance(snapshot, dict) else {},
        )
    return result


def write_progress(store: Store, progress: Progress) -> None:
    """Store one item's state (replacing the row of its key), in one transaction."""
    if store.read_only:
        raise ReadOnlyError(
            "This inventory is open read-only, so the plan's progress cannot be noted.",
            "Note it in the SP Connect window that has the inventory open.",
        )
    conn = store.connection
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT OR REPLACE INTO plan_progress"
            "(item_key, generation, state, changed_at, reason, item) VALUES (?, ?, ?, ?, ?, ?)",
            _row(progress),
        )
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        rollback(conn)
        raise write_error(store.path, exc) from None


def merge_progress(conn: sqlite3.Connection, notes: Iterable[Progress]) -> None:
    """Write imported notes inside the caller's transaction (the import's Save).

    A key that already has a note keeps it unless the imported one was written later: the
    newest note of a consent is what happened last, whichever copy it was written in.
    """
    conn.executemany(
        "INSERT INTO plan_progress(item_key, generation, state, changed_at, reason, item)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(item_key) DO UPDATE SET"
        " generation = excluded.generation, state = excluded.state,"
        " changed_at = excluded.changed_at, reason = excluded.reason, item = excluded.item"
        " WHERE julianday(excluded.changed_at) > julianday(plan_progress.changed_at)",
        [_row(n) for n in notes],
    )


def _row(note: Progress) -> tuple[str, str, str, str, str, str]:
    """A note as the table's columns (item_key, generation, state, changed_at, reason, item)."""
    return (
        note.key,
        note.generation,
        note.state.value,
        note.changed_at.isoformat(),
        note.reason,
        json.dumps(note.item, sort_keys=True),
    )
