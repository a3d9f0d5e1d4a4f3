"""SQLite persistence of the inventory: one Save is one transaction.

Files in the data directory:

* ``inventory.sqlite3``: the database (WAL, ``synchronous=FULL``, deferred foreign keys);
* ``inventory.lock``: held by the running copy (an exclusive SQLite lock, so the operating
  system releases it when the process dies, on every platform);
* ``backups/``: copies made before a migration and before the first Save of each day (the
  newest :data:`core.storage.backups.KEEP_BACKUPS` are kept);
* ``*.aside-<time>.sqlite3``: a damaged file moved out of the way when a backup is restored.

The folder is 0700 and every file in it 0600, whatever the umask (:mod:`core.storage.files`).

Secrets and a Save (DESIGN §4): the keychain cannot join a SQLite transaction, so the order is
(1) commit the names of the new entries to ``secret_journal``, (2) write the entries, (3) commit
the rows that point at them, removing those names from the journal and adding the names no row
needs any more, (4) delete those superseded entries and their journal rows, except those a kept
backup still points at: they stay journalled until that backup is pruned, so that restoring it
finds its secrets. A crash anywhere leaves the database before or after step 3 and, at worst,
keychain entries no row points at; :meth:`Store.collect_orphans` removes them at the next
start. A row never points at a missing entry.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.domain.errors import KeychainNotAnswering, ReadOnlyError, StoreError
from core.domain.history import HistoryEntry
from core.domain.inventory import (
    AppCredentials,
    Authorization,
    Channel,
    Company,
    Health,
    Inventory,
)
from core.domain.secret import Secret
from core.storage import files, opening
from core.storage.backups import (
    BACKUP_DIR,
    DB_NAME,
    kept_by_backups,
    list_backups,
    make_backup,
    tighten_backups,
)
from core.storage.failures import not_writable, rollback, unreadable, write_error
from core.storage.history import read_history, write_history
from core.storage.keychain import SecretStore, UnavailableSecretStore
from core.storage.records import (
    HEALTH_COLUMNS,
    app_row,
    authorization_row,
    channel_row,
    company_row,
    load_inventory,
)
from core.storage.schema import SECRET_REF_COLUMNS
from core.storage.writing import update, write_rows

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ChangeSet:
    """The rows one Save writes: each id maps to its new value, or ``None`` to delete it."""

    companies: dict[str, Company | None] = field(default_factory=dict)
    channels: dict[str, Channel | None] = field(default_factory=dict)
    authorizations: dict[str, Authorization | None] = field(default_factory=dict)
    app: AppCredentials | None = None
    #: The rows as saved before, so that an update writes only the columns that differ.
    base: Inventory = field(default_factory=Inventory)

    def __bool__(self) -> bool:
        return bool(self.companies or self.channels or self.authorizations or self.app)


class Store:
    """The inventory database of one data directory. Open with :meth:`open`."""

    def __init__(
        self, data_dir: Path, conn: sqlite3.Connection, lock: opening.InstanceLock | None
    ) -> None:
        self.data_dir = data_dir
        self.path = data_dir / DB_NAME
        self._conn = conn
        self._lock = lock
        self._backed_up_on = ""

    # --- opening ----------------------------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path, *, read_only: bool = False) -> Store:
        """Open (creating if needed) the inventory in ``data_dir``.

        Raises :class:`StoreLockedError` when another copy holds the lock and ``read_only``
        was not asked for; the caller may then open read-only. Raises
        :class:`CorruptStoreError` / :class:`NewerStoreError` with the backups to offer, and a
        plain :class:`StoreError` when another program holds the file or a file or the folder
        is read-only (see :mod:`core.storage.failures`).
        """
        data_dir = Path(data_dir).absolute()  # a relative path cannot become a file URI
        path = data_dir / DB_NAME
        lock: opening.InstanceLock | None = None
        if not read_only:
            try:
                files.private_folder(data_dir)
            except OSError as exc:
                raise StoreError(
                    f"SP Connect cannot write to its data folder {data_dir} ({exc.strerror}).",
                    "Check that the folder exists and that you may write to it.",
                ) from None
            lock = opening.InstanceLock(data_dir / opening.LOCK_NAME)
            try:
                tighten_backups(data_dir)
            except OSError:
                lock.release()
                raise not_writable(data_dir / BACKUP_DIR) from None
        elif not path.exists():
            raise StoreError(f"There is no inventory in {data_dir}.", "Check the folder name.")
        try:
            conn = opening.connect(path, read_only)
            if read_only:
                conn = opening.current_format(conn, path)
            store = cls(data_dir, conn, lock)
            if not read_only:
                opening.migrate(conn, path, store.backup)
            return store
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    # --- reading ----------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self._lock is None

    @property
    def inventory_id(self) -> str:
        """A random id of this inventory; it namespaces its keychain entries."""
        row = self._query("SELECT value FROM meta WHERE key = 'inventory_id'")
        return str(row[0][0])

    @property
    def connection(self) -> sqlite3.Connection:
        """The connection, for modules with tables of their own (core.storage.plan_progress)."""
        return self._conn

    def load(self) -> Inventory:
        """Read the whole inventory. Reads no secret: those are fetched when needed."""
        try:
            return load_inventory(self._conn)
        except sqlite3.DatabaseError as exc:
            raise unreadable(self.path, exc) from None

    # --- writing ----------------------------------------------------------------------------

    def save(
        self,
        changes: ChangeSet,
        secrets: SecretStore,
        new_secrets: Mapping[str, Secret],
        superseded: Iterable[str] = (),
        history: Sequence[HistoryEntry] = (),
        also: Callable[[sqlite3.Connection], None] = lambda _conn: None,
    ) -> None:
        """Write one Save: keychain entries first, then one transaction, then clean-up.

        ``history`` (stamped entries) and ``also``'s writes go in the same transaction.

        On any failure before the commit, nothing in the database changed and the entries
        written so far are removed (or left to :meth:`collect_orphans` if the keychain fails
        too). Raises :class:`StoreError` or the keychain's :class:`SecretStoreError`.
        """
        if self.read_only:
            raise ReadOnlyError(
                "This inventory is open read-only, so it cannot be saved.",
                "Close the other SP Connect window that has it open, then reopen it here.",
            )
        if not changes and not new_secrets:
            return
        if new_secrets and isinstance(secrets, UnavailableSecretStore):
            raise secrets.error  # refused before anything is journalled or written
        pruned = self._backup_first_save_of_day()
        if new_secrets:
            self._journal(new_secrets, "intended")
            try:
                for name, value in new_secrets.items():
                    secrets.set(name, value)
            except KeychainNotAnswering:
                # A delete would only queue behind the stuck call and time out as well: the
                # journal rows stay, and the next start removes what did get written.
                raise
            except BaseException:
                self._forget_entries(secrets, list(new_secrets))
                raise
        superseded = [n for n in superseded if n not in new_secrets]
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._write(changes)
            write_history(self._conn, history)
            also(self._conn)
            if new_secrets:
                self._conn.executemany(
                    "DELETE FROM secret_journal WHERE name = ?", ((n,) for n in new_secrets)
                )
            if superseded:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO secret_journal(name, state) VALUES (?, 'superseded')",
                    ((n,) for n in superseded),
                )
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            self._forget_entries(secrets, list(new_secrets))
            raise write_error(self.path, exc) from None
        except BaseException:
            self._rollback()
            self._forget_entries(secrets, list(new_secrets))
            raise
        # Entries a kept backup points at stay until that backup is pruned: a restored backup
        # must find them. The whole journal is looked at only when the daily backup above may
        # have pruned one (and at each start): each look scans the tables.
        if pruned:
            self._forget_entries(secrets, self._collectable(self.journal()))
        elif superseded:
            self._forget_entries(secrets, self._not_in_backups(superseded))

    def record_health(
        self, updates: Mapping[str, Health], history: Sequence[HistoryEntry] = ()
    ) -> None:
        """Store connection test outcomes at once, in one transaction: observations, not edits.

        One commit per batch: with ``synchronous=FULL`` each commit waits for the disk, so a
        test run records its results in batches rather than one commit per channel.
        """
        if self.read_only or not updates:
            return
        columns = HEALTH_COLUMNS
        assignments = ", ".join(f"{column} = ?" for column in columns)
        rows = []
        for channel_id, health in updates.items():
            row = channel_row(Channel("", "", "", health=health))
            rows.append((*(row[c] for c in columns), channel_id))
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                f"UPDATE channels SET {assignments} WHERE id = ?",  # noqa: S608 - fixed names
                rows,
            )
            write_history(self._conn, history)  # a changed result, with the result itself
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise write_error(self.path, exc) from None

    def history(self, subject: str, subject_id: str) -> list[HistoryEntry]:
        """The history of a ``company``, ``channel`` or ``authorization``, newest first."""
        try:
            return read_history(self._conn, subject, subject_id)
        except sqlite3.DatabaseError as exc:
            raise unreadable(self.path, exc) from None

    def _write(self, changes: ChangeSet) -> None:
        """Insert, update (only the columns that differ) or delete each changed row."""
        base, conn = changes.base, self._conn
        write_rows(conn, "companies", changes.companies, base.companies, company_row)
        write_rows(
            conn, "authorizations", changes.authorizations, base.authorizations, authorization_row
        )
        write_rows(conn, "channels", changes.channels, base.channels, channel_row)
        if changes.app is not None:
            update(conn, "app_credentials", app_row(changes.app), 1)

    # --- keychain bookkeeping -----------------------------------------------------------

    def _journal(self, names: Iterable[str], state: str) -> None:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                "INSERT OR REPLACE INTO secret_journal(name, state) VALUES (?, ?)",
                ((n, state) for n in names),
            )
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise write_error(self.path, exc) from None

    def _referenced(self, name: str) -> bool:
        return any(
            self._conn.execute(
                f"SELECT 1 FROM {table} WHERE {column} = ? LIMIT 1",  # noqa: S608 - fixed names
                (name,),
            ).fetchone()
            for table, column in SECRET_REF_COLUMNS
        )

    def _forget_entries(self, secrets: SecretStore, names: Iterable[str]) -> None:
        """Delete keychain entries no row needs, then their journal rows. Best effort."""
        removed: list[str] = []
        for name in names:
            try:
                secrets.delete(name)
                removed.append(name)
            except KeychainNotAnswering:  # the rest would wait out the same timeout each
                log.warning("the keychain did not answer; its clean-up is retried at next start")
                break
            except Exception:  # the journal keeps it for the next start
                log.warning("could not remove a keychain entry; it will be retried at next start")
        if removed and not self.read_only:
            try:
                self._conn.executemany(
                    "DELETE FROM secret_journal WHERE name = ?", ((n,) for n in removed)
                )
            except sqlite3.Error:
                log.warning("could not update the keychain journal; it will be retried")

    def journal(self) -> dict[str, str]:
        """The keychain entries that may exist without a row pointing at them."""
        return {str(n): str(s) for n, s in self._query("SELECT name, state FROM secret_journal")}

    def collect_orphans(self, secrets: SecretStore) -> int:
        """Remove keychain entries left behind by an interrupted Save; returns how many."""
        if self.read_only:
            return 0
        orphans = self._collectable(self.journal())
        self._forget_entries(secrets, orphans)
        return len(orphans)

    def _collectable(self, names: Iterable[str]) -> list[str]:
        """Of journalled ``names``, those no row and no kept backup points at.

        A name a row points at again (a restored backup) leaves the journal here.
        """
        candidates: list[str] = []
        for name in names:
            if self._referenced(name):
                self._conn.execute("DELETE FROM secret_journal WHERE name = ?", (name,))
            else:
                candidates.append(name)
        return self._not_in_backups(candidates)

    def _not_in_backups(self, names: list[str]) -> list[str]:
        """Of ``names``, those no kept backup points at (none, if a backup cannot be read)."""
        if not names:
            return []
        try:
            in_backups = kept_by_backups(self.data_dir, names)
        except sqlite3.Error as exc:  # a backup it cannot read may point at any of them
            log.warning("keychain clean-up postponed: a backup could not be read (%s)", exc)
            return []
        return [n for n in names if n not in in_backups]

    # --- backups ------------------------------------------------------------------------

    def backup(self, reason: str = "manual") -> Path:
        """Copy the database (consistently, with SQLite's backup API) into ``backups/``."""
        try:
            return make_backup(self._conn, self.data_dir, reason)
        except sqlite3.Error as exc:
            raise write_error(self.data_dir / BACKUP_DIR, exc) from None

    def _backup_first_save_of_day(self) -> bool:
        """Back up before the day's first Save; True when a backup was made (and old pruned)."""
        today = datetime.now().strftime("%Y%m%d")
        if self._backed_up_on == today:
            return False
        if any(p.name.startswith(f"inventory-{today}") for p in list_backups(self.data_dir)):
            self._backed_up_on = today
        elif self._query("SELECT 1 FROM companies LIMIT 1"):  # an empty file is not worth it
            self.backup("daily")
            self._backed_up_on = today
            return True
        return False

    # --- helpers ------------------------------------------------------------------------

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise unreadable(self.path, exc) from None

    def _rollback(self) -> None:
        rollback(self._conn)

    def close(self) -> None:
        self._conn.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
