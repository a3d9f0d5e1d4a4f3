"""When SQLite fails: what it means to the person (a damaged file, a file in use, a read-only
file, a write that did not happen), and the rollback that leaves the file as it was.

The kind of failure comes from SQLite's result code (``sqlite_errorcode``, Python 3.11), never
from the message: only ``SQLITE_CORRUPT`` and ``SQLITE_NOTADB`` mean the file is damaged, and
only then are backups offered. See https://www.sqlite.org/rescode.html.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from core.domain.errors import CorruptStoreError, StoreError
from core.storage.backups import list_backups

log = logging.getLogger(__name__)


#: The primary result codes (an extended code keeps its primary one in the low byte).
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_IN_USE = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_NOT_WRITABLE = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM}


def primary_code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code of ``exc``, or ``None`` when it carries none."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def unreadable(path: Path, exc: sqlite3.Error) -> StoreError:
    """Reading ``path`` failed: damaged, in use, read-only, or another disk problem."""
    code = primary_code(exc)
    if isinstance(exc, sqlite3.DatabaseError) and (code in _DAMAGED or code is None):
        return corrupt(path, exc)
    if code in _IN_USE:
        log.info("inventory database in use by another program: %s", exc)
        return in_use(path)
    if code in _NOT_WRITABLE:
        log.info("inventory database not writable: %s", exc)
        return not_writable(path)
    log.error("inventory database could not be read: %s", exc)
    return StoreError(
        f"The inventory file {path} could not be read ({exc}).",
        "Check that the disk is connected and working, then open the inventory again.",
    )


def in_use(path: Path) -> StoreError:
    """Another program (not SP Connect: that one is the instance lock) holds the file."""
    return StoreError(
        f"Another program has the inventory file {path} open, so SP Connect cannot use it.",
        "Close the other program (a database viewer or a sync tool, for example), "
        "then open the inventory again.",
    )


def not_writable(path: Path) -> StoreError:
    """``path`` (a file, or the folder it is in) cannot be written.

    SQLite also needs to create files beside a database (its ``-wal``, ``-shm``, journal), so
    a writable file in a read-only folder fails too: then the folder is named.
    """
    if path.exists() and os.access(path, os.W_OK) and not os.access(path.parent, os.W_OK):
        path = path.parent
    return StoreError(
        f"SP Connect cannot write to {path}: it is read-only.",
        "Make it writable for your user account (or choose another data folder with "
        "--data-dir), then open the inventory again.",
    )


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
    code = primary_code(exc)
    if code in _NOT_WRITABLE:
        return StoreError(
            f"The changes could not be written: {path} is read-only.",
            "Make it writable for your user account, then Save again; "
            "your changes are still pending.",
        )
    if code in _IN_USE:
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
