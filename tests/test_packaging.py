"""The launcher entry, the metainfo, the icons and the install script (packaging/).

The bundle itself is built and checked by ``packaging/build``, not here: it takes longer than a
test run should. What is checked here is everything that does not need PyInstaller.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from core.services import desktop
from gui.app_icon import app_icon

ROOT = Path(__file__).resolve().parents[1]
LINUX = ROOT / "packaging" / "linux"
DESKTOP_FILE = LINUX / f"{desktop.APP_ID}.desktop"
METAINFO = LINUX / f"{desktop.APP_ID}.metainfo.xml"
SPEC = ROOT / "packaging" / "sp-connect.spec"
INSTALL = LINUX / "install"

validators = pytest.mark.desktop_validators


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install desktop-file-utils appstream)")
    return path


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def _metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()  # noqa: S314 (our own committed file)


def _pyproject_version() -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


def _icons_tool() -> ModuleType:
    """packaging/icons.py, loaded by path (packaging/ is not a package, see its docstring)."""
    spec = importlib.util.spec_from_file_location("sp_connect_icons", ROOT / "packaging/icons.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- validators ---------------------------------------------------------------------------------


@validators
def test_the_desktop_file_passes_desktop_file_validate() -> None:
    done = subprocess.run(
        [_tool("desktop-file-validate"), str(DESKTOP_FILE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "", done.stdout  # not even a hint


@validators
def test_the_metainfo_passes_appstreamcli_validate() -> None:
    done = subprocess.run(
        [_tool("appstreamcli"), "validate", "--no-net", "--pedantic", str(METAINFO)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


# --- one id everywhere --------------------------------------------------------------------------


def test_the_id_is_the_same_everywhere() -> None:
    app_id = desktop.APP_ID
    assert re.fullmatch(r"[a-z]+(\.[a-z0-9]+)+\.[A-Za-z][A-Za-z0-9]*", app_id)
    entry = _desktop_entry(DESKTOP_FILE)
    assert entry["Icon"] == app_id
    root = _metainfo()
    assert root.findtext("id") == app_id
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP_FILE.name
    assert root.findtext("icon[@type='stock']") == app_id
    spec_ids = re.findall(r'^APP_ID = "([^"]+)"', SPEC.read_text(encoding="utf-8"), re.M)
    assert spec_ids == [app_id]
    install_ids = re.findall(r"^ID=(\S+)", INSTALL.read_text(encoding="utf-8"), re.M)
    assert install_ids == [app_id]


def test_the_window_tells_the_desktop_the_same_id() -> None:
    """gui/app.py gives Qt ``desktop.APP_ID`` as the desktop file name (Wayland's app id)."""
    tree = ast.parse((ROOT / "gui" / "app.py").read_text(encoding="utf-8"))
    arguments = [
        ast.unparse(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "setDesktopFileName"
    ]
    assert arguments == ["desktop.APP_ID"]


def test_the_launcher_runs_the_app_and_offers_the_demo() -> None:
    entry = _desktop_entry(DESKTOP_FILE)
    assert entry["Exec"] == "sp-connect"  # packaging/linux/install writes the full path
    assert entry["Terminal"] == "false"
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.read(DESKTOP_FILE, encoding="utf-8")
    assert parser["Desktop Action demo"]["Exec"] == "sp-connect --demo"


# --- the metainfo -------------------------------------------------------------------------------


def test_the_newest_release_is_the_version_in_pyproject() -> None:
    releases = _metainfo().findall("releases/release")
    assert releases, "the metainfo has no <release>"
    assert releases[0].get("version") == _pyproject_version()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", releases[0].get("date", ""))
    assert releases[0].find("description/p") is not None, "a release says what changed"


def test_the_metainfo_screenshot_is_the_committed_one() -> None:
    image = _metainfo().find("screenshots/screenshot[@type='default']/image")
    assert image is not None
    assert image.text is not None
    url = image.text.strip()
    assert url.startswith("https://")
    committed = ROOT / "packaging" / "linux" / "screenshots" / "main-window.png"
    assert url.endswith("/" + committed.relative_to(ROOT).as_posix())
    picture = QImage(str(committed))
    assert not picture.isNull()
    assert (picture.width(), picture.height()) == (int(image.get("width", 0)),
                                                   int(image.get("height", 0)))  # fmt: skip


def test_the_metainfo_has_a_content_rating_and_a_plain_description() -> None:
    root = _metainfo()
    assert root.find("content_rating[@type='oars-1.1']") is not None
    words = " ".join(root.find("description").itertext())  # type: ignore[union-attr]
    assert "Amazon" in words
    assert "keychain" in words
    assert not re.search(r"\b(LWA|OAuth|refresh token|API)\b", words), "plain words for sellers"


# --- icons --------------------------------------------------------------------------------------


def test_the_committed_pngs_are_the_svg_rendered(qapp: QApplication) -> None:
    icons = _icons_tool()
    for size, path in desktop.icon_files():
        committed = QImage(str(path)).convertToFormat(QImage.Format.Format_ARGB32)
        rendered = QImage.fromData(icons.render_png(size)).convertToFormat(
            QImage.Format.Format_ARGB32
        )
        assert (committed.width(), committed.height()) == (size, size)
        assert committed.size() == rendered.size()
        # Exact with the pinned Qt; a small tolerance survives a renderer's rounding change.
        worst = max(
            max(abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF)) for shift in (0, 8, 16, 24))
            for y in range(size)
            for x in range(size)
            for a, b in [(committed.pixel(x, y), rendered.pixel(x, y))]
        )
        assert worst <= 8, (
            f"{path.name} at {size} px differs from the SVG by {worst}: run "
            "python packaging/icons.py pngs"
        )


def test_the_window_icon_has_every_launcher_size(qapp: QApplication) -> None:
    icon = app_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == list(desktop.ICON_SIZES)
    assert not icon.pixmap(QSize(16, 16)).isNull()


def test_the_windows_icon_holds_each_size_as_png(qapp: QApplication) -> None:
    icons = _icons_tool()
    pngs = {size: icons.render_png(size) for size in icons.ICO_SIZES}
    data = icons.ico_bytes(pngs)
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(icons.ICO_SIZES))
    seen = []
    for index in range(count):
        width, height, _, _, planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index : 22 + 16 * index]
        )
        side = width or 256
        assert (height or 256) == side
        assert (planes, bits) == (1, 32)
        assert icons.png_size(data[offset : offset + length]) == (side, side)
        seen.append(side)
    assert seen == sorted(icons.ICO_SIZES)
    with pytest.raises(ValueError, match="1 to 256"):
        icons.ico_bytes({512: pngs[256]})


def test_the_macos_icon_family_holds_each_type(qapp: QApplication) -> None:
    icons = _icons_tool()
    pngs = {size: icons.render_png(size) for size in (16, 32, 128)}
    data = icons.icns_bytes(pngs)
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    found, at = {}, 8
    while at < len(data):
        kind, length = data[at : at + 4].decode(), struct.unpack(">I", data[at + 4 : at + 8])[0]
        found[kind] = icons.png_size(data[at + 8 : at + length])
        at += length
    assert at == len(data)
    assert found == {"icp4": (16, 16), "icp5": (32, 32), "ic11": (32, 32), "ic07": (128, 128)}


# --- install ------------------------------------------------------------------------------------


@pytest.fixture
def fake_bundle(tmp_path: Path) -> Path:
    """A folder shaped like dist/sp-connect whose executable only prints its arguments."""
    folder = tmp_path / "dist" / "sp-connect"
    (folder / "_internal").mkdir(parents=True)
    exe = folder / "sp-connect"
    exe.write_text('#!/bin/sh\necho "fake sp-connect $*"\n', encoding="utf-8")
    exe.chmod(0o755)
    return folder


def _install(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
    return subprocess.run(
        ["bash", str(INSTALL), *args], capture_output=True, text=True, env=env, check=False
    )


@validators
def test_install_puts_everything_where_the_desktop_looks_and_uninstall_removes_it(
    tmp_path: Path, fake_bundle: Path
) -> None:
    prefix = tmp_path / "home dir" / ".local"  # a space, as in many real home folders
    done = _install("--prefix", str(prefix), "--bundle", str(fake_bundle))
    assert done.returncode == 0, done.stdout + done.stderr
    app_id = desktop.APP_ID
    installed = prefix / "share" / "applications" / f"{app_id}.desktop"
    entry = _desktop_entry(installed)
    exe = prefix / "lib" / "sp-connect" / "sp-connect"
    assert entry["Exec"] == f'"{exe}"'
    validator = _tool("desktop-file-validate")
    validated = subprocess.run([validator, str(installed)], capture_output=True, text=True)
    assert validated.returncode == 0, validated.stdout
    link = prefix / "bin" / "sp-connect"
    linked = subprocess.run([str(link), "--version"], capture_output=True, text=True, check=True)
    assert linked.stdout == "fake sp-connect --version\n"
    assert (prefix / "share" / "metainfo" / f"{app_id}.metainfo.xml").is_file()
    hicolor = prefix / "share" / "icons" / "hicolor"
    for size in desktop.ICON_SIZES:
        assert (hicolor / f"{size}x{size}" / "apps" / f"{app_id}.png").is_file()
    assert (hicolor / "scalable" / "apps" / f"{app_id}.svg").is_file()
    assert not (hicolor / "icon-theme.cache").exists(), "no cache of ours to go stale"

    done = _install("--prefix", str(prefix), "--uninstall")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p for p in prefix.rglob("*") if not p.is_dir()] == []


def test_install_without_a_bundle_says_to_build_first(tmp_path: Path) -> None:
    done = _install("--prefix", str(tmp_path), "--bundle", str(tmp_path / "nothing"))
    assert done.returncode == 1
    assert "build it first with packaging/build" in done.stderr
    assert not (tmp_path / "lib").exists()


@pytest.mark.parametrize("script", ["packaging/build", "packaging/linux/install"])
def test_the_scripts_are_executable_bash(script: str) -> None:
    path = ROOT / script
    assert os.access(path, os.X_OK)
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# --- the windowed Windows build -----------------------------------------------------------------


def test_a_command_runs_without_standard_streams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A windowed Windows bundle starts with sys.stdout and sys.stderr None (sp-connect.spec).

    The command still runs and its exit code still counts; what it prints goes nowhere.
    """
    import main

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the demo's data folder
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    try:
        assert main.main(["--demo", "plan", "--json"]) == 0  # json.dump writes to stdout
        assert main.main(["--data-dir", str(tmp_path), "plan"]) == 1  # no inventory there
        assert sys.stdout.name == os.devnull
        assert sys.stderr.name == os.devnull
    finally:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.close()
