"""The SQLite store: round trips, the lock, backups, damaged files, the keychain journal."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from core.domain.errors import (
    CorruptStoreError,
    NewerStoreError,
    ReadOnlyError,
    SecretStoreError,
    StoreError,
    StoreLockedError,
)
from core.domain.inventory import Inventory
from core.domain.secret import Secret
from core.storage.backups import DB_NAME, KEEP_BACKUPS, list_backups, restore_backup
from core.storage.keychain import MemorySecretStore
from core.storage.records import record_maker
from core.storage.schema import LATEST
from core.storage.store import ChangeSet, Store
from tests.core.factories import company, full_inventory
from tests.leaks import ExpectedWarnings


def everything(inv: Inventory) -> ChangeSet:
    return ChangeSet(
        companies=dict(inv.companies),
        channels=dict(inv.channels),
        authorizations=dict(inv.authorizations),
        app=inv.app,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path)
    yield s
    s.close()


def test_a_new_store_is_empty_at_the_latest_format(store: Store) -> None:
    assert store.load() == Inventory()
    assert sqlite3.connect(store.path).execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert len(store.inventory_id) == 32


def test_every_field_survives_a_round_trip(tmp_path: Path, store: Store) -> None:
    inv = full_inventory()
    store.save(everything(inv), MemorySecretStore(), {})
    store.close()
    reopened = Store.open(tmp_path)
    try:
        assert reopened.load() == inv
    finally:
        reopened.close()


def test_deleting_rows(store: Store) -> None:
    inv = full_inventory()
    store.save(everything(inv), MemorySecretStore(), {})
    store.save(ChangeSet(channels={"ch2": None}), MemorySecretStore(), {})
    loaded = store.load()
    assert set(loaded.channels) == {"ch1"}
    assert set(loaded.companies) == {"c1", "c2"}


def test_a_row_pointing_at_nothing_is_refused_whole(
    store: Store, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("core.storage", r"FOREIGN KEY constraint failed")
    inv = full_inventory()
    store.save(everything(inv), MemorySecretStore(), {})
    with pytest.raises(StoreError, match="contradict"):
        # Removing a company that still has channels would leave them orphaned.
        store.save(
            ChangeSet(companies={"c2": None}, channels={"ch1": None}), MemorySecretStore(), {}
        )
    assert store.load() == inv  # neither row went


def test_a_second_copy_is_locked_out_and_may_read(tmp_path: Path, store: Store) -> None:
    store.save(everything(full_inventory()), MemorySecretStore(), {})
    with pytest.raises(StoreLockedError, match="Another SP Connect window"):
        Store.open(tmp_path)
    reader = Store.open(tmp_path, read_only=True)
    try:
        assert reader.load() == full_inventory()
        with pytest.raises(ReadOnlyError):
            reader.save(ChangeSet(companies={"c9": company("c9")}), MemorySecretStore(), {})
    finally:
        reader.close()


def test_the_lock_goes_with_the_store(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    again = Store.open(tmp_path)  # no StoreLockedError once the first copy closed
    try:
        assert not again.read_only
    finally:
        again.close()


def test_a_damaged_file_is_reported_with_the_backups(
    tmp_path: Path, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("core.storage", r"file is not a database")
    s = Store.open(tmp_path)
    s.save(everything(full_inventory()), MemorySecretStore(), {})
    backup = s.backup("manual")
    s.close()
    (tmp_path / DB_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(CorruptStoreError) as caught:
        Store.open(tmp_path)
    assert caught.value.backups == (str(backup),)
    assert "damaged" in caught.value.message
    assert "Restore the newest backup" in caught.value.next_step


def test_restoring_a_backup_keeps_the_damaged_file_aside(tmp_path: Path) -> None:
    s = Store.open(tmp_path)
    s.save(everything(full_inventory()), MemorySecretStore(), {})
    backup = s.backup("manual")
    s.close()
    (tmp_path / DB_NAME).write_bytes(b"garbage" * 100)
    aside = restore_backup(tmp_path, backup)
    assert aside.read_bytes() == b"garbage" * 100
    s = Store.open(tmp_path)
    try:
        assert s.load() == full_inventory()
    finally:
        s.close()


def test_a_newer_format_is_refused_and_left_untouched(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    path = tmp_path / DB_NAME
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerStoreError, match="newer version"):
        Store.open(tmp_path)
    assert path.read_bytes() == before


def test_the_first_save_of_the_day_makes_one_backup(tmp_path: Path, store: Store) -> None:
    store.save(ChangeSet(companies={"c1": company()}), MemorySecretStore(), {})
    assert list_backups(tmp_path) == []  # nothing worth keeping before the first save
    store.save(ChangeSet(companies={"c2": company("c2", "B")}), MemorySecretStore(), {})
    assert len(list_backups(tmp_path)) == 1
    store.save(ChangeSet(companies={"c3": company("c3", "C")}), MemorySecretStore(), {})
    assert len(list_backups(tmp_path)) == 1


def test_only_the_newest_backups_are_kept(store: Store, tmp_path: Path) -> None:
    store.save(ChangeSet(companies={"c1": company()}), MemorySecretStore(), {})
    made = [store.backup("manual") for _ in range(KEEP_BACKUPS + 3)]
    kept = list_backups(tmp_path)
    assert kept == sorted(made[-KEEP_BACKUPS:], reverse=True)


def test_secrets_are_in_the_keychain_and_only_their_names_in_the_file(store: Store) -> None:
    secrets = MemorySecretStore()
    inv = full_inventory()
    values = {ref: Secret(f"Atzr|value-for-{i}-XYZZY") for i, ref in enumerate(inv.secret_refs())}
    store.save(everything(inv), secrets, values)
    assert secrets.names() == frozenset(values)
    assert store.journal() == {}
    files = [p for p in store.data_dir.rglob("*") if p.is_file()]
    assert files
    assert all(b"XYZZY" not in p.read_bytes() for p in files)


def test_a_failing_keychain_changes_nothing(store: Store) -> None:
    class Broken(MemorySecretStore):
        calls = 0

        def set(self, name: str, value: Secret) -> None:
            self.calls += 1
            if self.calls == 2:
                raise SecretStoreError("The keychain refused.", "Unlock it.")
            super().set(name, value)

    secrets = Broken()
    inv = full_inventory()
    values = {ref: Secret("x") for ref in inv.secret_refs()}
    with pytest.raises(SecretStoreError):
        store.save(everything(inv), secrets, values)
    assert store.load() == Inventory()
    assert secrets.names() == frozenset()  # the one entry written was taken back
    assert store.journal() == {}


def test_entries_left_by_a_crash_are_removed_at_next_start(store: Store) -> None:
    secrets = MemorySecretStore()
    inv = full_inventory()
    values = {ref: Secret("v") for ref in inv.secret_refs()}
    store.save(everything(inv), secrets, values)
    # What a crash between the keychain write and the commit leaves: a journalled stray entry.
    store._journal(["ns/stray/1"], "intended")
    secrets.set("ns/stray/1", Secret("orphan"))
    assert store.collect_orphans(secrets) == 1
    assert secrets.names() == frozenset(values)
    assert store.journal() == {}


def test_superseded_entries_no_backup_points_at_are_deleted_after_the_commit(
    store: Store,
) -> None:
    secrets = MemorySecretStore()
    inv = full_inventory()
    old = inv.app.client_secret_ref
    assert old is not None
    # No company yet, so no daily backup that would point at the old entry (see test_restore).
    store.save(ChangeSet(app=inv.app), secrets, {old: Secret("v")})
    app = replace(inv.app, client_secret_ref="ns/client-secret/app/2")
    store.save(
        ChangeSet(app=app), secrets, {"ns/client-secret/app/2": Secret("new")}, superseded=[old]
    )
    assert list_backups(store.data_dir) == []
    assert old not in secrets.names()
    assert "ns/client-secret/app/2" in secrets.names()
    assert store.journal() == {}
    assert store.load().app.client_secret_ref == "ns/client-secret/app/2"


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot write to its data folder"):
        Store.open(blocker / "inside")


def test_a_migration_backs_up_first_and_keeps_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import core.storage.opening

    s = Store.open(tmp_path)
    s.save(everything(full_inventory()), MemorySecretStore(), {})
    s.close()
    newer = (*core.storage.opening.MIGRATIONS, "CREATE TABLE notes (id TEXT PRIMARY KEY) STRICT;")
    monkeypatch.setattr(core.storage.opening, "MIGRATIONS", newer)
    monkeypatch.setattr(core.storage.opening, "LATEST", len(newer))
    s = Store.open(tmp_path)
    try:
        assert s.load() == full_inventory()
        assert s._query("SELECT count(*) FROM notes") == [(0,)]
    finally:
        s.close()
    (backup,) = list_backups(tmp_path)
    assert backup.name.endswith(f"before-format-{len(newer)}.sqlite3")
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone() == (LATEST,)
    old.close()


def test_a_failed_migration_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("core.storage", rf"migration to format {LATEST + 1} failed")
    import core.storage.opening

    s = Store.open(tmp_path)
    s.save(everything(full_inventory()), MemorySecretStore(), {})
    s.close()
    broken = (*core.storage.opening.MIGRATIONS, "CREATE TABLE notes (id TEXT); THIS IS NOT SQL;")
    monkeypatch.setattr(core.storage.opening, "MIGRATIONS", broken)
    monkeypatch.setattr(core.storage.opening, "LATEST", len(broken))
    with pytest.raises(StoreError, match="could not be upgraded") as caught:
        Store.open(tmp_path)
    assert not isinstance(caught.value, CorruptStoreError)
    monkeypatch.undo()
    s = Store.open(tmp_path)
    try:
        assert s.load() == full_inventory()
        assert s._query("SELECT name FROM sqlite_master WHERE name = 'notes'") == []
    finally:
        s.close()


def test_records_made_for_loading_are_those_the_constructors_make() -> None:
    inv = full_inventory()
    samples = [
        *inv.channels.values(),
        *inv.authorizations.values(),
        *(c.health for c in inv.channels.values()),
    ]
    for record in samples:
        kind = type(record)
        values = [getattr(record, f.name) for f in dataclasses.fields(record)]
        made = record_maker(kind)(*values)
        assert type(made) is kind
        assert made == kind(*values)
        assert hash(made) == hash(kind(*values))
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(made, dataclasses.fields(made)[0].name, None)


def test_a_record_that_checks_itself_is_made_by_its_own_constructor() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    with pytest.raises(ValueError, match="negative"):
        record_maker(Checked)(-1)
