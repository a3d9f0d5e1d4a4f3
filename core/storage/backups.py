"""Backups of the inventory database: made with SQLite's backup API, the newest kept.

Made before a format migration and before the first Save of each day (see
:mod:`core.storage.store`); restoring one keeps the replaced file aside, never deletes it (see
:mod:`core.storage.restoring`). Like every file in the data folder they are 0600.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from core.storage import files
from core.storage.schema import SECRET_REF_COLUMNS

log = logging.getLogger(__name__)

DB_NAME = "inventory.sqlite3"
BACKUP_DIR = "backups"
KEEP_BACKUPS = 10


def make_backup(conn: sqlite3.Connection, data_dir: Path, reason: str) -> Path:
    """Copy the database behind ``conn`` into ``backups/`` and drop all but the newest."""
    folder = data_dir / BACKUP_DIR
    files.private_folder(folder)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"inventory-{stamp}-{reason}.sqlite3"
    try:
        files.private_file(target)
        dest = sqlite3.connect(target)
        try:
            conn.backup(dest)
            # One self-contained file: read later, it leaves no -wal or -shm beside it.
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    except (sqlite3.Error, OSError):
        target.unlink(missing_ok=True)
        raise
    for old in list_backups(data_dir)[KEEP_BACKUPS:]:
        old.unlink(missing_ok=True)
    return target


def list_backups(data_dir: Path) -> list[Path]:
    """Backups of the inventory in ``data_dir``, newest first."""
    folder = Path(data_dir) / BACKUP_DIR
    if not folder.is_dir():
        return []
    return sorted(folder.glob("inventory-*.sqlite3"), key=lambda p: p.name, reverse=True)


def aside_files(data_dir: Path) -> list[Path]:
    """Files restoring a backup kept aside (with their ``-wal`` and ``-shm``)."""
    return sorted(Path(data_dir).glob("inventory.aside-*"))


def tighten_backups(data_dir: Path) -> None:
    """Make the backups folder 0700 and every backup and kept-aside file 0600.

    For data folders made by a version that left them to the umask. Raises ``OSError``.
    """
    if (data_dir / BACKUP_DIR).is_dir():
        files.private_folder(data_dir / BACKUP_DIR)
    for path in [*list_backups(data_dir), *aside_files(data_dir)]:
        files.make_private(path)


def referenced_names(database: Path) -> set[str]:
    """Every keychain entry name the rows of ``database`` point at (empty if unreadable)."""
    try:
        return read_names(database)
    except sqlite3.Error as exc:
        log.info("could not read the keychain names of %s: %s", database.name, exc)
        return set()


def read_names(database: Path) -> set[str]:
    """Every keychain entry name the rows of ``database`` point at; raises ``sqlite3.Error``."""
    conn = open_for_reading(database)
    try:
        names: set[str] = set()
        for table, column in SECRET_REF_COLUMNS:
            rows = conn.execute(
                f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608 - fixed
            ).fetchall()
            names.update(str(row[0]) for row in rows)
        return names
    finally:
        conn.close()


def open_for_reading(database: Path) -> sqlite3.Connection:
    """A connection that only reads ``database``, for the holder of the instance lock.

    Not ``mode=ro``: a read-only connection to a WAL file creates its ``-wal`` and ``-shm``
    and cannot remove them when it closes; this one does.
    """
    if not database.exists():
        raise sqlite3.OperationalError(f"no such file: {database.name}")
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA query_only=ON")
    return conn


#: Names per backup file, by (path, size, mtime): a backup never changes once made, and reading
#: ten of them on every Save would cost a scan of each one's tables.
_names_cache: dict[tuple[str, int, int], frozenset[str]] = {}


def kept_by_backups(data_dir: Path, names: Iterable[str]) -> set[str]:
    """Those of ``names`` a kept backup points at: their entries must stay.

    Raises ``sqlite3.Error`` when a backup cannot be read: then nothing may be deleted.
    """
    wanted = set(names)
    kept: set[str] = set()
    seen: set[tuple[str, int, int]] = set()
    for backup in list_backups(data_dir):
        try:
            info = backup.stat()
        except FileNotFoundError:
            continue
        key = (str(backup), info.st_size, info.st_mtime_ns)
        seen.add(key)
        if key not in _names_cache:
            _names_cache[key] = frozenset(read_names(backup))
        kept.update(n for n in wanted if n in _names_cache[key])
    for key in [k for k in _names_cache if k not in seen and k[0].startswith(str(data_dir))]:
        _names_cache.pop(key, None)  # pruned
    return kept


def restore_backup(data_dir: Path, backup: Path) -> Path:
    """Put ``backup`` in place of the current database; the current file is kept aside.

    Returns where the replaced file was moved, under a name no earlier restore used. The store
    must be closed and the instance lock held (see :mod:`core.storage.restoring`).
    """
    data_dir = Path(data_dir)
    current = data_dir / DB_NAME
    aside = _free_aside_name(data_dir)
    if current.exists():
        current.rename(aside)
        files.make_private(aside)
    for suffix in ("-wal", "-shm"):
        side = data_dir / (DB_NAME + suffix)
        if side.exists():
            side.rename(data_dir / (aside.name + suffix))
            files.make_private(data_dir / (aside.name + suffix))
    files.private_file(current)
    shutil.copyfile(backup, current)
    return aside


def _free_aside_name(data_dir: Path) -> Path:
    """``inventory.aside-<time>.sqlite3``, numbered when that name (or its -wal) is taken."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    number = 1
    while True:
        suffix = "" if number == 1 else f"-{number}"
        aside = data_dir / f"inventory.aside-{stamp}{suffix}.sqlite3"
        taken = [aside, *(aside.with_name(aside.name + s) for s in ("-wal", "-shm"))]
        if not any(p.exists() for p in taken):
            return aside
        number += 1
