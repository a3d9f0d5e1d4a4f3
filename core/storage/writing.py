"""Writing changed rows: insert the new, update only the columns that differ, delete the gone.

Updating only what changed keeps one Save as cheap as a bare one-row update, whatever the size of
the inventory, and leaves untouched indexes alone. Table names come from the store, never from
input.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from core.storage.records import RowFn


def write_rows(
    conn: sqlite3.Connection,
    table: str,
    rows: Mapping[str, Any | None],
    before: Mapping[str, Any],
    to_row: RowFn,
) -> None:
    """Write each of ``rows`` (a record, or ``None`` to delete it) against its ``before``."""
    for key, value in rows.items():
        if value is None:
            conn.execute(f"DELETE FROM {table} WHERE id = ?", (key,))  # noqa: S608 - fixed names
            continue
        new = to_row(value)
        old = before.get(key)
        if old is None:
            insert(conn, table, new)
        else:
            old_row = to_row(old)
            update(conn, table, {c: v for c, v in new.items() if old_row[c] != v}, key)


def insert(conn: sqlite3.Connection, table: str, row: dict[str, object]) -> None:
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    conn.execute(
        f"INSERT INTO {table}({columns}) VALUES ({marks})",  # noqa: S608 - fixed names
        tuple(row.values()),
    )


def update(conn: sqlite3.Connection, table: str, row: dict[str, object], key: object) -> None:
    """Set ``row``'s columns of the row ``key``; nothing at all when ``row`` is empty."""
    if not row:
        return
    assignments = ", ".join(f"{column} = ?" for column in row)
    conn.execute(
        f"UPDATE {table} SET {assignments} WHERE id = ?",  # noqa: S608 - fixed names
        (*row.values(), key),
    )
