"""The data folder is the person's alone: folder 0700, every file 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.domain.secret import Secret
from core.services.backups import restore
from core.storage.backups import DB_NAME
from core.storage.files import write_whole
from core.storage.keychain import MemorySecretStore
from core.storage.store import ChangeSet, Store
from tests.core.factories import company, full_inventory

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def modes(folder: Path) -> dict[str, int]:
    """Every path under ``folder`` (and itself) with its permission bits."""
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = stat.S_IMODE(path.stat().st_mode)
    return found


def assert_private(folder: Path) -> None:
    found = modes(folder)
    wrong = {
        name: oct(mode)
        for name, mode in found.items()
        if mode != (0o700 if (folder / name).is_dir() else 0o600)
    }
    assert wrong == {}


def test_every_file_is_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    data = tmp_path / "data"
    inv = full_inventory()
    secrets = MemorySecretStore()
    store = Store.open(data)
    try:
        store.save(
            ChangeSet(
                companies=dict(inv.companies),
                channels=dict(inv.channels),
                authorizations=dict(inv.authorizations),
                app=inv.app,
            ),
            secrets,
            {ref: Secret("v") for ref in inv.secret_refs()},
        )
        store.save(ChangeSet(companies={"c9": company("c9", "Later")}), secrets, {})  # a backup
        backup = store.backup("manual")
        names = set(modes(data))
        assert {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", "inventory.lock", "backups"} <= names
        assert len([n for n in names if n.startswith("backups/")]) == 2
        assert_private(data)
    finally:
        store.close()
    restore(backup)
    restore(backup)
    assert len([n for n in modes(data) if n.startswith("inventory.aside-")]) == 2
    assert_private(data)


def test_an_existing_folder_made_by_an_older_version_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store.open(data).close()
    data.chmod(0o755)
    for path in data.iterdir():
        path.chmod(0o644)
    Store.open(data).close()
    assert_private(data)


def test_a_whole_write_replaces_the_file_privately_or_leaves_it_as_it_was(tmp_path: Path) -> None:
    """Exports and support bundles: the earlier file or the new one, never half or a leftover."""
    target = tmp_path / "inventory.json"
    target.write_bytes(b"earlier")
    write_whole(target, b"new")
    assert target.read_bytes() == b"new"
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600

    # The write fails after the temporary file exists (text, not bytes): it must go again.
    with pytest.raises(TypeError):
        write_whole(target, "text, not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.json"]
