"""The demo as a newcomer uses it: the main window, its simulator, Reauthorize, Save.

Requests stands in for the system browser (the real Chromium hand-off is covered by
tests/integration/test_browser_handoff.py). The window runs on real lanes, as the app does:
it opens on the database lane and asks Amazon on a network thread, so every wait here waits
for something (an immediate runner would make each one true at once). Every wait is bounded,
nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from core.domain.inventory import utcnow
from core.domain.status import channel_status
from core.services.demo import DemoWorkspace, open_demo
from core.services.lanes import Lanes
from core.services.view.sorting import Column
from core.simulator import Simulator
from gui.inventory.model import StatusRole
from gui.main_window import MainWindow
from gui.reauthorize.dialog import ReauthorizeDialog
from gui.tasks import TaskRunner
from tests.gui.amazon_support import WAIT_MS, UrlCatcher, browser, follow

__all__ = ["browser"]  # the fixture, imported for its side of the test


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


def channels_of_seller(window: MainWindow, seller_id: str, region: str) -> list[str]:
    assert window.workspace is not None
    inv = window.workspace.current
    return [
        c.id for c in inv.channels.values() if c.seller_id == seller_id and c.region.value == region
    ]


def badge_texts(window: MainWindow, channel_id: str) -> list[str]:
    assert window.page is not None
    index = window.page.model.index_of("channel", channel_id, Column.STATUS)
    return [b.text for b in index.data(StatusRole)]


def reauthorize(qtbot: Any, window: MainWindow, channel_id: str) -> ReauthorizeDialog:
    assert window.page is not None
    assert window.page.select("channel", channel_id)
    assert window.act.reauthorize.isEnabled()
    window.act.reauthorize.trigger()
    (dialog,) = [d for d in window.findChildren(ReauthorizeDialog) if d.isVisible()]
    assert dialog.runner is window.runner  # the window's lanes, shut down in one place
    return dialog


def test_reauthorize_a_legacy_channel_in_the_demo(
    qtbot: Any, demo: tuple[MainWindow, Simulator], browser: UrlCatcher
) -> None:
    window, simulator = demo
    ws = window.workspace
    assert ws is not None
    inv = ws.current
    mws = next(c for c in inv.channels.values() if badge_texts(window, c.id) == ["MWS"])
    assert mws.seller_id is not None
    same_seller = channels_of_seller(window, mws.seller_id, mws.region.value)
    simulator.auto_confirm = True
    simulator.auto_confirm_seller_id = mws.seller_id

    dialog = reauthorize(qtbot, window, mws.id)
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    (url,) = browser.urls
    assert url.startswith(simulator.base_url)  # the demo never reaches Amazon
    assert "return to SP Connect" in follow(url).text
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT_MS)
    # A legacy channel has no store name on record to compare Amazon's answer with: the
    # person sees what Amazon reports and confirms before anything is pending.
    assert dialog.outcome == "confirm"
    assert "Amazon reports" in dialog.result_page.text.text()
    assert not ws.is_dirty
    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    assert dialog.outcome == "success"
    for channel_id in same_seller:
        assert "Unsaved" in badge_texts(window, channel_id)
    assert window.windowTitle().startswith("*")

    window.act.save.trigger()
    qtbot.waitUntil(lambda: not ws.is_dirty and not window.saving, timeout=WAIT_MS)
    now_inv = ws.current
    for channel_id in same_seller:
        texts = badge_texts(window, channel_id)
        assert texts[0] in ("MWS/SP-API", "SP-API"), texts
        assert "Unsaved" not in texts
        status = channel_status(now_inv.channels[channel_id], now_inv, utcnow())
        assert not status.needs_reauthorization


def test_the_wrong_account_is_refused_in_the_demo(
    qtbot: Any, demo: tuple[MainWindow, Simulator], browser: UrlCatcher
) -> None:
    window, simulator = demo
    ws = window.workspace
    assert ws is not None
    inv = ws.current
    mws = next(c for c in inv.channels.values() if badge_texts(window, c.id) == ["MWS"])
    other = next(
        s.seller_id
        for s in simulator.sellers
        if s.seller_id != mws.seller_id and s.region is mws.region
    )
    simulator.auto_confirm = True
    simulator.auto_confirm_seller_id = other

    dialog = reauthorize(qtbot, window, mws.id)
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    follow(browser.urls[0])
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT_MS)
    assert dialog.outcome == "wrong_account"
    assert other in dialog.result_page.text.text()
    assert not ws.is_dirty
    assert badge_texts(window, mws.id) == ["MWS"]
