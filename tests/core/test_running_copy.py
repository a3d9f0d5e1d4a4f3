"""The address a running copy answers at: one per person and per data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.services.running_copy import PREFIX, copy_address

NO_RUNTIME: dict[str, str] = {}


def test_one_folder_reached_two_ways_has_one_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "inventory"
    folder.mkdir()
    (tmp_path / "link").symlink_to(folder)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPCONNECT_DATA_DIR", str(folder))

    addresses = {
        copy_address(folder, env=NO_RUNTIME),
        copy_address(tmp_path / "link", env=NO_RUNTIME),
        copy_address("inventory", env=NO_RUNTIME),
        copy_address(tmp_path / "inventory" / ".." / "inventory", env=NO_RUNTIME),
        copy_address(None, env=NO_RUNTIME),  # $SPCONNECT_DATA_DIR, as the app opens it
    }

    assert len(addresses) == 1


def test_two_folders_have_two_addresses(tmp_path: Path) -> None:
    assert copy_address(tmp_path / "a", env=NO_RUNTIME) != copy_address(
        tmp_path / "b", env=NO_RUNTIME
    )


def test_two_people_on_one_folder_have_two_addresses(tmp_path: Path) -> None:
    mine = copy_address(tmp_path, user="uid:1000", env=NO_RUNTIME)
    theirs = copy_address(tmp_path, user="uid:1001", env=NO_RUNTIME)

    assert mine != theirs
    assert copy_address(tmp_path, env=NO_RUNTIME) == copy_address(
        tmp_path, user=f"uid:{os.getuid()}", env=NO_RUNTIME
    )


def test_the_address_is_in_the_private_runtime_folder_when_there_is_one(tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)

    inside = copy_address(tmp_path / "inventory", env={"XDG_RUNTIME_DIR": str(runtime)})
    bare = copy_address(tmp_path / "inventory", env=NO_RUNTIME)
    missing = copy_address(tmp_path / "inventory", env={"XDG_RUNTIME_DIR": str(tmp_path / "x")})

    assert Path(inside).parent == runtime
    assert Path(inside).name == bare
    assert bare.startswith(PREFIX)
    assert "/" not in bare
    assert missing == bare


def test_a_runtime_folder_too_long_for_a_socket_leaves_the_bare_name(tmp_path: Path) -> None:
    runtime = tmp_path / ("r" * 120)
    runtime.mkdir()

    address = copy_address(tmp_path, env={"XDG_RUNTIME_DIR": str(runtime)})

    assert address.startswith(PREFIX)
