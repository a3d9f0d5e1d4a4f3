"""The crashing part of the leak scan: a real window tests connections and is SIGKILLed mid-run.

``python -m tests.faults.leak_child DATA KEYCHAIN LOG CLIPBOARD TOKEN_FILE SEED`` (offscreen;
run by :mod:`tests.faults.leak_scan` with ``XDG_CONFIG_HOME`` in its temporary folder, so the
window's QSettings land where the scan looks). Logs everything at DEBUG to ``LOG``.

First a self-authorization through the Reauthorize dialog, as a person does it: the refresh
token from Seller Central (read from ``TOKEN_FILE``) is on the clipboard, pasted into the token
field, verified and saved; what the clipboard holds afterwards goes to ``CLIPBOARD`` (issue 8,
finding 10: a pasted refresh token does not stay there once used). Then Test connection, the
window closed and opened again, and a SIGKILL in the middle of another Test connection: it
never returns.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import sys
import threading
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from core.services.checks import CheckRun
from core.services.consent.session import ConsentSession
from core.services.lanes import Lanes
from core.services.opening import open_workspace
from gui.checks import start_connection_test
from gui.main_window import MainWindow
from gui.reauthorize.dialog import ReauthorizeDialog
from gui.tasks import TaskRunner
from tests.benchmarks.check import wait_for_end
from tests.file_secret_store import FileSecretStore
from tests.integration.consent_support import uk_target

CHANNELS = ["uk", "de", "fr", "it", "es"]
OPEN_TIMEOUT_MS = 30_000


def open_window(data: Path, keys: Path) -> MainWindow:
    window = MainWindow(TaskRunner(Lanes()), persist_settings=True)
    window.show()
    opening = QEventLoop()
    window.loaded.connect(opening.quit)
    window.openFailed.connect(opening.quit)
    window.open_inventory(lambda: open_workspace(data, secrets=FileSecretStore(keys)))
    # It may have opened already (the event loop ran meanwhile): then quit came first.
    if window.workspace is None:
        QTimer.singleShot(OPEN_TIMEOUT_MS, opening.quit)
        opening.exec()
    if window.workspace is None:
        raise SystemExit("the inventory did not open")
    return window


def test_connection(window: MainWindow) -> CheckRun:
    assert window.workspace is not None
    run = start_connection_test(
        window, window.workspace, CHANNELS, runner=window.runner, bridge=window.bridge,
        status_bar=window.statusBar(), running=window.connection_tests,
    )  # fmt: skip
    if not isinstance(run, CheckRun):
        raise SystemExit("Test connection did not start")
    return run


def self_authorize(window: MainWindow, token: str) -> bool:
    """Paste ``token`` from the clipboard into the Reauthorize dialog and use it; saved."""
    workspace = window.workspace
    assert workspace is not None
    dialog = ReauthorizeDialog(
        ConsentSession(workspace, uk_target(), listen=False), window.runner, parent=window
    )
    dialog.open()
    dialog.start_page.self_auth_button.click()
    QApplication.clipboard().setText(token)  # copied in Seller Central
    field = dialog.self_auth_page.token
    field.setFocus()
    field.paste()
    done = QEventLoop()
    authorized: list[object] = []
    dialog.authorized.connect(authorized.append)
    dialog.authorized.connect(done.quit)
    QTimer.singleShot(20_000, done.quit)
    dialog.self_auth_page.verify_button.click()
    if not authorized:
        done.exec()
    dialog.close()
    if authorized:
        workspace.save()
    return bool(authorized)


def main(argv: list[str]) -> None:
    data, keys, log_file, clipboard_file, token_file = (Path(a) for a in argv[:5])
    logging.basicConfig(filename=log_file, level=logging.DEBUG)
    app = QApplication.instance() or QApplication(["leak-child"])
    window = open_window(data, keys)
    if not self_authorize(window, token_file.read_text(encoding="utf-8")):
        raise SystemExit("the self-authorization did not finish")
    clipboard_file.write_text(QApplication.clipboard().text(), encoding="utf-8")
    wait_for_end(window, test_connection(window))
    window.close()  # writes the window's settings
    window = open_window(data, keys)
    delay = random.Random(argv[5]).uniform(0.0, 0.2)
    threading.Timer(delay, os.kill, (os.getpid(), signal.SIGKILL)).start()
    while True:
        wait_for_end(window, test_connection(window))
        app.processEvents()


if __name__ == "__main__":
    main(sys.argv[1:])
