"""One running copy: real ``main.py`` processes under a real X server (xvfb).

A second start on the same data folder hands over to the running copy and exits 0 with one
plain line, and the running copy's window is raised above others: read from the X server's
own stacking order, not from the app's word. A crash's leftover socket is recovered; two data
folders never hand over to each other. Each test ends every process it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from core.services.running_copy import copy_address
from gui.single_instance import HANDED_OVER
from tests.gui.x11_stacking import X11Display

ROOT = Path(__file__).resolve().parents[2]

#: Generous bounds for a loaded CI machine; every wait ends as soon as its condition holds.
START_MS = 60_000
RUN_S = 60

pytestmark = pytest.mark.xvfb


@pytest.fixture(autouse=True)
def _real_x_server() -> None:
    if not os.environ.get("DISPLAY") or QGuiApplication.platformName() != "xcb":
        pytest.skip("needs a real X server: scripts/test runs this under xvfb-run with xcb")


@pytest.fixture
def runtime_dir() -> Iterator[Path]:
    """A private runtime folder, as ``$XDG_RUNTIME_DIR`` is: short, since a Unix socket's
    path is limited to about 104 bytes and pytest's temporary folders are long."""
    folder = Path(tempfile.mkdtemp(prefix="spc-", dir="/tmp"))
    folder.chmod(0o700)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class Copies:
    """``main.py`` processes of one test, sharing one person's environment."""

    def __init__(self, tmp_path: Path, runtime_dir: Path) -> None:
        self.tmp_path, self.runtime_dir = tmp_path, runtime_dir
        self.started: list[subprocess.Popen[bytes]] = []
        self._files: list[IO[bytes]] = []
        self.env = dict(
            os.environ,
            XDG_RUNTIME_DIR=str(runtime_dir),
            XDG_CONFIG_HOME=str(tmp_path / "config"),  # QSettings never touch the real config
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",  # painting needs no secret
            TMPDIR=str(tmp_path),
        )
        self.env.pop("SPCONNECT_DATA_DIR", None)

    def address(self, folder: Path) -> str:
        return copy_address(folder, env={"XDG_RUNTIME_DIR": str(self.runtime_dir)})

    def start(self, folder: Path) -> subprocess.Popen[bytes]:
        """A window on ``folder``, running until the test ends it (output in files)."""
        n = len(self.started)
        out = (self.tmp_path / f"copy{n}.out").open("wb")
        err = (self.tmp_path / f"copy{n}.err").open("wb")
        self._files += [out, err]
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--data-dir", str(folder)],
            stdout=out,
            stderr=err,
            env=self.env,
            cwd=self.tmp_path,
        )
        self.started.append(process)
        return process

    def stderr(self, process: subprocess.Popen[bytes]) -> str:
        n = self.started.index(process)
        return (self.tmp_path / f"copy{n}.err").read_text(errors="replace")

    def run(self, folder: Path) -> subprocess.CompletedProcess[str]:
        """A start that is expected to end by itself (a hand-over)."""
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--data-dir", str(folder)],
            capture_output=True,
            text=True,
            timeout=RUN_S,
            check=False,
            env=self.env,
            cwd=self.tmp_path,
        )

    def wait_listening(self, qtbot: Any, process: subprocess.Popen[bytes], folder: Path) -> None:
        address = self.address(folder)

        def ready() -> bool:
            assert process.poll() is None, f"the copy ended early: {self.stderr(process)}"
            return accepts(address)

        qtbot.waitUntil(ready, timeout=START_MS)

    def end(self, process: subprocess.Popen[bytes]) -> int:
        """SIGTERM (the app keeps no state a Save has not written), then wait, bounded."""
        if process.poll() is None:
            process.terminate()
        try:
            return process.wait(timeout=RUN_S)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait(timeout=RUN_S)

    def end_all(self) -> None:
        for process in self.started:
            self.end(process)
        for file in self._files:
            file.close()


@pytest.fixture
def copies(tmp_path: Path, runtime_dir: Path) -> Iterator[Copies]:
    started = Copies(tmp_path, runtime_dir)
    yield started
    started.end_all()


def accepts(address: str) -> bool:
    """Whether something listens at ``address`` (a connection made and closed at once)."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(address)
    except OSError:
        return False
    finally:
        probe.close()
    return True


def above(upper: int | None, lower: int | None) -> bool:
    return upper is not None and lower is not None and upper > lower


def test_a_second_start_brings_the_running_window_to_the_front(
    qtbot: Any, copies: Copies, demo_dir: Path
) -> None:
    first = copies.start(demo_dir)
    copies.wait_listening(qtbot, first, demo_dir)
    with X11Display() as x11:

        def theirs() -> int | None:
            found = x11.top_window_of(first.pid)
            return found[0] if found is not None else None

        qtbot.waitUntil(lambda: theirs() is not None, timeout=START_MS)
        # A window of ours, mapped after theirs, covers it (no window manager: plain stacking).
        ours = QWidget()
        ours.setWindowTitle("another program")
        ours.resize(1280, 800)
        qtbot.addWidget(ours)
        ours.show()
        qtbot.waitExposed(ours)
        our_window = int(ours.winId())
        qtbot.waitUntil(lambda: above(x11.position_of(our_window), theirs()))

        second = copies.run(demo_dir)

        assert second.returncode == 0, second.stderr
        assert second.stderr.strip().splitlines()[-1] == HANDED_OVER
        assert second.stdout == ""
        # The X server's stacking order: the running copy's window is now above ours.
        qtbot.waitUntil(lambda: above(theirs(), x11.position_of(our_window)))
    assert first.poll() is None, "the running copy must keep running"
    assert copies.end(first) == -signal.SIGTERM


def test_a_socket_left_by_a_crash_is_recovered(qtbot: Any, copies: Copies, demo_dir: Path) -> None:
    address = copies.address(demo_dir)
    crashed = copies.start(demo_dir)
    copies.wait_listening(qtbot, crashed, demo_dir)
    crashed.kill()  # SIGKILL: Qt gets no chance to remove its socket
    crashed.wait(timeout=RUN_S)
    assert Path(address).is_socket(), "the crash should have left its socket behind"
    assert not accepts(address)

    again = copies.start(demo_dir)
    copies.wait_listening(qtbot, again, demo_dir)
    handed = copies.run(demo_dir)

    assert handed.returncode == 0, handed.stderr
    assert HANDED_OVER in handed.stderr
    assert again.poll() is None


def test_two_data_folders_do_not_hand_over_to_each_other(
    qtbot: Any, copies: Copies, demo_dir: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other inventory"
    assert copies.address(other) != copies.address(demo_dir)
    first = copies.start(demo_dir)
    copies.wait_listening(qtbot, first, demo_dir)

    # A start on another folder opens a window of its own, listening at its own address.
    second = copies.start(other)
    copies.wait_listening(qtbot, second, other)

    assert first.poll() is None
    assert second.poll() is None
    assert HANDED_OVER not in copies.stderr(second)
    # Each folder's next start reaches its own copy.
    for folder in (demo_dir, other):
        handed = copies.run(folder)
        assert handed.returncode == 0, handed.stderr
        assert HANDED_OVER in handed.stderr
    assert (other / "inventory.sqlite3").exists()
