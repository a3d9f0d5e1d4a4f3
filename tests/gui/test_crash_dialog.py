"""The crash dialog and Help > Open log folder: an unexpected error in a real Qt callback is
logged with its traceback (redacted), the seller sees plain words and the log file's path, the
window and its pending changes carry on."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit

from core.domain.inventory import utcnow
from core.domain.samples import demo_inventory
from core.services import logs
from core.services.exchange.export_json import dumps, export_json
from core.services.lanes import Lanes
from core.services.review import open_review
from gui import app, dialogs
from gui.crash import HEADLINE, NO_LOG, SAFE, CrashDialog
from gui.dialogs import show_crash as real_show_crash
from gui.main_window import MainWindow
from gui.tasks import TaskRunner
from tests.gui.conftest import Dialogs, Opened
from tests.leaks import ExpectedWarnings

Left = Qt.MouseButton.LeftButton
SECRET_IN_ERROR = "Atzr|IwEBICrashDialogTestValue-0123456789"


class FolderCatcher(QObject):
    """Stands in for the file manager: QDesktopServices hands it every file URL."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def file_manager() -> Iterator[FolderCatcher]:
    catcher = FolderCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "handle")
    yield catcher
    QDesktopServices.unsetUrlHandler("file")


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Logging started as main.py starts it, into a folder of this test's own."""
    folder = tmp_path / "log folder"
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(folder))
    logs.start_logging(stderr=io.StringIO())
    yield folder
    logs.stop_logging()


@pytest.fixture
def crash_hook(
    demo_window: Opened, monkeypatch: pytest.MonkeyPatch, expected_warnings: ExpectedWarnings
) -> Opened:
    """The app's own excepthook on the window, the real crash dialog, and a pending change."""
    expected_warnings.allow("gui.dialogs", "unexpected error: RuntimeError")
    monkeypatch.setattr(sys, "excepthook", app._crash_hook(demo_window.window))
    monkeypatch.setattr(dialogs, "show_crash", real_show_crash)
    demo_window.window.act.add_company.trigger()
    assert demo_window.ws.is_dirty
    return demo_window


def _defect() -> None:
    raise RuntimeError(f"a defect that quotes {SECRET_IN_ERROR}")


def _crash_in_a_timer(qtbot: Any, window: Any) -> CrashDialog:
    QTimer.singleShot(0, _defect)  # a real Qt callback: PySide6 hands its error to excepthook
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(CrashDialog)))
    (dialog,) = window.findChildren(CrashDialog)
    return dialog


def _shown_text(dialog: CrashDialog) -> str:
    return "\n".join(
        [label.text() for label in dialog.findChildren(QLabel)]
        + [field.text() for field in dialog.findChildren(QLineEdit)]
    )


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_qt_callback_shows_plain_words_and_the_log_path(
    qtbot: Any, crash_hook: Opened, log_dir: Path, file_manager: FolderCatcher
) -> None:
    window, ws = crash_hook.window, crash_hook.ws
    pending = list(ws.pending)

    dialog = _crash_in_a_timer(qtbot, window)

    log_file = log_dir / logs.log_files.LOG_FILE_NAME
    shown = _shown_text(dialog)
    assert HEADLINE in shown
    assert SAFE in shown
    assert str(log_file) in shown
    assert "Traceback" not in shown
    assert "RuntimeError" not in shown
    assert dialog.close_button.isDefault()
    # The log holds the whole traceback, without the secret the error quoted.
    text = log_file.read_text()
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: a defect that quotes [redacted]" in text
    assert SECRET_IN_ERROR not in text

    assert dialog.copy_button is not None
    qtbot.mouseClick(dialog.copy_button, Left)
    assert QGuiApplication.clipboard().text() == str(log_file)
    assert dialog.open_button is not None
    qtbot.mouseClick(dialog.open_button, Left)
    assert [url.toLocalFile() for url in file_manager.urls] == [str(log_dir)]

    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Close is the default
    qtbot.waitUntil(lambda: not window.findChildren(CrashDialog))
    assert window.isVisible()
    assert list(ws.pending) == pending  # the unsaved change is still there
    assert window.act.save.isEnabled()
    QGuiApplication.clipboard().clear()


@pytest.mark.qt_no_exception_capture
@pytest.mark.qt_log_ignore("does not support raise")  # offscreen has no window stack
def test_an_error_that_repeats_opens_one_dialog(
    qtbot: Any, crash_hook: Opened, log_dir: Path
) -> None:
    window = crash_hook.window
    log_file = log_dir / logs.log_files.LOG_FILE_NAME
    dialog = _crash_in_a_timer(qtbot, window)

    QTimer.singleShot(0, _defect)
    qtbot.waitUntil(lambda: log_file.read_text().count("Traceback") == 2)

    assert window.findChildren(CrashDialog) == [dialog]
    assert dialog.isVisible()
    dialog.reject()
    qtbot.waitUntil(lambda: not window.findChildren(CrashDialog))


@pytest.mark.qt_no_exception_capture
def test_without_a_log_file_the_dialog_offers_the_details_redacted(
    qtbot: Any, crash_hook: Opened, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(tmp_path / "a-file" / "logs"))
    err = io.StringIO()
    assert logs.start_logging(stderr=err) is None
    try:
        dialog = _crash_in_a_timer(qtbot, crash_hook.window)
    finally:
        logs.stop_logging()

    shown = _shown_text(dialog)
    assert NO_LOG in shown
    assert "Traceback" not in shown
    assert dialog.open_button is None
    assert dialog.details_button is not None
    qtbot.mouseClick(dialog.details_button, Left)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("Traceback (most recent call last)")
    assert "RuntimeError: a defect that quotes [redacted]" in copied
    assert SECRET_IN_ERROR not in copied + err.getvalue()
    QGuiApplication.clipboard().clear()
    dialog.reject()
    qtbot.waitUntil(lambda: not crash_hook.window.findChildren(CrashDialog))


def test_help_open_log_folder_creates_and_opens_it(
    demo_window: Opened, log_dir: Path, file_manager: FolderCatcher
) -> None:
    folder = logs.log_folder()
    logs.stop_logging()  # the folder is made on demand, not only by logging
    folder.rename(folder.with_name("gone"))

    demo_window.window.act.open_log_folder.trigger()

    assert folder.is_dir()
    assert [url.toLocalFile() for url in file_manager.urls] == [str(folder)]


def test_open_log_folder_is_in_the_help_menu_with_a_mnemonic(demo_window: Opened) -> None:
    window = demo_window.window
    (help_menu,) = [
        a.menu() for a in window.menuBar().actions() if a.text() == "&Help" and a.menu()
    ]
    assert window.act.open_log_folder in help_menu.actions()
    assert window.act.open_log_folder.text() == "Open &log folder"
    assert window.act.open_log_folder.isEnabled()


@pytest.mark.qt_log_ignore("does not support QPlatformServices::openDocument")
def test_when_the_desktop_cannot_open_it_the_folder_is_named(
    demo_window: Opened,
    log_dir: Path,
    fake_dialogs: Dialogs,
    qtbot: Any,
) -> None:
    demo_window.window.act.open_log_folder.trigger()  # offscreen: no desktop to ask

    assert fake_dialogs.named("show_log_folder_error") == [(log_dir,)]
    box = dialogs.log_folder_box(demo_window.window, log_dir)
    qtbot.addWidget(box)
    assert str(log_dir) in box.informativeText()
    selectable = Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert all(
        label.textInteractionFlags() & selectable
        for label in box.findChildren(QLabel)
        if str(log_dir) in label.text()
    )


def test_the_log_folder_opens_in_review_mode_too(
    qtbot: Any, tmp_path: Path, log_dir: Path, file_manager: FolderCatcher
) -> None:
    now = utcnow()
    inventory, _values = demo_inventory(now, "exporter")
    export = tmp_path / "export.json"
    export.write_text(dumps(export_json(inventory, now, app_version="test")), encoding="utf-8")
    window = MainWindow(TaskRunner(Lanes.immediate()), persist_settings=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        window.open_inventory(lambda: open_review(export))
    assert window.workspace is not None
    assert window.workspace.read_only

    window.act.open_log_folder.trigger()

    assert [url.toLocalFile() for url in file_manager.urls] == [str(log_dir)]
