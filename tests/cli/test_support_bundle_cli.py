"""``main.py support-bundle --out FILE``: the bundle without a window, exit 0 or 1, no secret."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import main
from core.services.support_bundle.contents import MEMBERS

ROOT = Path(__file__).resolve().parents[2]
#: Every shape a demo secret has: refresh/access tokens, the client secret, MWS tokens.
SECRET_SHAPES = re.compile(r"Atz[ar]\||amzn1\.oa2-cs\.|amzn\.mws\.[0-9a-f]")


@pytest.fixture(autouse=True)
def _log_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "log"
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(folder))
    return folder


def test_the_demo_s_bundle_has_every_member_and_no_secret(tmp_path: Path) -> None:
    out = tmp_path / "support.zip"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}

    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--demo", "support-bundle", "--out", str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"Support bundle written to {out}. Attach this file to your support ticket.\n"
    )
    assert done.stderr == ""
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == list(MEMBERS)
        content = {n: archive.read(n).decode("utf-8") for n in archive.namelist()}
    assert json.loads(content["inventory.json"])["format"] == "spconnect-inventory"
    about = json.loads(content["about.json"])
    assert about["inventory"]["channels"] == 25
    assert about["keychain"]["in_use"] == "memory only (demo)"
    assert about["created_by"] == "the command line (main.py support-bundle)"
    assert about["qt"] == "not loaded (no window)"
    for text in (done.stdout, done.stderr, *content.values()):
        assert not SECRET_SHAPES.search(text)
    # The demo cleaned up its data; the log folder is what every start writes (_log_in_tmp).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log", "support.zip"]


def test_no_inventory_yet_still_gives_a_bundle_that_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "support.zip"
    empty = tmp_path / "no-data-yet"

    code = main.main(["--data-dir", str(empty), "support-bundle", "--out", str(out)])

    text = capsys.readouterr().out
    assert code == 0
    assert f"It holds no inventory: there is no inventory in {empty} yet" in text
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["README.txt", "log.txt", "about.json"]
    assert not empty.exists()  # a bundle creates no inventory


def test_a_place_that_cannot_take_the_file_exits_1_in_plain_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing" / "support.zip"

    code = main.main(["--demo", "support-bundle", "--out", str(out)])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err == (
        f"error: The folder {out.parent} does not exist.\n"
        "Choose another folder for the bundle, or create this one first.\n"
    )
    assert not out.parent.exists()
