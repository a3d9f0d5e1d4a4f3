"""``main.py --self-test`` as a separate process: offscreen, and in a real X server (xvfb)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def run_main(
    tmp_path: Path, *args: str, platform: str = "offscreen"
) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=platform,
        XDG_CONFIG_HOME=str(tmp_path / "config"),  # QSettings never touch the real config
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        TMPDIR=str(tmp_path),
    )
    env.pop("SPCONNECT_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=tmp_path,
    )


def distinct_colours(path: Path) -> int:
    image = QImage(str(path))
    assert not image.isNull()
    step = 7
    return len(
        {
            image.pixel(x, y)
            for x in range(0, image.width(), step)
            for y in range(0, image.height(), step)
        }
    )


def test_self_test_on_the_demo_offscreen(tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    run = run_main(tmp_path, "--demo", "--self-test", "--screenshot", str(shot))
    assert run.returncode == 0, run.stderr
    assert "self-test: first paint" in run.stdout
    assert "self-test: ready (25 channels)" in run.stdout
    assert distinct_colours(shot) > 20
    assert not list(tmp_path.glob("spconnect-demo-*")), "the demo's folder was left behind"
    assert not (tmp_path / "config" / "SP Connect").exists()  # a self-test writes no settings


def test_self_test_on_an_empty_folder_shows_the_welcome_view(tmp_path: Path) -> None:
    run = run_main(tmp_path, "--data-dir", str(tmp_path / "fresh"), "--self-test")
    assert run.returncode == 0, run.stderr
    assert "self-test: ready (0 channels)" in run.stdout
    assert (tmp_path / "fresh" / "inventory.sqlite3").exists()


def test_self_test_fails_with_the_reason(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "inventory.sqlite3").write_bytes(b"not a database at all" * 50)
    run = run_main(tmp_path, "--data-dir", str(folder), "--self-test")
    assert run.returncode != 0
    assert "self-test failed" in run.stderr
    assert "damaged" in run.stderr


@pytest.mark.xvfb
def test_self_test_screenshot_in_a_real_x_server(tmp_path: Path) -> None:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs an X server: scripts/test runs this under xvfb-run")
    shot = tmp_path / "xvfb.png"
    run = run_main(tmp_path, "--demo", "--self-test", "--screenshot", str(shot), platform="xcb")
    assert run.returncode == 0, run.stderr
    assert shot.stat().st_size > 10_000
    image = QImage(str(shot))
    assert image.width() >= 720
    assert image.height() >= 480
    assert distinct_colours(shot) > 20  # not blank: text, badges, banner
