"""The details panel's connection section: the 36-hour warning, and the after-reconnection
checklist ticked off with the keyboard and the mouse, kept across closing and reopening, made by
a real reauthorization of the demo's long-failing channel (and not of a healthy one)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from core.domain import recovery
from core.domain.inventory import Channel
from core.services.demo import DemoWorkspace, open_demo
from core.services.lanes import Lanes
from core.simulator import Simulator
from core.storage.keychain import MemorySecretStore
from gui.main_window import MainWindow
from gui.reauthorize.dialog import ReauthorizeDialog
from gui.tasks import TaskRunner
from tests.gui.amazon_support import WAIT_MS, UrlCatcher, browser, follow
from tests.gui.conftest import Opened

__all__ = ["browser"]  # the fixture, imported for its side of the test

Left = Qt.MouseButton.LeftButton


def channel_named(workspace: Any, name: str) -> Channel:
    return next(c for c in workspace.current.channels.values() if c.name == name)


def test_a_channel_failing_36_hours_says_so_in_the_details(demo_window: Opened) -> None:
    page = demo_window.page
    channel = channel_named(demo_window.ws, "Little Acorn Toys AU")  # failing for 50 hours
    assert page.select("channel", channel.id)
    section = page.panel.recovery
    assert section.isVisible()
    lines = section.history.text().splitlines()
    assert lines[0].startswith("Last worked: ")
    assert lines[1].startswith("Failing since ")
    assert lines[1].endswith("(2 days)")
    assert section.warning.isVisible()
    assert "may have to be entered by hand" in section.warning.text()
    assert "full inventory sync" in section.warning.text()
    assert not section.box.isVisible()  # no checklist before it is reconnected


def test_tick_the_checklist_and_find_it_after_reopening(
    qtbot: Any,
    demo_window: Opened,
    demo_dir: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
) -> None:
    page = demo_window.page
    channel = channel_named(demo_window.ws, "Summit Cycle Parts CA")  # half-done checklist
    assert page.select("channel", channel.id)
    section = page.panel.recovery
    assert section.box.isVisible()
    boxes = section.boxes
    assert [boxes[k].isChecked() for k in (recovery.ORDERS, recovery.APP_ACTIVE)] == [False, True]
    assert section.state.text() == "1 of 3 done."
    assert section.labels[recovery.ORDERS].text().startswith("Enter orders from ")
    assert not section.dismiss_button.isVisible()

    # The keyboard reaches the first box; Space ticks it, written at once (no Save).
    boxes[recovery.ORDERS].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(boxes[recovery.ORDERS], Qt.Key.Key_Space)
    assert boxes[recovery.ORDERS].isChecked()
    assert section.state.text() == "2 of 3 done."
    assert not demo_window.ws.is_dirty
    assert not demo_window.window.windowTitle().startswith("*")
    # Tab moves to the next box; the next item is ticked by a click on its words.
    qtbot.keyClick(boxes[recovery.ORDERS], Qt.Key.Key_Tab)
    assert boxes[recovery.INVENTORY_SYNC].hasFocus()
    qtbot.mouseClick(section.labels[recovery.INVENTORY_SYNC], Left)
    assert boxes[recovery.INVENTORY_SYNC].isChecked()
    assert section.state.text() == "Done: every item is ticked off."
    assert section.dismiss_button.isVisible()
    demo_window.window.close()

    again = open_window(demo_dir, secrets)
    assert again.page.select("channel", channel.id)
    section = again.page.panel.recovery
    assert all(box.isChecked() for box in section.boxes.values())
    assert section.state.text() == "Done: every item is ticked off."
    qtbot.mouseClick(section.dismiss_button, Left)
    assert not section.box.isVisible()
    again.window.close()

    third = open_window(demo_dir, secrets)
    assert third.page.select("channel", channel.id)
    assert not third.page.panel.recovery.box.isVisible()  # dismissed stays dismissed
    kept = third.ws.current.channels[channel.id].health.recovery
    assert kept is not None
    assert kept.dismissed


# --- a real reauthorization in the demo ------------------------------------------------------


@pytest.fixture
def demo(qtbot: Any) -> Iterator[tuple[MainWindow, Simulator]]:
    window = MainWindow(TaskRunner(Lanes()), persist_settings=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=WAIT_MS):
        window.open_inventory(open_demo)
    window.show()
    assert isinstance(window.workspace, DemoWorkspace)
    assert window.workspace.simulator is not None
    yield window, window.workspace.simulator
    window.shutdown()


def reauthorize_and_save(
    qtbot: Any, window: MainWindow, simulator: Simulator, browser: UrlCatcher, channel: Channel
) -> None:
    assert window.page is not None
    assert window.workspace is not None
    simulator.auto_confirm = True
    simulator.auto_confirm_seller_id = channel.seller_id
    assert window.page.select("channel", channel.id)
    window.act.reauthorize.trigger()
    (dialog,) = [d for d in window.findChildren(ReauthorizeDialog) if d.isVisible()]
    qtbot.mouseClick(dialog.start_page.open_button, Left)
    follow(browser.urls[-1])
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT_MS)
    if dialog.outcome == "confirm":
        qtbot.mouseClick(dialog.use_button, Left)
    assert dialog.outcome == "success"
    dialog.close()
    ws = window.workspace
    window.act.save.trigger()
    qtbot.waitUntil(lambda: not ws.is_dirty and not window.saving, timeout=WAIT_MS)


def test_reauthorizing_the_long_failing_channel_opens_its_checklist(
    qtbot: Any, demo: tuple[MainWindow, Simulator], browser: UrlCatcher
) -> None:
    window, simulator = demo
    ws = window.workspace
    assert ws is not None
    assert window.page is not None
    failing = channel_named(ws, "Little Acorn Toys AU")
    healthy = channel_named(ws, "Alpine Trail Outfitters US")
    since = failing.health.failing_since
    assert since is not None

    reauthorize_and_save(qtbot, window, simulator, browser, failing)
    found = ws.current.channels[failing.id].health.recovery
    assert found is not None
    assert found.gap_start == since
    assert window.page.select("channel", failing.id)
    section = window.page.panel.recovery
    assert section.box.isVisible()
    assert not section.warning.isVisible()  # it works again
    assert section.state.text() == "0 of 3 done."
    box = section.boxes[recovery.APP_ACTIVE]
    assert box.isEnabled()
    qtbot.mouseClick(box, Left)  # written on the database lane, then shown from the saved state
    qtbot.waitUntil(lambda: section.state.text() == "1 of 3 done.", timeout=WAIT_MS)
    kept = ws.saved.channels[failing.id].health.recovery
    assert kept is not None
    assert kept.ticked == {recovery.APP_ACTIVE}

    reauthorize_and_save(qtbot, window, simulator, browser, healthy)
    assert ws.current.channels[healthy.id].health.recovery is None
    assert window.page.select("channel", healthy.id)
    assert not window.page.panel.recovery.box.isVisible()
