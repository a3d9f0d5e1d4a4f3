"""The Reauthorization plan view: its actions, its states, and their moves, driven like a person
on a support call would (keys, clicks), against real windows and, for a consent, the simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton

from core.domain import changes as ch
from core.domain.inventory import CheckResult
from core.domain.plan import build_plan
from core.services.demo import DemoWorkspace, open_demo
from core.services.lanes import Lanes
from core.storage.keychain import MemorySecretStore
from gui.main_window import MainWindow
from gui.plan.dialog import PlanDialog
from gui.reauthorize.dialog import ReauthorizeDialog
from gui.tasks import TaskRunner
from tests.core.test_plan_progress import KEY, seed
from tests.gui.amazon_support import WAIT_MS, UrlCatcher, browser, follow
from tests.gui.conftest import Dialogs, Opened

__all__ = ["browser"]  # the fixture


def open_plan_by_keys(window: MainWindow, qtbot: Any) -> PlanDialog:
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    (dialog,) = [d for d in window.findChildren(PlanDialog) if d.isVisible()]
    dialog.activateWindow()  # its Alt+letter buttons answer in the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    return dialog


def press(button: QPushButton, qtbot: Any) -> None:
    """Reach a button with the keyboard (Tab) and press it with Space."""
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(button, Qt.Key.Key_Space)


def rows_text(dialog: PlanDialog) -> list[tuple[str, ...]]:
    table = dialog.table
    return [
        tuple(
            (item.text() if (item := table.item(r, c)) is not None else "")
            for c in range(table.columnCount())
        )
        for r in range(table.rowCount())
    ]


def row_of(dialog: PlanDialog, key: str) -> tuple[str, ...]:
    return tuple(rows_text(dialog)[[e.key for e in dialog.entries].index(key)])


def consent_dialogs(dialog: PlanDialog) -> list[ReauthorizeDialog]:
    return [d for d in dialog.findChildren(ReauthorizeDialog) if d.isVisible()]


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen: no stacking
def test_ctrl_shift_r_opens_the_plan_with_every_consent_to_do(
    demo_window: Opened, qtbot: Any
) -> None:
    window, ws = demo_window.window, demo_window.ws
    assert window.act.plan.isEnabled()
    dialog = open_plan_by_keys(window, qtbot)
    plan = build_plan(ws.saved, dialog.progress.clock())
    assert [e.key for e in dialog.entries] == [i.key for i in plan]
    assert [r[1] for r in rows_text(dialog)] == [i.title for i in plan]
    assert {r[0] for r in rows_text(dialog)} == {"To do"}
    first = plan[0]
    details = dialog.details.text()
    assert f"Sign in at: {first.seller_central_url}" in details
    assert f"Account to select: Seller ID {first.seller_id}" in details
    assert dialog.details.textFormat() is Qt.TextFormat.PlainText
    assert open_plan_by_keys(window, qtbot) is dialog  # one plan per window
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_reauthorize_opens_the_dialog_for_that_consents_channels(
    demo_window: Opened, qtbot: Any
) -> None:
    dialog = open_plan_by_keys(demo_window.window, qtbot)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)  # the second consent
    entry = dialog.current_entry()
    assert entry is not None
    assert entry.plan_item is not None
    assert entry is dialog.entries[1]
    press(dialog.reauthorize_button, qtbot)
    (consent,) = consent_dialogs(dialog)
    assert consent.target.channel_ids == entry.plan_item.channel_ids
    assert consent.target.expected_seller_id == entry.fields["seller_id"]
    assert row_of(dialog, entry.key)[0] == "To do"
    # The dialog's own Copy link sends the link too.
    qtbot.mouseClick(consent.start_page.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == consent.session.url
    assert row_of(dialog, entry.key)[0] == "Link sent, just now"
    consent.reject()
    dialog.close()


def test_copy_link_copies_the_link_for_that_seller_and_marks_it_sent(
    demo_window: Opened, qtbot: Any
) -> None:
    window, ws = demo_window.window, demo_window.ws
    dialog = open_plan_by_keys(window, qtbot)
    entry = dialog.entries[0]
    assert entry.plan_item is not None
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    (consent,) = consent_dialogs(dialog)  # stays open for the seller's answer
    url = QGuiApplication.clipboard().text()
    assert url == consent.session.url
    assert url.startswith(f"{entry.fields['seller_central_url']}/apps/authorize/consent?")
    state = parse_qs(urlsplit(url).query)["state"][0]
    attempt = consent.session.attempt
    assert attempt is not None
    assert attempt.state == state
    assert attempt.target.expected_seller_id == entry.fields["seller_id"]
    assert attempt.target.channel_ids == entry.plan_item.channel_ids
    assert row_of(dialog, entry.key)[0] == "Link sent, just now"
    assert "State: Link sent" in dialog.details.text()
    assert not ws.is_dirty  # a note, written at once
    consent.reject()  # the consent ends: its link leaves the clipboard
    assert QGuiApplication.clipboard().text() != url
    dialog.close()


def test_copy_link_without_app_credentials_is_refused_plainly(
    tmp_path: Path, open_window: Callable[..., Opened], qtbot: Any, fake_dialogs: Dialogs
) -> None:
    folder = tmp_path / "inventory"
    seed(folder)  # no app credentials
    window = open_window(folder).window
    dialog = open_plan_by_keys(window, qtbot)
    assert dialog.select(KEY)
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    (error,) = fake_dialogs.errors()
    assert "App credentials" in error or "app" in error.lower()
    assert consent_dialogs(dialog) == []
    assert row_of(dialog, KEY)[0] == "To do"
    dialog.close()


def test_a_state_set_by_hand_survives_a_restart(
    tmp_path: Path, open_window: Callable[..., Opened], qtbot: Any
) -> None:
    folder = tmp_path / "inventory"
    seed(folder)
    secrets = MemorySecretStore()
    first = open_window(folder, secrets)
    dialog = open_plan_by_keys(first.window, qtbot)
    assert dialog.select(KEY)
    assert dialog.state_box.focusPolicy() & Qt.FocusPolicy.TabFocus
    dialog.state_box.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(dialog.state_box, Qt.Key.Key_End)  # the last state: Failed
    assert dialog.state_box.currentText() == "Failed"
    press(dialog.set_state_button, qtbot)
    assert row_of(dialog, KEY)[0] == "Failed, just now"
    dialog.close()
    first.window.shutdown()
    first.window.close()

    again = open_window(folder, secrets)
    reopened = open_plan_by_keys(again.window, qtbot)
    assert reopened is not dialog
    assert row_of(reopened, KEY)[0] == "Failed, just now"
    reopened.close()


@pytest.fixture
def demo(qtbot: Any) -> Iterator[MainWindow]:
    """The demo as the app runs it: real lanes, its own simulator."""
    window = MainWindow(TaskRunner(Lanes()), persist_settings=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=WAIT_MS):
        window.open_inventory(open_demo)
    window.show()
    yield window
    window.shutdown()


def test_a_completed_demo_reauthorization_is_done_after_save(
    qtbot: Any, demo: MainWindow, browser: UrlCatcher
) -> None:
    window = demo
    ws = window.workspace
    assert isinstance(ws, DemoWorkspace)
    simulator = ws.simulator
    assert simulator is not None
    window.act.plan.trigger()
    (dialog,) = [d for d in window.findChildren(PlanDialog) if d.isVisible()]
    # Copper Pot's two MWS-only channels: one consent.
    entry = next(e for e in dialog.entries if e.fields["seller_id"] == "A3COPPERPOT5NW")
    qtbot.waitUntil(lambda: dialog.status.text().startswith(("1 ", "9 ", "8 ")), timeout=WAIT_MS)
    assert dialog.select(entry.key)
    simulator.auto_confirm = True
    simulator.auto_confirm_seller_id = "A3COPPERPOT5NW"

    qtbot.mouseClick(dialog.reauthorize_button, Qt.MouseButton.LeftButton)
    (consent,) = consent_dialogs(dialog)
    qtbot.mouseClick(consent.start_page.open_button, Qt.MouseButton.LeftButton)
    follow(browser.urls[0])
    qtbot.waitUntil(lambda: consent.outcome is not None, timeout=WAIT_MS)
    if consent.outcome == "confirm":  # no store name on record: the person confirms
        qtbot.mouseClick(consent.use_button, Qt.MouseButton.LeftButton)
    assert consent.outcome == "success"
    assert row_of(dialog, entry.key)[0] == "To do"  # pending is not done
    consent.accept()

    window.act.save.trigger()
    qtbot.waitUntil(lambda: not ws.is_dirty and not window.saving, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: row_of(dialog, entry.key)[0].startswith("Done"), timeout=WAIT_MS)
    done = dialog.entries[[e.key for e in dialog.entries].index(entry.key)]
    assert not done.in_plan  # its channels are healthy: listed as done for today only
    assert not dialog.reauthorize_button.isEnabled() or dialog.current_entry() is not done
    dialog.close()


def test_a_wrong_account_marks_the_consent_failed_with_its_reason(
    qtbot: Any, demo: MainWindow, browser: UrlCatcher
) -> None:
    window = demo
    ws = window.workspace
    assert isinstance(ws, DemoWorkspace)
    simulator = ws.simulator
    assert simulator is not None
    window.act.plan.trigger()
    (dialog,) = [d for d in window.findChildren(PlanDialog) if d.isVisible()]
    entry = next(e for e in dialog.entries if e.fields["seller_id"] == "A3COPPERPOT5NW")
    assert dialog.select(entry.key)
    other = next(
        s.seller_id
        for s in simulator.sellers
        if s.seller_id != "A3COPPERPOT5NW" and s.region.value == "NA"
    )
    simulator.auto_confirm = True
    simulator.auto_confirm_seller_id = other

    qtbot.mouseClick(dialog.reauthorize_button, Qt.MouseButton.LeftButton)
    (consent,) = consent_dialogs(dialog)
    qtbot.mouseClick(consent.start_page.open_button, Qt.MouseButton.LeftButton)
    follow(browser.urls[0])
    qtbot.waitUntil(lambda: consent.outcome is not None, timeout=WAIT_MS)
    assert consent.outcome == "wrong_account"
    consent.reject()
    qtbot.waitUntil(lambda: row_of(dialog, entry.key)[0].startswith("Failed"), timeout=WAIT_MS)
    assert row_of(dialog, entry.key)[0] == "Failed, just now"
    assert dialog.select(entry.key)
    details = dialog.details.text()
    assert "State: Failed, just now: " in details  # the reason follows, in plain words
    assert other in details
    assert not ws.is_dirty  # nothing kept of the other account's grant
    dialog.close()


def test_rows_follow_test_results_but_not_unsaved_edits(demo_window: Opened, qtbot: Any) -> None:
    window, ws = demo_window.window, demo_window.ws
    dialog = open_plan_by_keys(window, qtbot)
    planned = {c for e in dialog.entries for c in (e.plan_item.channel_ids if e.plan_item else ())}
    now = dialog.progress.clock()
    healthy = next(c for c in ws.saved.channels.values() if c.id not in planned and c.seller_id)
    before = dialog.entries

    company = ws.current.companies[healthy.company_id]
    ws.apply(ch.edit_company(replace(company, name="Renamed, not saved")))
    assert dialog.entries is before  # the plan is the saved inventory's: nothing to rebuild

    # A connection test finds the grant revoked: the channel needs a consent, at once.
    ws.record_health({healthy.id: healthy.health.after(CheckResult.NEEDS_REAUTHORIZATION, now)})
    planned_now = {
        c for e in dialog.entries for c in (e.plan_item.channel_ids if e.plan_item else ())
    }
    assert healthy.id in planned_now
    ws.revert()
    dialog.close()
