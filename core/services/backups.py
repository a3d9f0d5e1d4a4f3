"""Backups, as a person uses them: put one back.

The store makes them (before a format migration, and before the first Save of each day; see
:mod:`core.storage.backups`). When an inventory cannot be opened because its file is damaged,
the error lists the backups (:class:`core.domain.errors.CorruptStoreError`), and every surface
offers the newest through :func:`restore`.
"""

from __future__ import annotations

from pathlib import Path

from core.storage import backups


def restore(backup: Path) -> Path:
    """Put ``backup`` back as its folder's inventory; returns where the replaced file was kept.

    The inventory must be closed. Blocking (file copies): run it on the database lane.
    """
    data_dir = backup.resolve().parent.parent  # <data dir>/backups/<file>
    return backups.restore_backup(data_dir, backup)
