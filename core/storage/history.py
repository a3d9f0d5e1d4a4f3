"""History entries in SQLite: written inside the caller's transaction, read per subject.

:func:`write_history` never commits: the store calls it inside the Save's transaction (or the
health write's), so a crash leaves the history exactly as consistent as the rows it describes.

Bounded by choice: every entry is kept. An entry is a few hundred bytes plus one small row per
subject; 10,000 entries of one channel each take about 2.2 MB, some 220 bytes each, and
read back in about 25 ms (measured with
``tests/benchmarks/history.py``), small next to what the inventory itself needs, and a
history that forgets is no use for finding out what happened last spring.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from core.domain.history import HistoryEntry, HistoryKind
from core.storage.records import from_text, to_text

_KINDS = {k.value: k for k in HistoryKind}
#: Which subject column of an entry each subject name fills.
SUBJECTS = ("company", "channel", "authorization")


def write_history(conn: sqlite3.Connection, entries: Iterable[HistoryEntry]) -> int:
    """Insert ``entries`` (each with its time) in the open transaction; returns how many."""
    written = 0
    for entry in entries:
        if entry.at is None:
            raise ValueError("a history entry is stamped with its time before it is written")
        cursor = conn.execute(
            "INSERT INTO history(at, kind, description) VALUES (?, ?, ?)",
            (to_text(entry.at), entry.kind.value, entry.description),
        )
        entry_id = cursor.lastrowid
        conn.executemany(
            "INSERT OR IGNORE INTO history_subjects(subject, subject_id, entry_id)"
            " VALUES (?, ?, ?)",
            (
                (subject, subject_id, entry_id)
                for subject, ids in zip(
                    SUBJECTS, (entry.companies, entry.channels, entry.authorizations), strict=True
                )
                for subject_id in ids
            ),
        )
        written += 1
    return written


def read_history(
    conn: sqlite3.Connection, subject: str, subject_id: str, limit: int | None = None
) -> list[HistoryEntry]:
    """The entries about one company, channel or authorization, newest first.

    Only the asked-for subject is filled in on the entries read back (an import names every
    row of the inventory; reading all of them back for each view would cost the inventory).
    A file of the first format, opened read-only so never migrated, has no history yet.
    """
    if subject not in SUBJECTS:
        raise ValueError(f"unknown history subject {subject!r}")
    sql = (
        "SELECT h.at, h.kind, h.description FROM history_subjects s"
        " JOIN history h ON h.id = s.entry_id"
        " WHERE s.subject = ? AND s.subject_id = ?"
        " ORDER BY h.at DESC, h.id DESC LIMIT ?"
    )
    try:
        rows = conn.execute(sql, (subject, subject_id, -1 if limit is None else limit)).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    ids, none = frozenset({subject_id}), frozenset[str]()
    companies, channels, auths = (ids if s == subject else none for s in SUBJECTS)
    return [
        HistoryEntry(
            _KINDS.get(kind, HistoryKind.EDIT),
            description,
            companies,
            channels,
            auths,
            at=from_text(at),
        )
        for at, kind, description in rows
    ]


def count_history(conn: sqlite3.Connection) -> int:
    """How many entries the file holds (for tests and measurements)."""
    return int(conn.execute("SELECT count(*) FROM history").fetchone()[0])
