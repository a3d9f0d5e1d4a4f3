"""Restoring a backup: only with the inventory closed everywhere, nothing overwritten, the
sellers to reauthorize named, and the keychain entries a kept backup points at kept."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from core.domain.errors import StoreLockedError
from core.domain.inventory import Inventory
from core.domain.secret import Secret
from core.services.backups import restore
from core.storage.backups import DB_NAME, KEEP_BACKUPS, list_backups
from core.storage.keychain import MemorySecretStore
from core.storage.store import ChangeSet, Store
from tests.core.factories import SELLER, authorization, full_inventory
from tests.leaks import ExpectedWarnings

NEW_REF = "ns/refresh-token/a2/r2"


def everything(inv: Inventory) -> ChangeSet:
    return ChangeSet(
        companies=dict(inv.companies),
        channels=dict(inv.channels),
        authorizations=dict(inv.authorizations),
        app=inv.app,
    )


@pytest.fixture
def secrets() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture
def store(tmp_path: Path, secrets: MemorySecretStore) -> Iterator[Store]:
    """An inventory saved with its secrets, then backed up."""
    s = Store.open(tmp_path)
    inv = full_inventory()
    s.save(everything(inv), secrets, {ref: Secret(f"value of {ref}") for ref in inv.secret_refs()})
    s.backup("manual")
    yield s
    s.close()


def reauthorize_since_backup(store: Store, secrets: MemorySecretStore) -> str:
    """Save a new grant for the seller of both channels; returns the refresh token it replaced."""
    inv = store.load()
    old = inv.authorizations["a1"].refresh_token_ref
    assert old is not None
    grant = authorization("a2", ref=NEW_REF, previous_id="a1")
    channels = {i: replace(c, authorization_id="a2") for i, c in inv.channels.items()}
    # The grant it replaces stays as history, its token superseded (no row points at it).
    history = replace(inv.authorizations["a1"], refresh_token_ref=None)
    changes = ChangeSet(authorizations={"a2": grant, "a1": history}, channels=channels, base=inv)
    store.save(changes, secrets, {NEW_REF: Secret("the newer token")}, superseded=[old])
    return old


def test_restore_is_refused_while_another_copy_has_the_inventory_open(store: Store) -> None:
    before = store.load()
    with pytest.raises(StoreLockedError) as caught:
        restore(list_backups(store.data_dir)[0])
    assert "close" in caught.value.next_step.lower()
    assert list(store.data_dir.glob("inventory.aside-*")) == []
    assert store.load() == before  # the open copy's file was left alone


def test_two_restores_in_a_row_keep_both_files_aside(store: Store) -> None:
    store.close()
    backup = list_backups(store.data_dir)[0]
    restore(backup)
    restore(backup)  # within the same second: the first file kept aside must survive
    assert len(list(store.data_dir.glob("inventory.aside-*.sqlite3"))) == 2


def test_superseded_entries_stay_while_a_kept_backup_points_at_them(
    store: Store, secrets: MemorySecretStore
) -> None:
    old = reauthorize_since_backup(store, secrets)
    assert secrets.get(old) is not None  # the backup still points at it
    assert store.journal() == {old: "superseded"}
    assert store.collect_orphans(secrets) == 0
    assert secrets.get(old) is not None
    # Once every backup that pointed at it has been pruned, the next clean-up removes it.
    for _ in range(KEEP_BACKUPS):
        store.backup("manual")
    assert store.collect_orphans(secrets) == 1
    assert secrets.get(old) is None
    assert store.journal() == {}


def test_a_restore_names_the_sellers_to_reauthorize_and_the_keychain_follows(
    store: Store, secrets: MemorySecretStore, tmp_path: Path
) -> None:
    old = reauthorize_since_backup(store, secrets)
    store.close()
    backup = list_backups(tmp_path)[-1]  # the manual one, before the new grant
    restored = restore(backup)
    assert restored.aside.exists()
    (line,) = restored.reauthorize
    assert "Acme Store" in line
    assert SELLER in line
    assert "Acme US" in line
    assert "Acme CA" in line
    assert "saved after the backup" in restored.message
    assert "Reauthorize" in restored.next_step
    # Reopened: the rows point at the older token again, which was kept for this; the newer
    # one no kept backup points at is removed like any orphan.
    reopened = Store.open(tmp_path)
    try:
        reopened.collect_orphans(secrets)
        assert reopened.load().authorizations["a1"].refresh_token_ref == old
        assert secrets.get(old) == Secret(f"value of {old}")
        # No kept backup points at the newer one (the daily backup was made before its Save).
        assert secrets.get(NEW_REF) is None
        assert reopened.journal() == {}
    finally:
        reopened.close()


def test_restoring_over_a_damaged_file_says_what_it_cannot_tell(store: Store) -> None:
    store.close()
    (store.data_dir / DB_NAME).write_bytes(b"garbage " * 500)
    restored = restore(list_backups(store.data_dir)[0])
    assert restored.reauthorize == ()
    assert "could not be read" in restored.message
    assert "Test connection" in restored.next_step


def test_a_backup_that_cannot_be_read_keeps_every_superseded_entry(
    store: Store, secrets: MemorySecretStore, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("core.storage", r"a backup could not be read")
    old = reauthorize_since_backup(store, secrets)
    for _ in range(KEEP_BACKUPS):
        store.backup("manual")  # none of these points at the old token
    list_backups(store.data_dir)[0].write_bytes(b"unreadable " * 500)
    assert store.collect_orphans(secrets) == 0  # it might have pointed at it
    assert secrets.get(old) is not None
    assert store.journal() == {old: "superseded"}
