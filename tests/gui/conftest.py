"""GUI fixtures: windows on real inventories, no real dialog, settings kept in tmp, and no
top-level widget or Qt timer left behind by any test (see tests/gui/qt_leaks.py).

Every test that opens a window gets a :class:`Dialogs` recorder in place of the functions of
``gui.dialogs``: questions get the answer the test set (by default: discard, confirm), and
messages are recorded for the test to assert on. A crash dialog fails the test.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from core.domain import changes
from core.domain.inventory import utcnow
from core.domain.samples import demo_inventory
from core.services.lanes import Lanes
from core.services.opening import open_workspace
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore, SecretStore
from gui import dialogs
from gui.main_window import MainWindow
from gui.tasks import TaskRunner
from tests.gui.qt_leaks import (
    TimerWatch,
    close_all,
    describe_widget,
    leak_message,
    leaked_widgets,
    top_level_widgets,
)
from tests.leaks import assert_clean, call_failed


@pytest.fixture(autouse=True)
def _no_leaked_widgets_or_timers(
    request: pytest.FixtureRequest, qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Fails a test that leaves a top-level widget alive or a Qt timer running.

    Checked after pytest-qt has closed the widgets given to ``qtbot.addWidget``; leftovers are
    closed and stopped either way, so the next test starts clean.
    """
    before = top_level_widgets()
    timers = TimerWatch()
    timers.install(monkeypatch)
    yield
    widgets = leaked_widgets(before)
    described = [describe_widget(w) for w in widgets]
    close_all(widgets)
    del widgets
    running = timers.running()
    if not call_failed(request.node):
        assert_clean(leak_message(request.node.nodeid, described, running))


@pytest.fixture(autouse=True)
def _settings_in_tmp(tmp_path: Path) -> Path:
    """QSettings (window geometry) go to a temporary folder, never the user's config."""
    folder = tmp_path / "settings"
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    return folder


@dataclass
class Dialogs:
    """Stands in for gui.dialogs; every call is recorded as (name, args)."""

    unsaved_answer: str = "discard"
    confirm: bool = True
    restore: bool = False
    report_file: Path | None = None  # where File > Export report is told to write
    bundle_file: Path | None = None  # where Help > Create support bundle is told to write
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [args for n, args in self.calls if n == name]

    def errors(self) -> list[str]:
        return [str(args[0]) for args in self.named("show_error")]


@pytest.fixture(autouse=True)
def fake_dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Dialogs]:
    recorder = Dialogs()

    def record(name: str, answer: Callable[[], Any]) -> Callable[..., Any]:
        def call(_parent: object, *args: Any) -> Any:
            recorder.calls.append((name, args))
            return answer()

        return call

    monkeypatch.setattr(
        dialogs, "ask_unsaved", record("ask_unsaved", lambda: recorder.unsaved_answer)
    )
    monkeypatch.setattr(
        dialogs, "confirm_remove", record("confirm_remove", lambda: recorder.confirm)
    )
    monkeypatch.setattr(
        dialogs, "confirm_revert", record("confirm_revert", lambda: recorder.confirm)
    )
    monkeypatch.setattr(
        dialogs, "confirm_reveal", record("confirm_reveal", lambda: recorder.confirm)
    )
    monkeypatch.setattr(
        dialogs, "confirm_roll_back", record("confirm_roll_back", lambda: recorder.confirm)
    )
    monkeypatch.setattr(dialogs, "show_error", record("show_error", lambda: None))
    monkeypatch.setattr(dialogs, "offer_restore", record("offer_restore", lambda: recorder.restore))
    monkeypatch.setattr(dialogs, "show_restored", record("show_restored", lambda: None))
    monkeypatch.setattr(dialogs, "show_crash", record("show_crash", lambda: None))
    monkeypatch.setattr(dialogs, "about", record("about", lambda: None))
    monkeypatch.setattr(
        dialogs, "show_log_folder_error", record("show_log_folder_error", lambda: None)
    )
    monkeypatch.setattr(
        dialogs, "choose_report_file", record("choose_report_file", lambda: recorder.report_file)
    )
    monkeypatch.setattr(
        dialogs,
        "choose_support_bundle_file",
        record("choose_support_bundle_file", lambda: recorder.bundle_file),
    )
    monkeypatch.setattr(
        dialogs, "show_support_bundle_written", record("show_support_bundle_written", lambda: None)
    )
    yield recorder
    crashes = recorder.named("show_crash")
    assert not crashes, f"the crash dialog opened:\n{crashes[0][0]}"


@pytest.fixture
def runner() -> TaskRunner:
    """Tasks run at once on the calling thread: no waiting, no threads in most tests."""
    return TaskRunner(Lanes.immediate())


@pytest.fixture
def secrets() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture
def demo_dir(tmp_path: Path, secrets: MemorySecretStore) -> Path:
    """A data folder holding the saved demo inventory (secrets in ``secrets``)."""
    folder = tmp_path / "inventory"
    workspace = open_workspace(folder, secrets=secrets)
    now = utcnow()
    inventory, values = demo_inventory(now, workspace.namespace)
    workspace.apply(changes.replace_all(inventory, values, now))
    workspace.save()
    workspace.close()
    return folder


@dataclass
class Opened:
    window: MainWindow
    ws: Workspace

    @property
    def page(self) -> Any:
        assert self.window.page is not None
        return self.window.page


@pytest.fixture
def open_window(qtbot: Any) -> Callable[..., Opened]:
    """Opens a main window on a data folder, as the app does (through its task runner)."""

    def make(folder: Path, secrets: SecretStore | None = None, **kwargs: Any) -> Opened:
        store = secrets if secrets is not None else MemorySecretStore()
        runner = kwargs.pop("runner", None) or TaskRunner(Lanes.immediate())
        window = MainWindow(runner, persist_settings=kwargs.pop("persist", False), **kwargs)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.loaded, timeout=10_000):
            window.open_inventory(lambda: open_workspace(folder, secrets=store))
        with qtbot.waitExposed(window):
            window.show()
        with qtbot.waitActive(window):  # shortcuts (Ctrl+S...) go to the active window
            window.activateWindow()
        assert window.workspace is not None
        return Opened(window, window.workspace)

    return make


@pytest.fixture
def demo_window(
    open_window: Callable[..., Opened], demo_dir: Path, secrets: MemorySecretStore
) -> Opened:
    return open_window(demo_dir, secrets)


@pytest.fixture(autouse=True)
def _garbage_collected_on_the_gui_thread() -> Iterator[None]:
    """Collects each test's garbage on the GUI thread, after its other fixtures are gone.

    Otherwise a collection that happens to start in a worker thread (a network lane making a
    session) frees the test's cyclic garbage there, Qt wrappers included, and the interpreter
    crashed in tests/gui/test_connection_test.py about once in ten runs ("Fatal Python error:
    Segmentation fault ... Garbage-collecting" in core/amazon/checks.py's make_session).
    """
    yield
    gc.collect()
