"""When SQLite fails: what it means to the person (a damaged file, a write that did not happen),
and the rollback that leaves the file as it was."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from core.domain.errors import CorruptStoreError, StoreError
from core.storage.backups import list_backups

log = logging.getLogger(__name__)


def corrupt(path: Path, exc: sqlite3.DatabaseError) -> CorruptStoreError:
    """The file at ``path`` cannot be read: offer its backups."""
    log.error("inventory database unreadable: %s", exc)
    backups = [str(p) for p in list_backups(path.parent)]
    step = (
        "Restore the newest backup (the damaged file is kept aside)."
        if backups
        else "No backup exists yet: keep the file for support and start a new inventory."
    )
    return CorruptStoreError(f"The inventory file {path} is damaged ({exc}).", step, backups)


def write_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """A write to ``path`` failed: say why, and that the changes are still pending."""
    log.error("inventory database write failed: %s", exc)
    if isinstance(exc, sqlite3.IntegrityError):
        return StoreError(
            f"The changes contradict each other and were not saved ({exc}).",
            "Undo the last change and try again; your changes are still pending.",
        )
    if "locked" in str(exc) or "busy" in str(exc):
        return StoreError(
            "The inventory file is busy, so the changes were not saved.",
            "Try Save again in a moment; your changes are still pending.",
        )
    return StoreError(
        f"The changes could not be written to {path} ({exc}).",
        "Check that the disk has space and is writable, then Save again; "
        "your changes are still pending.",
    )


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if any (best effort: the error at hand is the news)."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.warning("rollback failed", exc_info=True)
