"""The running copy's side of the hand-over, in one process (offscreen).

The two-process behaviour (a second ``main.py`` hands over and exits) is in
tests/gui/test_single_instance.py; here a client socket of the test's own talks to the server,
and the leftover of a crash is made by hand.
"""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow

from core.services.running_copy import copy_address
from gui.app import AppOptions
from gui.single_instance import RAISE, RAISED, OneCopy, takes_part


@pytest.fixture
def address() -> Iterator[str]:
    """An address in a short private folder (a Unix socket path is limited to ~104 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="spc-", dir="/tmp"))
    folder.chmod(0o700)
    yield copy_address(folder / "inventory", env={"XDG_RUNTIME_DIR": str(folder)})
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def listening(address: str) -> Iterator[OneCopy]:
    copy = OneCopy(address)
    assert copy.listen()
    yield copy
    copy.close()


def ask(qtbot: Any, address: str, message: bytes) -> bytes:
    """Send ``message`` as a later start would, without blocking the server's event loop."""
    client = QLocalSocket()
    received = bytearray()
    client.readyRead.connect(lambda: received.extend(bytes(client.readAll().data())))
    with qtbot.waitSignal(client.connected, timeout=5_000):
        client.connectToServer(address)
    with qtbot.waitSignal(client.disconnected, timeout=5_000):
        client.write(message)
    received.extend(bytes(client.readAll().data()))
    client.abort()
    return bytes(received)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (AppOptions(), True),
        (AppOptions(data_dir="/some/folder"), True),
        (AppOptions(demo=True), False),
        (AppOptions(review=Path("export.json")), False),
        (AppOptions(data_dir="/some/folder", self_test=True), False),
    ],
)
def test_only_the_window_on_a_data_folder_takes_part(options: AppOptions, expected: bool) -> None:
    assert takes_part(options) is expected
    assert (OneCopy.for_start(options) is not None) is expected


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen: no stacking
def test_raise_restores_a_minimized_window_and_answers(
    qtbot: Any, listening: OneCopy, address: str
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.showMaximized()
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    listening.serve(window)

    answer = ask(qtbot, address, RAISE)

    assert answer == RAISED
    assert not window.isMinimized()
    assert window.isMaximized(), "a maximized window comes back maximized"


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_a_modal_dialog_is_brought_forward_with_its_window(
    qtbot: Any, listening: OneCopy, address: str
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    dialog = QDialog(window)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.open()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is dialog)
    other = QMainWindow()  # another window of the app took the focus meanwhile
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is not dialog)
    listening.serve(window)

    assert ask(qtbot, address, RAISE) == RAISED

    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.reject()


@pytest.mark.parametrize("message", [b"hello\n", b"x" * 100])
def test_anything_else_gets_no_answer(
    qtbot: Any, listening: OneCopy, address: str, message: bytes
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    listening.serve(window)

    assert ask(qtbot, address, message) == b""
    assert window.isMinimized()


def test_nobody_there_means_listen(address: str) -> None:
    copy = OneCopy(address)
    assert copy.hand_over() is False
    assert copy.listen()
    assert copy.listening
    copy.close()
    assert not Path(address).exists(), "closing removes the socket"


def test_a_crashs_leftover_socket_is_removed_and_replaced(
    address: str, caplog: pytest.LogCaptureFixture
) -> None:
    # What a copy killed while listening leaves: a socket file that nobody accepts on.
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(address)
    leftover.close()
    assert Path(address).is_socket()
    caplog.set_level(logging.INFO, logger="gui.single_instance")
    copy = OneCopy(address)

    assert copy.hand_over() is False
    assert not Path(address).exists()
    assert copy.listen()
    copy.close()
    assert "leftover socket" in caplog.text


def test_a_busy_copy_keeps_its_address(address: str) -> None:
    # Alive (the connection is accepted) but not answering: a copy busy with something else.
    busy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    busy.bind(address)
    busy.listen()
    copy = OneCopy(address, answer_timeout_ms=100)
    try:
        assert copy.hand_over() is False
        assert copy.listen() is False, "listening would take later starts away from it"
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        probe.connect(address)  # still the busy copy's address
        probe.close()
    finally:
        copy.close()
        busy.close()


def test_listening_impossible_is_logged_not_warned(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gui.single_instance")
    copy = OneCopy("/nonexistent-folder-of-sp-connect/sp-connect-test")

    assert copy.listen() is False
    assert not copy.listening
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert "the inventory lock still applies" in caplog.text
    copy.close()
