"""Putting a backup back: under the instance lock, with what it undoes and the keychain in step.

Restoring replaces the database while SP Connect is not using it, so it takes the instance
lock first (another running copy refuses it). Before the swap it reads what the current file
has that the backup lacks: the grants saved since (their refresh tokens are lost with the
newer file) and every keychain entry name the current file knows. Those names go into the
restored file's journal as superseded, so the next start removes the entries that no row and
no kept backup points at, as it does after an interrupted Save.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from core.storage.backups import DB_NAME, open_for_reading, referenced_names, restore_backup
from core.storage.failures import not_writable
from core.storage.opening import LOCK_NAME, InstanceLock

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NewerGrant:
    """An authorization the current file has and the backup does not (saved since)."""

    seller_id: str
    region: str
    store_name: str
    channels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Restoration:
    """What a restore did: where the replaced file went, and what the backup lacks."""

    aside: Path
    #: ``None`` when the replaced file could not be read (damaged): nobody can tell.
    newer_grants: tuple[NewerGrant, ...] | None


def restore(data_dir: Path, backup: Path) -> Restoration:
    """Put ``backup`` back as the inventory of ``data_dir``; the current file is kept aside.

    Raises :class:`core.domain.errors.StoreLockedError` while another copy has the inventory
    open, and a :class:`core.domain.errors.StoreError` when the folder cannot be written.
    """
    data_dir = Path(data_dir).absolute()
    lock = InstanceLock(data_dir / LOCK_NAME)
    try:
        current = data_dir / DB_NAME
        newer = _newer_grants(current, backup) if current.exists() else ()
        known = _known_names(current) if current.exists() else set()
        try:
            aside = restore_backup(data_dir, backup)
        except OSError:
            raise not_writable(data_dir) from None
        _journal_as_superseded(current, known - referenced_names(current))
        return Restoration(aside, newer)
    finally:
        lock.release()


def _newer_grants(current: Path, backup: Path) -> tuple[NewerGrant, ...] | None:
    """The grants channels of ``current`` use whose refresh token ``backup`` does not know."""
    in_backup = referenced_names(backup)
    try:
        conn = open_for_reading(current)
        try:
            grants = conn.execute(
                "SELECT a.id, a.seller_id, a.region, a.store_name, a.refresh_token_ref "
                "FROM authorizations a WHERE EXISTS "
                "(SELECT 1 FROM channels c WHERE c.authorization_id = a.id) "
                "ORDER BY a.store_name, a.seller_id, a.region"
            ).fetchall()
            found = []
            for auth_id, seller, region, store, ref in grants:
                if ref is None or ref in in_backup:
                    continue
                names = conn.execute(
                    "SELECT CASE WHEN name != '' THEN name ELSE marketplace_id END "
                    "FROM channels WHERE authorization_id = ? ORDER BY 1",
                    (auth_id,),
                ).fetchall()
                found.append(NewerGrant(seller, region, store, tuple(n for (n,) in names)))
            return tuple(found)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        log.info("the replaced inventory could not be read: %s", exc)
        return None


def _known_names(current: Path) -> set[str]:
    """Every keychain entry name ``current`` points at or journals."""
    names = referenced_names(current)
    try:
        conn = open_for_reading(current)
        try:
            names.update(str(n) for (n,) in conn.execute("SELECT name FROM secret_journal"))
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # damaged: its entries cannot be known (the newest backups may still name them)
    return names


def _journal_as_superseded(database: Path, names: set[str]) -> None:
    """Record ``names`` in the restored file's journal, for the next start's clean-up."""
    if not names:
        return
    conn = sqlite3.connect(database, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT OR IGNORE INTO secret_journal(name, state) VALUES (?, 'superseded')",
            ((n,) for n in sorted(names)),
        )
        conn.execute("COMMIT")
    except sqlite3.Error as exc:  # the entries stay in the keychain; nothing else is wrong
        log.warning("could not journal the replaced file's keychain entries: %s", exc)
    finally:
        conn.close()
