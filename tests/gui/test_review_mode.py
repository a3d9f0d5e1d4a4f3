"""Review mode in the window: everything reads, nothing writes, no keychain, no network."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import fields, replace
from html import escape
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QWidget

from core.domain import changes
from core.domain.inventory import utcnow
from core.domain.samples import demo_inventory
from core.services.exchange.export_json import dumps, export_json
from core.services.lanes import ImmediateExecutor, Lanes
from core.services.review import READ_ONLY, ReviewWorkspace, open_review
from gui import review
from gui.history.dialog import HistoryDialog
from gui.main_window import MainWindow
from gui.plan.dialog import PlanDialog
from gui.tasks import TaskRunner
from tests.core.exchange_support import RecordingStore
from tests.gui.conftest import Dialogs, Opened

T = TypeVar("T")

#: The window's actions that still work in review mode (they read, or leave the window).
ALLOWED = {
    "find", "quit", "about", "expand", "collapse", "history", "export", "plan", "export_report",
    "open_review", "open_demo", "support_bundle", "open_log_folder",
}  # fmt: skip


class NoNetwork:
    """A network lane that refuses every task and notes that it was asked."""

    def __init__(self) -> None:
        self.asked = 0

    def submit(self, fn: Callable[[], T], /) -> Future[T]:
        self.asked += 1
        future: Future[T] = Future()
        future.set_exception(AssertionError("review mode used the network lane"))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    """The demo inventory exported to JSON, as File > Export… writes it."""
    now = utcnow()
    inventory, _values = demo_inventory(now, "exporter")
    path = tmp_path / "acme-export.json"
    path.write_text(dumps(export_json(inventory, now, app_version="test")), encoding="utf-8")
    return path


class Review:
    def __init__(self, window: MainWindow, store: RecordingStore, network: NoNetwork) -> None:
        self.window, self.store, self.network = window, store, network

    @property
    def ws(self) -> ReviewWorkspace:
        assert isinstance(self.window.workspace, ReviewWorkspace)
        return self.window.workspace

    def untouched(self) -> None:
        assert self.store.calls == []
        assert self.network.asked == 0


@pytest.fixture
def reviewing(qtbot: Any, export_file: Path) -> Review:
    store, network = RecordingStore(), NoNetwork()
    window = MainWindow(TaskRunner(Lanes(ImmediateExecutor(), network)), persist_settings=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        window.open_inventory(lambda: open_review(export_file, secrets=store))
    with qtbot.waitExposed(window):
        window.show()
    return Review(window, store, network)


def _actions(window: MainWindow) -> dict[str, Any]:
    a = window.act
    named = {f.name: getattr(a, f.name) for f in fields(a) if f.name != "quick"}
    return named | {f"quick:{k}": v for k, v in a.quick.items()}


def _enabled_buttons(widget: QWidget) -> set[str]:
    return {
        b.text().replace("&", "")
        for b in widget.findChildren(QAbstractButton)
        if b.isEnabled() and b.isVisibleTo(widget)
    }


def _select_each_kind(reviewing: Review) -> list[tuple[str, str]]:
    """A company, a connected channel, an MWS channel with its token on record."""
    current = reviewing.ws.current
    mws = next(c for c in current.channels.values() if c.mws_auth_token_ref is not None)
    sp = next(c for c in current.channels.values() if c.authorization_id is not None)
    return [("company", mws.company_id), ("channel", mws.id), ("channel", sp.id)]


def test_review_disables_every_writing_action_and_button(reviewing: Review, qtbot: Any) -> None:
    window = reviewing.window
    page = window.page
    assert page is not None
    for kind, item in _select_each_kind(reviewing):
        assert page.select(kind, item)
        for name, action in _actions(window).items():
            allowed = name in ALLOWED or name.startswith("quick:")
            expected = allowed and name != "open_demo"  # no demo launcher in this window
            assert action.isEnabled() is expected, name
        # The details panel: History only (no Edit, Save, Revert, Roll back, Reveal, Copy, ticks).
        assert _enabled_buttons(page.panel) == {"History…"}, (kind, item)
        # Shortcuts of writing actions do nothing.
        for keys in ("Ctrl+S", "Ctrl+E", "Ctrl+R", "Ctrl+T", "Ctrl+Shift+T", "Ctrl+Shift+B"):
            qtbot.keyClick(page.view, keys[-1], _modifiers(keys))
        assert not reviewing.ws.is_dirty
    reviewing.untouched()


def _modifiers(keys: str) -> Qt.KeyboardModifier:
    mods = Qt.KeyboardModifier.NoModifier
    if "Ctrl" in keys:
        mods |= Qt.KeyboardModifier.ControlModifier
    if "Shift" in keys:
        mods |= Qt.KeyboardModifier.ShiftModifier
    return mods


def test_the_plan_view_reads_but_sends_nothing(reviewing: Review) -> None:
    window = reviewing.window
    window.act.plan.trigger()
    (plan,) = window.findChildren(PlanDialog)
    assert plan.entries  # the demo's export has consents to plan
    for row in range(len(plan.entries)):
        plan.table.setCurrentCell(row, 0)
        assert plan.details.text()  # what to do for this consent, readable
        # Every button but Close is off: no Reauthorize, no Copy link, no Set state.
        assert _enabled_buttons(plan) == {"Close"}
        assert not plan.state_box.isEnabled()
    plan.close()
    reviewing.untouched()


def test_history_says_an_export_has_none(reviewing: Review) -> None:
    window, page = reviewing.window, reviewing.window.page
    assert page is not None
    channel = next(iter(reviewing.ws.current.channels))
    assert page.select("channel", channel)
    page.panel.history_button.click()
    (history,) = window.findChildren(HistoryDialog)
    assert "holds no history" in history.status.text()
    history.close()
    reviewing.untouched()


def test_the_banner_and_title_say_whose_file_when_and_read_only(
    reviewing: Review, export_file: Path
) -> None:
    window, page = reviewing.window, reviewing.window.page
    assert page is not None
    notice = page.read_only_notice
    assert notice.isVisibleTo(window)
    text = notice.text()
    assert READ_ONLY in text
    assert export_file.name in text
    label = json.loads(export_file.read_text(encoding="utf-8"))["inventory"]["title"]
    assert label in text
    source = reviewing.ws.source
    assert source.exported_at is not None
    assert f"exported {source.exported}" in text
    assert "Review of acme-export.json (read-only)" in window.windowTitle()
    assert window.file_label.text() == "Review: acme-export.json"
    assert window.secrets_label.text() == "Secrets: none (review)"


def test_badges_are_the_exporter_s_not_a_missing_token_s(
    reviewing: Review, export_file: Path
) -> None:
    page = reviewing.window.page
    assert page is not None
    rows = page.model.rows
    assert rows is not None
    exported = {
        c["id"]: c["badge"] for c in json.loads(export_file.read_text(encoding="utf-8"))["channels"]
    }
    assert rows.channels.keys() == exported.keys()
    # The file has no token, yet a connected channel is not shown as needing a new consent:
    # the API badge and "Needs reauthorization" are the exporter's (the days left count from
    # now, and are compared in tests/core/test_review.py at the export's own moment).
    for channel_id, row in rows.channels.items():
        shown, badge = row.status.text, exported[channel_id]
        assert shown.split(", ")[0] == badge.split(", ")[0], channel_id
        for words in ("Needs reauthorization", "Not connected", "Wrong account", "MWS"):
            assert (words in shown) == (words in badge), (channel_id, shown, badge)
    assert sum("Needs reauthorization" in b for b in exported.values()) == 1
    reviewing.untouched()


def test_filter_and_details_work(reviewing: Review, qtbot: Any) -> None:
    page = reviewing.window.page
    assert page is not None
    total = page.model.rows.total
    qtbot.keyClicks(page.filter_edit, "copper")
    assert 0 < page.model.rows.shown_channel_count() < total
    copper = next(c for c in reviewing.ws.current.companies.values() if "Copper" in c.name)
    assert page.select("company", copper.id)
    assert copper.name in page.panel.title.text()
    page.filter_edit.clear()
    page.set_quick(next(iter(page.quick_buttons)))
    reviewing.untouched()


def test_export_report_works_in_review(
    reviewing: Review, fake_dialogs: Dialogs, tmp_path: Path
) -> None:
    fake_dialogs.report_file = tmp_path / "review-report.html"
    reviewing.window.act.export_report.trigger()
    page = (tmp_path / "review-report.html").read_text(encoding="utf-8")
    for company in reviewing.ws.current.companies.values():
        assert escape(company.name) in page
    assert fake_dialogs.errors() == []
    reviewing.untouched()


def _pending_edit(opened: Opened) -> None:
    company = next(iter(opened.ws.current.companies.values()))
    change = changes.edit_company(replace(company, name="Unsaved Name Ltd"))
    assert opened.ws.try_apply(change) is None
    assert opened.ws.is_dirty


def _choose(monkeypatch: pytest.MonkeyPatch, path: Path | None) -> list[object]:
    asked: list[object] = []

    def choose(parent: object) -> Path | None:
        asked.append(parent)
        return path

    monkeypatch.setattr(review, "ask_review_file", choose)
    return asked


def test_open_for_review_asks_first_and_cancel_keeps_everything(
    demo_window: Opened, fake_dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch,
    export_file: Path,
) -> None:  # fmt: skip
    window = demo_window.window
    _pending_edit(demo_window)
    page = window.page
    asked = _choose(monkeypatch, export_file)
    fake_dialogs.unsaved_answer = "cancel"
    window.act.open_review.trigger()
    assert asked == [window]
    assert fake_dialogs.named("ask_unsaved") == [(1,)]
    assert window.workspace is demo_window.ws
    assert window.page is page
    assert demo_window.ws.is_dirty
    assert demo_window.ws.store is not None  # still open
    assert "Unsaved Name Ltd" in {c.name for c in demo_window.ws.current.companies.values()}


def test_discard_replaces_the_inventory_with_the_review(
    demo_window: Opened, fake_dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch,
    export_file: Path, qtbot: Any,
) -> None:  # fmt: skip
    window = demo_window.window
    _pending_edit(demo_window)
    _choose(monkeypatch, export_file)
    fake_dialogs.unsaved_answer = "discard"
    window.act.open_review.trigger()
    assert isinstance(window.workspace, ReviewWorkspace)
    assert demo_window.ws.store is None  # the inventory was closed, its edit dropped
    assert window.page is not None
    assert window.page.model.rows.total == len(window.workspace.current.channels)
    assert "Review of" in window.windowTitle()
    assert not window.act.save.isEnabled()
    assert fake_dialogs.errors() == []


def test_save_first_then_review(
    demo_window: Opened, fake_dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch,
    export_file: Path, demo_dir: Path, secrets: Any,
) -> None:  # fmt: skip
    window = demo_window.window
    _pending_edit(demo_window)
    _choose(monkeypatch, export_file)
    fake_dialogs.unsaved_answer = "save"
    window.act.open_review.trigger()
    assert isinstance(window.workspace, ReviewWorkspace)
    from core.services.opening import open_workspace

    reopened = open_workspace(demo_dir, secrets=secrets, read_only=True)
    try:
        assert "Unsaved Name Ltd" in {c.name for c in reopened.current.companies.values()}
    finally:
        reopened.close()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("this is not json", "not valid JSON"),
        ('{"format": "other", "version": 1}', "not an SP Connect export"),
        ('{"format": "spconnect-inventory", "version": 999}', "newer SP Connect"),
    ],
)
def test_a_bad_file_changes_nothing(
    demo_window: Opened, fake_dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path, content: str, words: str,
) -> None:  # fmt: skip
    window = demo_window.window
    _pending_edit(demo_window)
    page = window.page
    bad = tmp_path / "bad-export.json"
    bad.write_text(content, encoding="utf-8")
    _choose(monkeypatch, bad)
    window.act.open_review.trigger()
    (error,) = fake_dialogs.errors()
    assert "bad-export.json" in error
    assert words in error
    assert window.workspace is demo_window.ws
    assert window.page is page
    assert demo_window.ws.is_dirty
    assert window.act.save.isEnabled()


def test_main_review_self_test_reaches_ready(tmp_path: Path) -> None:
    from tests.gui.test_self_test import distinct_colours, run_main

    export = tmp_path / "demo-export.json"
    made = run_main(tmp_path, "--demo", "export", "--format", "json", "--out", str(export))
    assert made.returncode == 0, made.stderr
    shot = tmp_path / "review.png"
    # The keyring's "fail" backend (run_main) would turn any keychain call into an error.
    run = run_main(tmp_path, "--review", str(export), "--self-test", "--screenshot", str(shot))
    assert run.returncode == 0, run.stderr
    assert "self-test: ready (25 channels)" in run.stdout
    assert distinct_colours(shot) > 20


def test_main_review_of_a_bad_file_fails_with_the_reason(tmp_path: Path) -> None:
    from tests.gui.test_self_test import run_main

    bad = tmp_path / "notes.json"
    bad.write_text("[1, 2", encoding="utf-8")
    run = run_main(tmp_path, "--review", str(bad), "--self-test")
    assert run.returncode != 0
    assert "notes.json cannot be opened for review" in run.stderr
    assert "not valid JSON" in run.stderr


def test_an_empty_export_shows_the_banner_not_the_welcome_view(qtbot: Any, tmp_path: Path) -> None:
    from core.domain.inventory import Inventory

    path = tmp_path / "empty.json"
    path.write_text(dumps(export_json(Inventory(), utcnow())), encoding="utf-8")
    window = MainWindow(TaskRunner(Lanes.immediate()), persist_settings=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        window.open_inventory(lambda: open_review(path))
    assert window.page is not None
    assert window.stack.currentWidget() is window.page
    assert "empty.json" in window.page.read_only_notice.text()
    assert not window.act.add_company.isEnabled()


def test_export_from_review_writes_what_the_exporter_saw(
    reviewing: Review, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, export_file: Path
) -> None:
    from gui.exchange import files

    out = tmp_path / "again.json"
    monkeypatch.setattr(files, "ask_export_file", lambda _parent, _formats: (out, "json"))
    reviewing.window.act.export.trigger()
    again = json.loads(out.read_text(encoding="utf-8"))
    first = json.loads(export_file.read_text(encoding="utf-8"))
    assert again["inventory"] == first["inventory"]
    for key in ("companies", "authorizations", "app"):
        assert again[key] == first[key], key
    assert [c["health"] for c in again["channels"]] == [c["health"] for c in first["channels"]]
    reviewing.untouched()


def test_open_for_review_on_the_threaded_lanes(
    qtbot: Any, open_window: Callable[..., Opened], demo_dir: Path, secrets: Any,
    fake_dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch, export_file: Path,
) -> None:  # fmt: skip
    opened = open_window(demo_dir, secrets, runner=TaskRunner(Lanes()))
    window = opened.window
    _choose(monkeypatch, export_file)
    window.act.open_review.trigger()  # nothing pending: no question
    qtbot.waitUntil(lambda: isinstance(window.workspace, ReviewWorkspace), timeout=20_000)
    qtbot.waitUntil(lambda: opened.ws.store is None, timeout=20_000)  # closed on its lane
    assert fake_dialogs.named("ask_unsaved") == []
    assert window.page is not None
    qtbot.keyClicks(window.page.filter_edit, "alpine")
    assert 0 < window.page.model.rows.shown_channel_count() < window.page.model.rows.total
    assert fake_dialogs.errors() == []
    window.shutdown()
