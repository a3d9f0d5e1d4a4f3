"""SQLite persistence of the inventory: one Save is one transaction.

Files in the data directory:

* ``inventory.sqlite3``: the database (WAL, ``synchronous=FULL``, deferred foreign keys);
* ``inventory.lock``: held by the running copy (an exclusive SQLite lock, so the operating
  system releases it when the process dies, on every platform);
* ``backups/``: copies made before a migration and before the first Save of each day (the
  newest :data:`KEEP_BACKUPS` are kept);
* ``*.aside-<time>.sqlite3``: a damaged file moved out of the way when a backup is restored.

Secrets and a Save (DESIGN §4): the keychain cannot join a SQLite transaction, so the order is
(1) commit the names of the new entries to ``secret_journal``, (2) write the entries, (3) commit
the rows that point at them, removing those names from the journal and adding the names no row
needs any more, (4) delete those superseded entries and their journal rows. A crash anywhere
leaves the database before or after step 3 and, at worst, keychain entries no row points at;
:meth:`Store.collect_orphans` removes them at the next start. A row never points at a missing
entry.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from core.domain.errors import (
    CorruptStoreError,
    NewerStoreError,
    ReadOnlyError,
    StoreError,
    StoreLockedError,
)
from core.domain.inventory import (
    NO_HEALTH,
    AppCredentials,
    AppStatus,
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Company,
    Health,
    Inventory,
    new_id,
)
from core.domain.marketplaces import EndpointProfile, Region
from core.domain.secret import Secret
from core.storage.backups import (
    BACKUP_DIR,
    DB_NAME,
    KEEP_BACKUPS,
    list_backups,
    make_backup,
    restore_backup,
)
from core.storage.keychain import SecretStore
from core.storage.records import (
    RowFn,
    app_row,
    authorization_row,
    channel_row,
    company_row,
    from_text,
)
from core.storage.schema import LATEST, MIGRATIONS, SECRET_REF_COLUMNS

log = logging.getLogger(__name__)

__all__ = [
    "DB_NAME",
    "KEEP_BACKUPS",
    "ChangeSet",
    "Store",
    "list_backups",
    "restore_backup",
]

LOCK_NAME = "inventory.lock"

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)


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


class _InstanceLock:
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


class Store:
    """The inventory database of one data directory. Open with :meth:`open`."""

    def __init__(
        self, data_dir: Path, conn: sqlite3.Connection, lock: _InstanceLock | None
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
        :class:`CorruptStoreError` / :class:`NewerStoreError` with the backups to offer.
        """
        data_dir = Path(data_dir)
        path = data_dir / DB_NAME
        lock: _InstanceLock | None = None
        if not read_only:
            try:
                data_dir.mkdir(parents=True, exist_ok=True)
                lock = _InstanceLock(data_dir / LOCK_NAME)
            except sqlite3.OperationalError:
                raise StoreLockedError(
                    "Another SP Connect window has this inventory open.",
                    "Use that window, or close it and open the inventory here again.",
                ) from None
            except OSError as exc:
                raise StoreError(
                    f"SP Connect cannot write to its data folder {data_dir} ({exc.strerror}).",
                    "Check that the folder exists and that you may write to it.",
                ) from None
        elif not path.exists():
            raise StoreError(f"There is no inventory in {data_dir}.", "Check the folder name.")
        try:
            conn = cls._connect(path, read_only)
            store = cls(data_dir, conn, lock)
            if not read_only:
                store._migrate()
            else:
                store._check_version()
            return store
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    @staticmethod
    def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
        try:
            if read_only:
                conn = sqlite3.connect(
                    f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None,
                    check_same_thread=False,
                )  # fmt: skip
                conn.execute("PRAGMA query_only=ON")
            else:
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
                for pragma in _PRAGMAS:
                    conn.execute(pragma)
            conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise _corrupt(path, exc) from None
        return conn

    def _version(self) -> int:
        try:
            row = self._conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise _corrupt(self.path, exc) from None
        return int(row[0])

    def _check_version(self) -> int:
        version = self._version()
        if version > LATEST:
            raise NewerStoreError(
                f"This inventory was saved by a newer version of SP Connect (format {version}; "
                f"this version reads up to {LATEST}). It was left untouched.",
                "Install the newer SP Connect, or restore a backup made by this version.",
                backups=[str(p) for p in list_backups(self.data_dir)],
            )
        return version

    def _migrate(self) -> None:
        version = self._check_version()
        if version == LATEST:
            return
        if version > 0:
            self.backup(f"before-format-{LATEST}")
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            for number in range(version + 1, LATEST + 1):
                for statement in _statements(MIGRATIONS[number - 1]):
                    self._conn.execute(statement)
            if version == 0:
                self._conn.execute(
                    "INSERT INTO meta(key, value) VALUES ('inventory_id', ?)", (new_id(),)
                )
                self._conn.execute("INSERT INTO app_credentials(id) VALUES (1)")
            self._conn.execute(f"PRAGMA user_version = {LATEST}")
            self._conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._rollback()
            if version == 0:
                raise _corrupt(self.path, exc) from None
            log.error("migration to format %d failed: %s", LATEST, exc)
            raise StoreError(
                f"The inventory could not be upgraded to this version's format ({exc}). "
                "It was left as it was, and a backup was made first.",
                "Keep using the previous version of SP Connect and report this problem.",
            ) from None

    # --- reading ----------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self._lock is None

    @property
    def inventory_id(self) -> str:
        """A random id of this inventory; it namespaces its keychain entries."""
        row = self._query("SELECT value FROM meta WHERE key = 'inventory_id'")
        return str(row[0][0])

    def load(self) -> Inventory:
        """Read the whole inventory. Reads no secret: those are fetched when needed."""
        try:
            return self._load()
        except sqlite3.DatabaseError as exc:
            raise _corrupt(self.path, exc) from None

    def _load(self) -> Inventory:
        conn = self._conn
        companies = {
            r[0]: Company(r[0], r[1], r[2], r[3])
            for r in conn.execute("SELECT id, name, parent_id, notes FROM companies")
        }
        # Enum lookups and repeated marketplace sets through dicts: this loop runs per row.
        regions = {r.value: r for r in Region}
        sources = {s.value: s for s in AuthSource}
        marketplace_sets: dict[str, frozenset[str]] = {}
        parse = datetime.fromisoformat
        authorizations: dict[str, Authorization] = {}
        for r in conn.execute(
            "SELECT id, seller_id, region, granted_at, expires_at, source, refresh_token_ref,"
            " marketplace_ids, expiry_confirmed, store_name, previous_id FROM authorizations"
        ):
            covered = marketplace_sets.get(r[7])
            if covered is None:
                covered = marketplace_sets[r[7]] = frozenset(r[7].split())
            authorizations[r[0]] = Authorization(
                r[0], r[1], regions[r[2]], parse(r[3]), parse(r[4]), sources[r[5]], r[6],
                covered, bool(r[8]), r[9], r[10],
            )  # fmt: skip
        channels: dict[str, Channel] = {}
        statuses = {s.value: s for s in AppStatus}
        results = {s.value: s for s in CheckResult}
        for r in conn.execute(
            "SELECT id, company_id, marketplace_id, name, seller_id, authorization_id,"
            " mws_merchant_token, mws_auth_token_ref, app_status, checked_at, check_result,"
            " failing_since, check_message FROM channels"
        ):
            health = NO_HEALTH
            if r[9] is not None or r[10] is not None:
                health = Health(
                    parse(r[9]) if r[9] else None,
                    results.get(r[10]),
                    parse(r[11]) if r[11] else None,
                    r[12],
                )
            channels[r[0]] = Channel(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], statuses[r[8]], health
            )
        a = conn.execute(
            "SELECT application_id, lwa_client_id, client_secret_ref, redirect_uri, draft,"
            " secret_issued_at, endpoint_profile, endpoint_url FROM app_credentials"
        ).fetchone()
        app = AppCredentials(
            a[0], a[1], a[2], a[3], bool(a[4]), from_text(a[5]), EndpointProfile(a[6]), a[7]
        )
        return Inventory(companies, channels, authorizations, app)

    # --- writing ----------------------------------------------------------------------------

    def save(
        self,
        changes: ChangeSet,
        secrets: SecretStore,
        new_secrets: Mapping[str, Secret],
        superseded: Iterable[str] = (),
    ) -> None:
        """Write one Save: keychain entries first, then one transaction, then clean-up.

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
        self._backup_first_save_of_day()
        if new_secrets:
            self._journal(new_secrets, "intended")
            try:
                for name, value in new_secrets.items():
                    secrets.set(name, value)
            except BaseException:
                self._forget_entries(secrets, list(new_secrets))
                raise
        superseded = [n for n in superseded if n not in new_secrets]
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._write(changes)
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
            raise _write_error(self.path, exc) from None
        except BaseException:
            self._rollback()
            self._forget_entries(secrets, list(new_secrets))
            raise
        if superseded:
            self._forget_entries(secrets, superseded)

    def record_health(self, updates: Mapping[str, Health]) -> None:
        """Store connection test outcomes at once, in one transaction: observations, not edits.

        One commit per batch: with ``synchronous=FULL`` each commit waits for the disk, so a
        test run records its results in batches rather than one commit per channel.
        """
        if self.read_only or not updates:
            return
        columns = ("checked_at", "check_result", "failing_since", "check_message")
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
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise _write_error(self.path, exc) from None

    def _write(self, changes: ChangeSet) -> None:
        """Insert, update (only the columns that differ) or delete each changed row.

        Updating only what changed keeps one Save as cheap as a bare one-row update, whatever
        the size of the inventory, and leaves untouched indexes alone.
        """
        base = changes.base
        tables: tuple[tuple[str, Mapping[str, Any], Mapping[str, Any], RowFn], ...] = (
            ("companies", changes.companies, base.companies, company_row),
            ("authorizations", changes.authorizations, base.authorizations, authorization_row),
            ("channels", changes.channels, base.channels, channel_row),
        )
        for table, rows, before, to_row in tables:
            for key, value in rows.items():
                if value is None:
                    self._conn.execute(f"DELETE FROM {table} WHERE id = ?", (key,))  # noqa: S608
                    continue
                new = to_row(value)
                old = before.get(key)
                if old is None:
                    self._insert(table, new)
                else:
                    old_row = to_row(old)
                    self._update(table, {c: v for c, v in new.items() if old_row[c] != v}, key)
        if changes.app is not None:
            self._update("app_credentials", app_row(changes.app), 1)

    def _insert(self, table: str, row: dict[str, object]) -> None:
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        self._conn.execute(
            f"INSERT INTO {table}({columns}) VALUES ({marks})",  # noqa: S608 - fixed names
            tuple(row.values()),
        )

    def _update(self, table: str, row: dict[str, object], key: object) -> None:
        if not row:
            return
        assignments = ", ".join(f"{column} = ?" for column in row)
        self._conn.execute(
            f"UPDATE {table} SET {assignments} WHERE id = ?",  # noqa: S608 - fixed names
            (*row.values(), key),
        )

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
            raise _write_error(self.path, exc) from None

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
        orphans: list[str] = []
        for name in self.journal():
            if self._referenced(name):
                self._conn.execute("DELETE FROM secret_journal WHERE name = ?", (name,))
            else:
                orphans.append(name)
        self._forget_entries(secrets, orphans)
        return len(orphans)

    # --- backups ------------------------------------------------------------------------

    def backup(self, reason: str = "manual") -> Path:
        """Copy the database (consistently, with SQLite's backup API) into ``backups/``."""
        try:
            return make_backup(self._conn, self.data_dir, reason)
        except sqlite3.Error as exc:
            raise _write_error(self.data_dir / BACKUP_DIR, exc) from None

    def _backup_first_save_of_day(self) -> None:
        today = datetime.now().strftime("%Y%m%d")
        if self._backed_up_on == today:
            return
        if any(p.name.startswith(f"inventory-{today}") for p in list_backups(self.data_dir)):
            self._backed_up_on = today
        elif self._query("SELECT 1 FROM companies LIMIT 1"):  # an empty file is not worth it
            self.backup("daily")
            self._backed_up_on = today

    # --- helpers ------------------------------------------------------------------------

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _corrupt(self.path, exc) from None

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.warning("rollback failed", exc_info=True)

    def close(self) -> None:
        self._conn.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    return [s.strip() for s in script.split(";") if s.strip() and not _only_comments(s)]


def _only_comments(sql: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())


def _corrupt(path: Path, exc: sqlite3.DatabaseError) -> CorruptStoreError:
    log.error("inventory database unreadable: %s", exc)
    backups = [str(p) for p in list_backups(path.parent)]
    step = (
        "Restore the newest backup (the damaged file is kept aside)."
        if backups
        else "No backup exists yet: keep the file for support and start a new inventory."
    )
    return CorruptStoreError(f"The inventory file {path} is damaged ({exc}).", step, backups)


def _write_error(path: Path, exc: sqlite3.Error) -> StoreError:
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
