"""Shipped files load through one helper, from a checkout and from a PyInstaller bundle.

The bundle is simulated as PyInstaller lays it out: a folder holding ``resources/`` named by
``sys._MEIPASS`` (the interpreter attribute the bootloader sets, not our code).
"""

from __future__ import annotations

import re
import shutil
import struct
import sys
from pathlib import Path

import pytest

from core.services import desktop
from core.storage.resources import resource_path, resources_dir

ROOT = Path(__file__).resolve().parents[2]
SOURCE_RESOURCES = ROOT / "resources"


def _shipped_names(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_every_shipped_file_is_found_from_source() -> None:
    names = _shipped_names(SOURCE_RESOURCES)
    # The hand-off page, the drawing and one PNG per launcher size at least.
    assert {"handoff.html", desktop.ICON_SVG} <= set(names)
    assert len(names) >= 2 + len(desktop.ICON_SIZES)
    assert resources_dir() == SOURCE_RESOURCES
    for name in names:
        assert resource_path(name) == SOURCE_RESOURCES / name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "../pyproject.toml",
        "icons/../../main.py",
        "icons/../handoff.html",
        "..\\main.py",
        "icons\\..\\..\\main.py",
        "/etc/passwd",
        "C:/Windows/win.ini",
        "c:handoff.html",
    ],
)
def test_names_that_climb_out_or_are_absolute_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a resource name"):
        resource_path(name)


def test_a_missing_resource_says_which_and_where() -> None:
    with pytest.raises(FileNotFoundError, match=r"'icons/nothing\.png' is missing"):
        resource_path("icons/nothing.png")


def test_a_folder_is_not_a_resource() -> None:
    with pytest.raises(FileNotFoundError):
        resource_path("icons")


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of resources/ where a PyInstaller bundle has it, with ``sys._MEIPASS`` set."""
    shutil.copytree(SOURCE_RESOURCES, tmp_path / "resources")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    return tmp_path / "resources"


def test_every_shipped_file_is_found_in_a_bundle(bundle: Path) -> None:
    names = _shipped_names(bundle)
    assert names == _shipped_names(SOURCE_RESOURCES)
    assert resources_dir() == bundle
    for name in names:
        assert resource_path(name) == bundle / name


def test_a_bundle_never_falls_back_to_the_checkout(bundle: Path) -> None:
    (bundle / "handoff.html").unlink()
    with pytest.raises(FileNotFoundError, match=r"handoff\.html"):
        resource_path("handoff.html")


def test_the_icon_files_are_every_launcher_size(bundle: Path) -> None:
    files = desktop.icon_files()
    assert [size for size, _ in files] == list(desktop.ICON_SIZES)
    for size, path in files:
        assert path.is_relative_to(bundle)
        assert path.name == f"{desktop.APP_ID}.png"
        assert path.parent.as_posix().endswith(f"hicolor/{size}x{size}/apps")
        assert _png_size(path) == (size, size)


def test_a_missing_icon_size_is_an_error_not_a_smaller_icon(bundle: Path) -> None:
    (bundle / desktop.icon_resource(48)).unlink()
    with pytest.raises(FileNotFoundError, match="48x48"):
        desktop.icon_files()


#: Modules allowed to use ``__file__``, with why. Anything else finding files next to its own
#: source would break in a bundle, where resources live under ``sys._MEIPASS``.
FILE_USERS = {
    "core/storage/resources.py": "the resource helper itself",
    "gui/app.py": "restarts main.py for the demo from a checkout (frozen: the executable)",
}


def test_only_the_resource_helper_finds_files_by_its_own_location() -> None:
    sources = [ROOT / "main.py", *(ROOT / "core").rglob("*.py"), *(ROOT / "gui").rglob("*.py")]
    users = {
        path.relative_to(ROOT).as_posix()
        for path in sources
        if re.search(r"\b__file__\b", path.read_text(encoding="utf-8"))
    }
    assert users <= set(FILE_USERS), (
        f"{sorted(users - set(FILE_USERS))} use __file__: load shipped files through "
        "core/storage/resources.py (resource_path), which also works in the bundle"
    )
