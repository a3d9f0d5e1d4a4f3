"""Opening the database file: the instance lock, the connection's settings, the migrations.

``inventory.lock`` is held by the running copy through an exclusive SQLite lock, so the operating
system releases it when the process dies, on every platform. ``PRAGMA user_version`` holds the
schema version (see :mod:`core.storage.schema`); a file from a newer version is left untouched.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from core.domain.errors import NewerStoreError, StoreError
from core.domain.inventory import new_id
from core.storage.backups import list_backups
from core.storage.failures import corrupt, rollback
from core.storage.schema import LATEST, MIGRATIONS

log = logging.getLogger(__name__)

LOCK_NAME = "inventory.lock"

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)


class InstanceLock:
    """An exclusive lock on the data directory, released by the OS if the process dies."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
        try:
            self._conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError:
            self._conn.close()
            raise

    def release(self) -> None:
        self._conn.close()


def connect(path: Path, read_only: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), with the store's pragmas."""
    try:
        if read_only:
            conn = sqlite3.connect(
                f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None,
                check_same_thread=False,
            )  # fmt: skip
            conn.execute("PRAGMA query_only=ON")
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            for pragma in PRAGMAS:
                conn.execute(pragma)
        conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise corrupt(path, exc) from None
    return conn


def check_version(conn: sqlite3.Connection, path: Path) -> int:
    """The file's schema version; raises :class:`NewerStoreError` past what this version reads."""
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise corrupt(path, exc) from None
    if version > LATEST:
        raise NewerStoreError(
            f"This inventory was saved by a newer version of SP Connect (format {version}; "
            f"this version reads up to {LATEST}). It was left untouched.",
            "Install the newer SP Connect, or restore a backup made by this version.",
            backups=[str(p) for p in list_backups(path.parent)],
        )
    return version


def migrate(conn: sqlite3.Connection, path: Path, backup: Callable[[str], object]) -> None:
    """Bring the file to the latest format in one transaction (``backup`` first, unless new)."""
    version = check_version(conn, path)
    if version == LATEST:
        return
    if version > 0:
        backup(f"before-format-{LATEST}")
    try:
        conn.execute("BEGIN IMMEDIATE")
        for number in range(version + 1, LATEST + 1):
            for statement in statements(MIGRATIONS[number - 1]):
                conn.execute(statement)
        if version == 0:
            conn.execute("INSERT INTO meta(key, value) VALUES ('inventory_id', ?)", (new_id(),))
            conn.execute("INSERT INTO app_credentials(id) VALUES (1)")
        conn.execute(f"PRAGMA user_version = {LATEST}")
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        rollback(conn)
        if version == 0:
            raise corrupt(path, exc) from None
        log.error("migration to format %d failed: %s", LATEST, exc)
        raise StoreError(
            f"The inventory could not be upgraded to this version's format ({exc}). "
            "It was left as it was, and a backup was made first.",
            "Keep using the previous version of SP Connect and report this problem.",
        ) from None


def statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    return [s.strip() for s in script.split(";") if s.strip() and not _only_comments(s)]


def _only_comments(sql: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())
