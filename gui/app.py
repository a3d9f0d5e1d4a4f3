"""Starting the GUI: the QApplication, error handling, the main window and the self-test.

Errors are handled three ways (:func:`gui.dialogs.report_error`): a
:class:`~core.domain.errors.UserFacingError` is shown with its next step, a
:class:`~core.domain.errors.Cancelled` is silent, anything else goes to the log with its
traceback and opens the crash dialog (:mod:`gui.crash`), which names the log file. Uncaught
exceptions in Qt callbacks reach the same function through ``sys.excepthook``.

``--self-test`` opens the window on the chosen inventory, waits until it is loaded and painted,
optionally saves a screenshot, and exits 0; any error (an exception, a dialog that would have
asked something, a failed load) prints the reason (a traceback redacted) and exits non-zero.
It prints ``self-test: first paint`` and ``self-test: ready`` as they happen (the benchmark
times them).
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from core.domain.redaction import redact
from core.services import desktop, logs
from core.services.lanes import Lanes
from gui import dialogs
from gui.app_icon import app_icon
from gui.collector import GuiThreadCollector
from gui.main_window import MainWindow
from gui.single_instance import OneCopy, print_handed_over
from gui.tasks import TaskRunner

if TYPE_CHECKING:
    from core.services.workspace import Workspace

log = logging.getLogger(__name__)

#: A self-test that has not finished by then fails.
SELF_TEST_TIMEOUT_MS = 120_000


class AppOptions:
    """What main.py asks of the GUI (a plain class: a dataclass costs start-up time)."""

    def __init__(
        self,
        data_dir: str | None = None,
        demo: bool = False,
        self_test: bool = False,
        screenshot: Path | None = None,
        version: Callable[[], str] = lambda: "",
        review: Path | None = None,
    ) -> None:
        self.data_dir, self.demo, self.version = data_dir, demo, version
        self.review = review  # an export to open read-only (core.services.review)
        self.self_test, self.screenshot = self_test, screenshot


class _OnPaint(QObject):
    """Calls back on the window's first paint (the window is on screen)."""

    def __init__(self, widget: QObject, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self._callback: Callable[[], None] | None = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._callback is not None:
            callback, self._callback = self._callback, None
            QTimer.singleShot(0, callback)  # after this paint is done
        return False


def _launch_demo() -> None:
    """Start ``main.py --demo`` as a separate process (its own window and temporary data)."""
    from PySide6.QtCore import QProcess

    if getattr(sys, "frozen", False):  # a packaged build: the executable is the app
        QProcess.startDetached(sys.executable, ["--demo"])
        return
    module = sys.modules.get("main") or sys.modules.get("__main__")
    script = getattr(module, "__file__", None)
    if script:
        QProcess.startDetached(sys.executable, [str(script), "--demo"])


def _opener(options: AppOptions) -> Callable[[], Workspace]:
    """What the window opens on the database lane: the demo, a review, or an inventory."""

    def open_it() -> Workspace:
        # Imported on the lane: the window paints without waiting for the core.
        if options.review is not None:
            from core.services.review import open_review

            return open_review(options.review)
        if options.demo:
            from core.services.demo import open_demo

            return open_demo()
        from core.services.deferred_keychain import DeferredKeychain
        from core.services.opening import open_workspace

        # The keychain is asked once the inventory shows (gui.keychain_status), not before.
        return open_workspace(options.data_dir, secrets=DeferredKeychain())

    return open_it


def main(options: AppOptions, qt_argv: list[str] | None = None) -> int:
    """Run the GUI until the window closes; returns the exit status."""
    one_copy = OneCopy.for_start(options)  # before Qt's app: a second start costs little
    if one_copy is not None and one_copy.hand_over():
        print_handed_over()
        return 0
    existing = QApplication.instance()
    app = (
        existing if isinstance(existing, QApplication) else QApplication(qt_argv or ["sp-connect"])
    )
    app.setApplicationName("SP Connect")
    app.setOrganizationName("SP Connect")
    # The launcher's id (packaging/linux): desktops match the window to its entry and icon by it.
    app.setDesktopFileName(desktop.APP_ID)
    app.setWindowIcon(app_icon())
    if one_copy is not None:
        one_copy.listen()
    # Before any worker runs: cycles holding Qt wrappers must never be freed on a lane's thread.
    collector = GuiThreadCollector(app)
    runner = TaskRunner(Lanes())
    window = MainWindow(
        runner,
        launch_demo=_launch_demo,
        persist_settings=not options.self_test,
        version=options.version,
    )
    app.aboutToQuit.connect(window.shutdown)
    if one_copy is not None:
        one_copy.serve(window)
        app.aboutToQuit.connect(one_copy.close)
    opener = _opener(options)

    def painted() -> None:
        # The log file and the start line wait for the first paint: finding the log folder and
        # reading the version from the package's metadata cost more than it can spare.
        logs.open_log_file()
        window.open_inventory(opener)
        logs.log_start(_surface(options), options.version())  # while the inventory opens

    # The menus, the toolbar and the inventory come right after the first paint.
    _OnPaint(window, painted)
    if options.self_test:
        # Installed after (so called before) the opener's: it notes the paint first.
        test = SelfTest(app, window, options.screenshot)
        sys.excepthook = test.excepthook
    else:
        sys.excepthook = _crash_hook(window)
    window.show()
    code = app.exec()
    window.shutdown()
    collector.stop()
    return code if not options.self_test else test.code


def _surface(options: AppOptions) -> str:
    """What the start line calls this start: which window (never a path or a file name)."""
    kind = " (review)" if options.review else " (demo)" if options.demo else ""
    return f"window{kind}{', self-test' if options.self_test else ''}"


def _crash_hook(window: MainWindow) -> Callable[..., None]:
    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        dialogs.report_error(window, exc.with_traceback(tb))

    return hook


class SelfTest(QObject):
    """Drives ``--self-test``: wait for load and paint, screenshot, exit with a status."""

    def __init__(self, app: QApplication, window: MainWindow, screenshot: Path | None) -> None:
        super().__init__(window)
        self.app, self.window, self.screenshot = app, window, screenshot
        self.code = 1  # until proven otherwise
        self._painted = self._loaded = self._done = False
        _OnPaint(window, self._first_paint)
        window.loaded.connect(self._on_loaded)
        window.openFailed.connect(lambda exc: self.fail(f"the inventory did not open: {exc}"))
        QTimer.singleShot(SELF_TEST_TIMEOUT_MS, lambda: self.fail("timed out"))
        self._replace_dialogs()

    def _replace_dialogs(self) -> None:
        # Nobody is there to answer: a question or a message is a failure, never a hang.
        def refuse(name: str) -> Callable[..., Any]:
            def answer(_parent: object, *args: object) -> Any:
                self.fail(f"a dialog would have opened ({name}): {args[0] if args else ''}")
                return "cancel" if name == "ask_unsaved" else False

            return answer

        for name in ("ask_unsaved", "confirm_remove", "confirm_revert", "show_error"):
            setattr(dialogs, name, refuse(name))
        dialogs.offer_restore = refuse("offer_restore")
        dialogs.show_crash = self._crashed

    def _crashed(self, parent: object, details: str) -> None:
        self.fail(details)

    def _first_paint(self) -> None:
        self._painted = True
        print("self-test: first paint", flush=True)
        self._maybe_finish()

    def _on_loaded(self) -> None:
        self._loaded = True
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        if self._painted and self._loaded and not self._done:
            QTimer.singleShot(0, self._finish)  # let the new page lay itself out first

    def _finish(self) -> None:
        if self._done:
            return
        self.window.repaint()  # synchronously: the loaded page is painted now
        page = self.window.page
        rows = page.model.rows if page is not None else None
        count = rows.total if rows is not None else 0
        if count and (page is None or page.model.rowCount() == 0):
            self.fail(f"the tree shows none of the {count} channels")
            return
        if self.screenshot is not None:
            self.screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not self.window.grab().save(str(self.screenshot)):
                self.fail(f"could not save the screenshot to {self.screenshot}")
                return
        self._take_a_keystroke(lambda: self._ready(count))

    def _take_a_keystroke(self, then: Callable[[], None]) -> None:
        """Post a key press to where a person types first; ``then`` runs once it is handled.

        Ready means usable, not merely painted: a posted key is handled only after everything
        queued before it (layouts, repaints, deferred work), so its arrival is the moment a
        person's first keystroke would be taken. End moves the cursor and changes nothing.
        """
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeyEvent

        page, stack = self.window.page, self.window.stack
        target: QObject | None = stack.currentWidget()  # the welcome view of an empty inventory
        if page is not None and target is page:
            target = page.filter_edit
        if target is None:
            self.fail("the window shows nothing to type into")
            return
        SelfTest._KeyProbe(target, then)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            key = QKeyEvent(kind, Qt.Key.Key_End, Qt.KeyboardModifier.NoModifier)
            QApplication.postEvent(target, key)

    class _KeyProbe(QObject):
        """Calls back once ``target`` has handled a key press (seen as its release arrives)."""

        def __init__(self, target: QObject, callback: Callable[[], None]) -> None:
            super().__init__(target)
            self._pressed = False
            self._callback: Callable[[], None] | None = callback
            target.installEventFilter(self)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            kind = event.type()
            if kind == QEvent.Type.KeyPress:
                self._pressed = True
            elif kind == QEvent.Type.KeyRelease and self._pressed and self._callback:
                callback, self._callback = self._callback, None
                QTimer.singleShot(0, callback)
            return False

    def _ready(self, count: int) -> None:
        if self._done:
            return
        print(f"self-test: ready ({count} channels)", flush=True)
        self._end(0)

    def fail(self, reason: str) -> None:
        if self._done:
            return
        print(f"self-test failed: {reason}", file=sys.stderr, flush=True)
        self._end(1)

    def _end(self, code: int) -> None:
        self._done = True
        self.code = code
        self.window.shutdown()
        self.app.exit(code)

    def excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        log.error("unexpected error in the self-test", exc_info=(kind, exc, tb))
        self.fail(redact("".join(traceback.format_exception(kind, exc, tb))))
