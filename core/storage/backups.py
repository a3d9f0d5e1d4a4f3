"""Backups of the inventory database: made with SQLite's backup API, the newest kept.

Made before a format migration and before the first Save of each day (see
:mod:`core.storage.store`); restoring one keeps the replaced file aside, never deletes it.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

DB_NAME = "inventory.sqlite3"
BACKUP_DIR = "backups"
KEEP_BACKUPS = 10


def make_backup(conn: sqlite3.Connection, data_dir: Path, reason: str) -> Path:
    """Copy the database behind ``conn`` into ``backups/`` and drop all but the newest."""
    folder = data_dir / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"inventory-{stamp}-{reason}.sqlite3"
    try:
        dest = sqlite3.connect(target)
        try:
            conn.backup(dest)
        finally:
            dest.close()
    except sqlite3.Error:
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


def restore_backup(data_dir: Path, backup: Path) -> Path:
    """Put ``backup`` in place of the current database; the current file is kept aside.

    Returns where the replaced file was moved. The store must be closed (no copy running).
    """
    data_dir = Path(data_dir)
    current = data_dir / DB_NAME
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = data_dir / f"inventory.aside-{stamp}.sqlite3"
    if current.exists():
        current.rename(aside)
    for suffix in ("-wal", "-shm"):
        side = data_dir / (DB_NAME + suffix)
        if side.exists():
            side.rename(data_dir / (aside.name + suffix))
    shutil.copy2(backup, current)
    return aside
