"""Review mode's plan view shows the states support noted at the exporter's, read-only."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

import main
from core.domain.inventory import utcnow
from core.domain.plan import build_plan
from core.domain.plan_progress import PlanEntry, PlanState, Progress, checklist
from core.domain.samples import demo_inventory
from core.services.exchange.export_json import dumps, export_json
from core.services.lanes import ImmediateExecutor, Lanes
from core.services.review import READ_ONLY, open_review
from gui.main_window import MainWindow
from gui.plan.dialog import PlanDialog
from gui.tasks import TaskRunner
from tests.core.exchange_support import RecordingStore
from tests.core.test_plan_progress import KEY, OTHER_KEY, seed
from tests.core.test_plan_states_exchange import noted
from tests.gui.conftest import Opened
from tests.gui.test_exchange_menu import _choose
from tests.gui.test_plan_view import open_plan_by_keys, row_of
from tests.gui.test_review_mode import NoNetwork

REASON = "Wrong account: the seller signed in as another store"


def noted_export(path: Path, now: datetime) -> list[PlanEntry]:
    """The demo exported with its first consent's link sent and its second failed."""
    inventory, _values = demo_inventory(now, "exporter")
    entries = checklist(build_plan(inventory, now), inventory, {}, now)
    sent, failed = entries[0], entries[1]
    notes = {
        sent.key: Progress(sent.key, sent.generation, PlanState.LINK_SENT,
                           now - timedelta(minutes=20), "", dict(sent.fields)),
        failed.key: Progress(failed.key, failed.generation, PlanState.FAILED,
                             now - timedelta(minutes=5), REASON, dict(failed.fields)),
    }  # fmt: skip
    document = export_json(inventory, now, app_version="test", plan_notes=notes)
    path.write_text(dumps(document), encoding="utf-8")
    return [sent, failed]


def open_reviewed(qtbot: Any, path: Path) -> tuple[MainWindow, RecordingStore, NoNetwork]:
    store, network = RecordingStore(), NoNetwork()
    window = MainWindow(TaskRunner(Lanes(ImmediateExecutor(), network)), persist_settings=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        window.open_inventory(lambda: open_review(path, secrets=store))
    with qtbot.waitExposed(window):
        window.show()
    return window, store, network


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen: no stacking
def test_review_plan_shows_link_sent_and_failed_with_its_reason(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "noted-export.json"
    sent, failed = noted_export(path, utcnow())
    window, store, network = open_reviewed(qtbot, path)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    (plan,) = [d for d in window.findChildren(PlanDialog) if d.isVisible()]
    qtbot.waitUntil(lambda: bool(plan.entries), timeout=10_000)
    keys = [e.key for e in plan.entries]
    states = [plan.table.item(r, 0).text() for r in range(plan.table.rowCount())]
    assert states[keys.index(sent.key)].startswith("Link sent, ")  # ", 20 minutes ago"
    assert states[keys.index(failed.key)].startswith("Failed, ")
    assert {s for k, s in zip(keys, states, strict=True) if k not in (sent.key, failed.key)} == {
        "To do"
    }
    assert plan.heading.text() == f"Reauthorization plan: {len(keys)} left, 0 done"

    plan.table.setFocus(Qt.FocusReason.TabFocusReason)
    plan.table.setCurrentCell(keys.index(sent.key), 0)
    qtbot.keyClick(plan.table, Qt.Key.Key_Down)  # to the failed one, by keyboard
    assert plan.current_entry() == plan.entries[keys.index(failed.key)]
    details = plan.details.text()
    assert "State: Failed, " in details
    assert f"ago: {REASON}" in details
    # Read-only: nothing to set, and the plan says why.
    assert not plan.set_state_button.isEnabled()
    assert not plan.state_box.isEnabled()
    assert READ_ONLY in plan.status.text()
    plan.close()
    assert store.calls == []
    assert network.asked == 0


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen: no stacking
def test_an_imported_state_shows_in_the_open_plan_after_save(
    qtbot: Any,
    tmp_path: Path,
    open_window: Callable[..., Opened],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    seed(source)
    noted(source)  # KEY link sent, OTHER_KEY failed
    seed(target)  # the same records, no states
    export = tmp_path / "noted.json"
    code = main.main(
        ["--data-dir", str(source), "export", "--format", "json", "--out", str(export)]
    )
    assert code == 0
    document = json.loads(export.read_text(encoding="utf-8"))
    document["companies"][0]["notes"] = "Called on Tuesday"  # so the import is a change
    export.write_text(json.dumps(document), encoding="utf-8")
    opened = open_window(target)
    window = opened.window
    plan = open_plan_by_keys(window, qtbot)
    assert row_of(plan, KEY)[0] == "To do"

    _choose(monkeypatch, "ask_import_file", export)
    window.activateWindow()
    window.act.import_file.trigger()
    commands = window.commands
    assert commands is not None
    qtbot.waitUntil(lambda: commands.exchange is not None and commands.exchange.preview is not None)
    preview = commands.exchange.preview
    qtbot.waitExposed(preview)
    qtbot.keyClick(preview, Qt.Key.Key_Return)  # Import
    assert row_of(plan, KEY)[0] == "To do"  # pending: nothing written yet
    with qtbot.waitSignal(window.saveFinished, timeout=10_000):
        window.act.save.trigger()
    qtbot.waitUntil(lambda: row_of(plan, KEY)[0].startswith("Link sent, "), timeout=10_000)
    assert row_of(plan, OTHER_KEY)[0].startswith("Failed, ")
    plan.close()
