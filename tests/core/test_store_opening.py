"""Why an inventory cannot be opened, said by SQLite's error code: damaged, in use or read-only."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.domain.errors import CorruptStoreError, StoreError, StoreLockedError
from core.services.opening import open_workspace
from core.storage.backups import DB_NAME
from core.storage.keychain import MemorySecretStore
from core.storage.opening import LOCK_NAME
from core.storage.store import Store
from tests.core.factories import version_1_file
from tests.core.read_only import MakeReadOnly, make_read_only
from tests.leaks import ExpectedWarnings

__all__ = ["make_read_only"]


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    """A data folder with an inventory in it, closed."""
    Store.open(tmp_path).close()
    return tmp_path


@pytest.fixture
def other_program(saved: Path) -> Iterator[sqlite3.Connection]:
    """Another program (a database browser, a sync tool) holding the file's write lock."""
    conn = sqlite3.connect(saved / DB_NAME, isolation_level=None)
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("UPDATE meta SET value = value")
    yield conn
    conn.close()


def test_a_file_another_program_holds_is_in_use_not_damaged(
    saved: Path, other_program: sqlite3.Connection
) -> None:
    with pytest.raises(StoreError) as caught:
        Store.open(saved)
    error = caught.value
    assert not isinstance(error, CorruptStoreError)
    assert not isinstance(error, StoreLockedError)  # not another SP Connect: no read-only copy
    assert "another program" in error.message.lower()
    assert str(saved / DB_NAME) in error.message
    assert "close" in error.next_step.lower()
    assert "backup" not in error.next_step


def test_a_read_only_file_says_so_with_its_path(saved: Path, make_read_only: MakeReadOnly) -> None:
    make_read_only(saved / DB_NAME)
    with pytest.raises(StoreError) as caught:
        Store.open(saved)
    error = caught.value
    assert not isinstance(error, CorruptStoreError)
    assert "read-only" in error.message
    assert str(saved / DB_NAME) in error.message
    assert "backup" not in error.next_step


def test_a_read_only_folder_says_so_not_another_window(
    tmp_path: Path, make_read_only: MakeReadOnly
) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    make_read_only(folder)
    with pytest.raises(StoreError) as caught:
        open_workspace(folder, secrets=MemorySecretStore())
    error = caught.value
    assert not isinstance(error, StoreLockedError)
    assert "Another SP Connect window" not in error.message
    assert "read-only" in error.message
    assert str(folder) in error.message


def test_a_read_only_folder_with_an_inventory_names_the_folder(
    saved: Path, make_read_only: MakeReadOnly
) -> None:
    make_read_only(saved)  # the files are writable, but SQLite must create files beside them
    with pytest.raises(StoreError) as caught:
        Store.open(saved)
    error = caught.value
    assert not isinstance(error, (StoreLockedError, CorruptStoreError))
    assert error.message == f"SP Connect cannot write to {saved}: it is read-only."


def test_a_read_only_lock_file_is_not_another_window(
    saved: Path, make_read_only: MakeReadOnly
) -> None:
    make_read_only(saved / LOCK_NAME)
    # A lock taken on a file that cannot be written locks nothing: a second copy would get it
    # too. So it is refused, and said as what it is.
    with pytest.raises(StoreError) as caught:
        Store.open(saved)
    error = caught.value
    assert not isinstance(error, StoreLockedError)
    assert "read-only" in error.message
    assert str(saved / LOCK_NAME) in error.message


def test_a_file_that_is_not_a_database_is_still_damaged(
    saved: Path, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("core.storage", r"file is not a database")
    (saved / DB_NAME).write_bytes(b"not a database at all " * 200)
    with pytest.raises(CorruptStoreError, match="damaged"):
        Store.open(saved)


def test_a_file_of_an_older_format_opens_read_only_and_stays_as_it_was(tmp_path: Path) -> None:
    """A read-only copy (another window has it, `plan`, a backup) of a file saved by an older
    version reads it through an upgraded copy in memory; the file itself is not touched."""
    folder = version_1_file(tmp_path / "old")
    before = (folder / DB_NAME).read_bytes()
    ws = open_workspace(str(folder), read_only=True, keychain=False)
    try:
        assert ws.read_only
        assert ws.current.companies["c1"].name == "From version 1"
        assert ws.store is not None
        assert ws.store.history("company", "c1") == []
    finally:
        ws.close()
    assert (folder / DB_NAME).read_bytes() == before
    with sqlite3.connect(folder / DB_NAME) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
