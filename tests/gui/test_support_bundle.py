"""Help > Create support bundle… in the window: off the GUI thread, a message, plain failures."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMenu

from core.domain import changes
from core.domain.errors import UserFacingError
from core.domain.inventory import utcnow
from core.domain.samples import demo_inventory
from core.services.exchange.export_json import dumps, export_json
from core.services.lanes import ImmediateExecutor, Lane, Lanes
from core.services.review import open_review
from core.services.support_bundle.contents import MEMBERS
from gui import dialogs
from gui.main_window import MainWindow
from gui.support_bundle import NOT_OPEN
from gui.tasks import TaskRunner
from tests.core.exchange_support import RecordingStore
from tests.core.read_only import MakeReadOnly, make_read_only
from tests.gui.conftest import Dialogs, Opened

__all__ = ["make_read_only"]  # the fixture, used by name

WAIT_MS = 20_000


@pytest.fixture(autouse=True)
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The log the bundle reads: this test's, never the person's."""
    folder = tmp_path / "log"
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(folder))
    return folder


def _members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist()}


def _help_menu(window: MainWindow) -> QMenu:
    return next(
        m for m in window.menuBar().findChildren(QMenu) if m.title().replace("&", "") == "Help"
    )


def test_the_help_menu_offers_it_with_a_key(demo_window: Opened) -> None:
    action = demo_window.window.act.support_bundle
    assert action in _help_menu(demo_window.window).actions()
    assert action.text() == "Create &support bundle…"  # Alt+H, then S
    assert "every secret taken out" in action.toolTip()
    assert action.isEnabled()


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """Holds the database lane until set (set at the end whatever happens, so nothing hangs)."""
    event = threading.Event()
    yield event
    event.set()


def test_the_bundle_is_written_off_the_gui_thread_and_the_message_names_it(
    qtbot: Any,
    open_window: Callable[..., Opened],
    demo_dir: Path,
    fake_dialogs: Dialogs,
    tmp_path: Path,
    gate: threading.Event,
) -> None:
    opened = open_window(demo_dir, runner=TaskRunner(Lanes()))
    window, ws, page = opened.window, opened.ws, opened.page
    company = next(iter(ws.current.companies.values()))
    assert ws.try_apply(changes.edit_company(replace(company, name="Not Saved Yet Ltd"))) is None
    out = tmp_path / "support.zip"
    fake_dialogs.bundle_file = out
    # The database lane, where the bundle runs, is busy until the gate opens: whatever the
    # window does meanwhile, it does while the bundle waits its turn off the GUI thread.
    window.runner.lanes.submit(Lane.DATABASE, gate.wait)

    window.act.support_bundle.trigger()

    ((suggested,),) = fake_dialogs.named("choose_support_bundle_file")
    assert suggested.name.startswith("SP Connect support ")
    assert suggested.suffix == ".zip"
    assert window.statusBar().currentMessage() == "Creating the support bundle support.zip…"
    qtbot.keyClicks(page.filter_edit, "copper")  # the window still answers the keyboard
    assert page.shown_label.text() == "Showing 3 of 25 channels"
    assert not out.exists()
    gate.set()
    qtbot.waitUntil(
        lambda: bool(fake_dialogs.named("show_support_bundle_written")), timeout=WAIT_MS
    )

    assert fake_dialogs.named("show_support_bundle_written") == [(out,)]
    assert window.statusBar().currentMessage() == f"Support bundle written to {out}"
    content = _members(out)
    assert list(content) == list(MEMBERS)
    assert "Not Saved Yet Ltd" in content["inventory.json"]
    about = json.loads(content["about.json"])
    assert about["created_by"] == "the window (Help > Create support bundle…)"
    assert about["qt"][0].isdigit()
    assert about["pyside6"][0].isdigit()
    assert fake_dialogs.errors() == []
    window.shutdown()


def test_the_message_says_where_and_the_one_next_step(qapp: Any, tmp_path: Path) -> None:
    path = tmp_path / "SP Connect support 2026-12-03 0712.zip"
    box = dialogs.support_bundle_box(None, path)
    try:
        assert str(path) in box.text()
        assert box.informativeText().startswith("Attach this file to your support ticket.")
        assert box.windowTitle() == "Support bundle created"
    finally:
        box.deleteLater()


def test_a_folder_that_is_not_writable_is_explained_and_gets_nothing(
    demo_window: Opened, fake_dialogs: Dialogs, tmp_path: Path, make_read_only: MakeReadOnly
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    make_read_only(folder)
    fake_dialogs.bundle_file = folder / "support.zip"

    demo_window.window.act.support_bundle.trigger()

    (error,) = fake_dialogs.errors()
    assert error.startswith(f"The support bundle could not be written to {folder / 'support.zip'}")
    ((shown,),) = fake_dialogs.named("show_error")
    assert shown.next_step.startswith("Choose a folder you can write to")
    assert list(folder.iterdir()) == []
    assert fake_dialogs.named("show_support_bundle_written") == []
    assert demo_window.window.statusBar().currentMessage() == ""


def test_cancelling_the_file_choice_writes_nothing(
    demo_window: Opened, fake_dialogs: Dialogs, tmp_path: Path
) -> None:
    before = sorted(tmp_path.iterdir())
    fake_dialogs.bundle_file = None

    demo_window.window.act.support_bundle.trigger()

    assert len(fake_dialogs.named("choose_support_bundle_file")) == 1
    assert sorted(tmp_path.iterdir()) == before
    assert fake_dialogs.named("show_support_bundle_written") == []


def test_it_works_in_review_mode_without_touching_a_keychain(
    qtbot: Any, fake_dialogs: Dialogs, tmp_path: Path
) -> None:
    now = utcnow()
    inventory, _values = demo_inventory(now, "exporter")
    export = tmp_path / "acme-export.json"
    export.write_text(dumps(export_json(inventory, now, app_version="test")), encoding="utf-8")
    store = RecordingStore()
    window = MainWindow(
        TaskRunner(Lanes(ImmediateExecutor(), ImmediateExecutor())), persist_settings=False
    )
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        window.open_inventory(lambda: open_review(export, secrets=store))
    fake_dialogs.bundle_file = tmp_path / "review-support.zip"

    window.act.support_bundle.trigger()

    assert fake_dialogs.named("show_support_bundle_written") == [(tmp_path / "review-support.zip",)]
    about = json.loads(_members(tmp_path / "review-support.zip")["about.json"])
    assert about["keychain"]["in_use"] == "none (review)"
    assert about["inventory"]["review_file"] == str(export)
    assert store.calls == []
    window.shutdown()


def test_when_the_inventory_could_not_be_opened_the_bundle_still_comes(
    qtbot: Any, fake_dialogs: Dialogs, tmp_path: Path, log_dir: Path
) -> None:
    window = MainWindow(TaskRunner(Lanes.immediate()), persist_settings=False)
    qtbot.addWidget(window)

    def refuse() -> Any:
        raise UserFacingError("The inventory file is damaged.", "Restore a backup.")

    with qtbot.waitSignal(window.openFailed, timeout=10_000):
        window.open_inventory(refuse)
    assert fake_dialogs.errors() == ["The inventory file is damaged. Restore a backup."]
    fake_dialogs.bundle_file = tmp_path / "support.zip"

    window.act.support_bundle.trigger()

    assert fake_dialogs.named("show_support_bundle_written") == [(tmp_path / "support.zip",)]
    content = _members(tmp_path / "support.zip")
    assert list(content) == ["README.txt", "log.txt", "about.json"]
    assert f"No inventory.json: {NOT_OPEN}." in content["README.txt"]
    assert json.loads(content["about.json"])["inventory"]["kind"] == "none"
    window.shutdown()
