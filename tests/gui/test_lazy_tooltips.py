"""Badge tooltips are written when first read: they still say what they said, and follow changes.

A channel's status is derived for every row the tree shows, but its badges' sentences are only
written when a tooltip (or a report) reads them (:class:`core.domain.status.HealthBadge`). These
tests read them the two ways a person meets them: the cell's tooltip (the model's ToolTipRole)
and a badge's own tooltip (a help event on the badge, as when the mouse rests on it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from core.domain.expiry_changes import confirm_expiry
from core.services.view.sorting import Column
from core.storage.keychain import MemorySecretStore
from gui.inventory.badge_delegate import badge_font, badge_rects
from gui.inventory.model import StatusRole
from gui.text import tooltip
from tests.gui.conftest import Opened
from tests.gui.day_change import EVENING, Clock, open_with_acme_us

SP_API = "SP-API: Connected through Amazon's Selling Partner API."
RENEW = "Amazon asks sellers to renew their authorization every year."


@pytest.fixture
def folder(
    tmp_path: Path, secrets: MemorySecretStore, local_time_zone: Callable[[str], None]
) -> Path:
    local_time_zone("UTC0")
    where = tmp_path / "inventory"
    ws = open_with_acme_us(where, secrets)
    ws.save()
    ws.close()
    return where


def cell_tooltip(opened: Opened) -> str:
    index = opened.page.model.index_of("channel", "ch1", Column.STATUS)
    text = index.data(Qt.ItemDataRole.ToolTipRole)
    assert isinstance(text, str)
    return text


def badge_tooltip(qtbot: Any, opened: Opened, which: int) -> str:
    """The tooltip Qt shows when the mouse rests on the ``which``-th badge of ch1's status."""
    page = opened.page
    view = page.view
    index = page.model.index_of("channel", "ch1", Column.STATUS)
    view.scrollTo(index)
    cell = view.visualRect(index)
    assert cell.isValid()
    rects = badge_rects(index.data(StatusRole), badge_font(view.font()), QRectF(cell))
    spot = rects[which].center().toPoint()
    viewport = view.viewport()
    event = QHelpEvent(QEvent.Type.ToolTip, spot, viewport.mapToGlobal(spot))
    QApplication.sendEvent(viewport, event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=5_000)
    text = QToolTip.text()
    QToolTip.hideText()
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=5_000)
    return text


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # a tooltip, offscreen
def test_badge_tooltips_say_what_each_badge_means(
    qtbot: Any,
    folder: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
) -> None:
    opened = open_window(folder, secrets)
    page = opened.page
    clock = Clock(EVENING + timedelta(seconds=3))  # the grant ends in 30 days: a badge shows
    page.set_clock(clock)
    page.day_timer.check()
    assert page.select("channel", "ch1")  # its company opens: the row is on screen
    expiring = (
        f"Expires in 30 days: This connection ends on 10 Jul 2026: {RENEW} Reauthorize it "
        "before then so nothing stops."
    )
    assert cell_tooltip(opened) == tooltip(f"{SP_API}\n\n{expiring}")
    assert badge_tooltip(qtbot, opened, 0) == tooltip(SP_API)
    assert badge_tooltip(qtbot, opened, 1) == tooltip(expiring)


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_a_tooltip_read_before_midnight_follows_the_new_day_and_a_save(
    qtbot: Any,
    folder: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
) -> None:
    opened = open_window(folder, secrets)
    page, ws = opened.page, opened.ws
    clock = Clock(EVENING)
    page.set_clock(clock)
    assert page.select("channel", "ch1")
    assert cell_tooltip(opened) == tooltip(SP_API)  # 31 days left: nothing to say yet

    clock.now = EVENING + timedelta(seconds=3)
    with qtbot.waitSignal(page.day_timer.dayChanged, timeout=5_000):
        page.day_timer.check()
    assert cell_tooltip(opened) == tooltip(
        f"{SP_API}\n\nExpires in 30 days: This connection ends on 10 Jul 2026: {RENEW} "
        "Reauthorize it before then so nothing stops."
    )

    # Seller Central shows an earlier date: the sentence now says it, and where it comes from.
    ws.apply(confirm_expiry("a1", date(2026, 6, 15), clock.now))
    ws.save()
    assert not ws.is_dirty
    confirmed = (
        "Urgent: 5 days left: This connection ends on 15 Jun 2026 (the date Seller Central "
        f"shows): {RENEW} Reauthorize it now: after that day orders stop coming through."
    )
    assert cell_tooltip(opened) == tooltip(f"{SP_API}\n\n{confirmed}")
    assert badge_tooltip(qtbot, opened, 1) == tooltip(confirmed)
