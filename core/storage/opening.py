"""Opening the database file: the instance lock, the connection's settings, the migrations.

``inventory.lock`` is held by the running copy through an exclusive SQLite lock, so the operating
system releases it when the process dies, on every platform. ``PRAGMA user_version`` holds the
schema version (see :mod:`core.storage.schema`); a file from a newer version is left untouched.

Both files are created 0600 before SQLite opens them (:mod:`core.storage.files`), which is
also the check that they can be written: SQLite would open a read-only file read-only without a
word, and a lock on a file that cannot be written locks nothing.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from core.domain.errors import NewerStoreError, StoreError, StoreLockedError
from core.domain.inventory import new_id
from core.storage import files
from core.storage.backups import list_backups
from core.storage.failures import not_writable, primary_code, rollback, unreadable
from core.storage.schema import LATEST, MIGRATIONS

log = logging.getLogger(__name__)

LOCK_NAME = "inventory.lock"
#: How long an open waits for another program's lock on the database file before saying so.
BUSY_TIMEOUT_S = 2.0

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)


class InstanceLock:
    """An exclusive lock on the data directory, released by the OS if the process dies.

    Raises :class:`StoreLockedError` when another copy holds it, and a read-only
    :class:`StoreError` (with the path) when the lock file or its folder cannot be written.
    """

    def __init__(self, path: Path) -> None:
        existed = path.exists()
        try:
            files.private_file(path)
        except OSError:
            raise not_writable(path if existed else path.parent) from None
        try:
            self._conn = sqlite3.connect(
                path, isolation_level=None, timeout=0, check_same_thread=False
            )
        except sqlite3.Error:
            raise not_writable(path) from None
        try:
            self._conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.Error as exc:
            self._conn.close()
            if primary_code(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise StoreLockedError(
                    "Another SP Connect window has this inventory open.",
                    "Use that window, or close it and open the inventory here again.",
                ) from None
            raise not_writable(path) from None

    def release(self) -> None:
        self._conn.close()


def connect(path: Path, read_only: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), with the store's pragmas."""
    if not read_only:
        try:
            files.private_file(path)
        except OSError:
            raise not_writable(path) from None
        for suffix in ("-wal", "-shm"):  # made by an older version, or before a umask change
            files.make_private(path.with_name(path.name + suffix))
    conn: sqlite3.Connection | None = None
    try:
        if read_only:
            conn = sqlite3.connect(
                f"{path.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None,
                timeout=BUSY_TIMEOUT_S, check_same_thread=False,
            )  # fmt: skip
            conn.execute("PRAGMA query_only=ON")
        else:
            conn = sqlite3.connect(
                path, isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False
            )
            for pragma in PRAGMAS:
                conn.execute(pragma)
        conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        raise unreadable(path, exc) from None
    return conn


def check_version(conn: sqlite3.Connection, path: Path) -> int:
    """The file's schema version; raises :class:`NewerStoreError` past what this version reads."""
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        raise unreadable(path, exc) from None
    if version > LATEST:
        raise NewerStoreError(
            f"This inventory was saved by a newer version of SP Connect (format {version}; "
            f"this version reads up to {LATEST}). It was left untouched.",
            "Install the newer SP Connect, or restore a backup made by this version.",
            backups=[str(p) for p in list_backups(path.parent)],
        )
    return version


def current_format(conn: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """A read-only connection that reads the latest format, whatever the file's.

    A read-only copy (another window holds the file, ``main.py plan``, ``check`` reading while
    the window is open) may not upgrade the file, yet the code reads only the latest format. A
    file of an older format is copied into memory and upgraded there; the file is not touched.
    Takes ``conn`` over (closed when a copy is made).
    """
    if check_version(conn, path) == LATEST:
        return conn
    memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        conn.backup(memory)
        migrate(memory, path, backup=lambda _name: None)
        memory.execute("PRAGMA query_only=ON")
    except sqlite3.Error as exc:
        memory.close()
        raise unreadable(path, exc) from None
    except BaseException:
        memory.close()
        raise
    finally:
        conn.close()
    return memory


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
            raise unreadable(path, exc) from None
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
