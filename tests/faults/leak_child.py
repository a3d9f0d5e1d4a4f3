"""The crashing part of the leak scan: a real window tests connections and is SIGKILLed mid-run.

``python -m tests.faults.leak_child DATA KEYCHAIN LOG CLIPBOARD SEED`` (offscreen; run by
:mod:`tests.faults.leak_scan` with ``XDG_CONFIG_HOME`` in its temporary folder, so the window's
QSettings land where the scan looks). Logs everything at DEBUG to ``LOG``, writes what the
clipboard holds to ``CLIPBOARD`` after the first run, and never returns: it kills itself.
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

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from core.services.checks import CheckRun
from core.services.lanes import Lanes
from core.services.opening import open_workspace
from gui.checks import start_connection_test
from gui.main_window import MainWindow
from gui.tasks import TaskRunner
from tests.benchmarks.check import wait_for_end
from tests.file_secret_store import FileSecretStore

CHANNELS = ["uk", "de", "fr", "it", "es"]


def open_window(data: Path, keys: Path) -> MainWindow:
    window = MainWindow(TaskRunner(Lanes()), persist_settings=True)
    window.show()
    opening = QEventLoop()
    window.loaded.connect(opening.quit)
    window.openFailed.connect(opening.quit)
    window.open_inventory(lambda: open_workspace(data, secrets=FileSecretStore(keys)))
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


def main(argv: list[str]) -> None:
    data, keys, log_file, clipboard_file = (Path(a) for a in argv[:4])
    logging.basicConfig(filename=log_file, level=logging.DEBUG)
    app = QApplication.instance() or QApplication(["leak-child"])
    window = open_window(data, keys)
    wait_for_end(window, test_connection(window))
    clipboard_file.write_text(QApplication.clipboard().text(), encoding="utf-8")
    window.close()  # writes the window's settings
    window = open_window(data, keys)
    delay = random.Random(argv[4]).uniform(0.0, 0.2)
    threading.Timer(delay, os.kill, (os.getpid(), signal.SIGKILL)).start()
    while True:
        wait_for_end(window, test_connection(window))
        app.processEvents()


if __name__ == "__main__":
    main(sys.argv[1:])
