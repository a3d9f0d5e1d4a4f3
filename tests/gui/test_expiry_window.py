"""Expiry in the window: counts that change at midnight without an edit, the end date in the
details panel, and the banner's first sentence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt

from core.domain import changes as ch
from core.domain import dates
from core.domain.expiry_changes import confirm_expiry
from core.domain.inventory import GRANT_LIFETIME
from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.domain.secret_refs import new_refresh_token_ref
from core.domain.summary import Category
from core.services.view.sorting import Column
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from gui.inventory.day_timer import MAX_WAIT_MS
from gui.inventory.model import StatusRole
from tests.core.factories import UK, authorization, channel
from tests.gui.conftest import Opened
from tests.gui.day_change import ENDS, EVENING, Clock, open_with_acme_us

Left = Qt.MouseButton.LeftButton
UK_SELLER = "A2EXAMPLEUK7QZ"


@pytest.fixture
def folder(
    tmp_path: Path, secrets: MemorySecretStore, local_time_zone: Callable[[str], None]
) -> Path:
    local_time_zone("UTC0")
    where = tmp_path / "inventory"
    ws = open_with_acme_us(where, secrets)
    ws.apply(ch.add_channel(channel("ch2", marketplace_id=UK, seller_id=UK_SELLER, name="Acme UK")))
    uk_grant = authorization(
        "a2",
        UK_SELLER,
        Region.EU,
        new_refresh_token_ref(ws.namespace, "a2"),
        ENDS + timedelta(days=200) - GRANT_LIFETIME,
    )
    ws.apply(ch.set_authorization(uk_grant, Secret("Atzr|a2"), ["ch2"]))
    ws.save()
    ws.close()
    return where


def status_texts(opened: Opened, channel_id: str) -> list[str]:
    index = opened.page.model.index_of("channel", channel_id, Column.STATUS)
    return [b.text for b in index.data(StatusRole)]


def test_counts_and_badges_change_at_midnight_without_an_edit(
    qtbot: Any,
    folder: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
) -> None:
    opened = open_window(folder, secrets)
    page = opened.page
    clock = Clock(EVENING)
    page.set_clock(clock)
    assert page.select("channel", "ch1")
    assert page.model.counts.get(Category.EXPIRING, 0) == 0
    assert page.banner.button(Category.HEALTHY).text() == "2 are fine"
    assert page.banner.first_step() == "All connections are healthy."
    assert status_texts(opened, "ch1") == ["SP-API"]
    timer = page.day_timer.timer
    assert timer.isActive()
    # Armed from the clock for the next local midnight (and half a second), not for 24 hours.
    assert timer.interval() == 2_500

    clock.now = EVENING + timedelta(seconds=3)  # a new day, and nothing edited
    with qtbot.waitSignal(page.day_timer.dayChanged, timeout=10_000):
        pass  # the real timer fires (two seconds and a half after it was armed)
    assert not opened.ws.is_dirty
    assert page.model.counts[Category.EXPIRING] == 1
    assert page.banner.button(Category.EXPIRING).text() == "1 expires within 30 days"
    assert page.banner.button(Category.HEALTHY).text() == "1 is fine"
    assert status_texts(opened, "ch1") == ["SP-API", "Expires in 30 days"]
    assert [b.text for b in page.panel.badges.badges()] == ["SP-API", "Expires in 30 days"]
    assert page.banner.first_step() == (
        "Plan to reauthorize 1 channel by 10 Jul 2026: its authorization ends in 30 days."
    )
    # Re-armed from the clock for the next midnight (capped, so a wake is noticed soon).
    assert timer.isActive()
    assert timer.interval() == MAX_WAIT_MS


def test_a_jump_of_several_days_is_caught_at_the_next_check(
    qtbot: Any,
    folder: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
) -> None:
    opened = open_window(folder, secrets)
    page = opened.page
    clock = Clock(EVENING)
    page.set_clock(clock)
    clock.now = EVENING + timedelta(days=25)  # the machine slept, or the clock was set
    with qtbot.waitSignal(page.day_timer.dayChanged, timeout=10_000):
        pass
    assert status_texts(opened, "ch1") == ["SP-API", "Urgent: 6 days left"]
    assert page.banner.first_step().startswith("Reauthorize 1 channel by 10 Jul 2026")


def test_the_end_date_from_seller_central_in_the_details_panel(
    qtbot: Any,
    folder: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
) -> None:
    opened = open_window(folder, secrets)
    page, ws = opened.page, opened.ws
    clock = Clock(EVENING)
    page.set_clock(clock)
    assert page.select("channel", "ch2")
    form = page.panel.channel_form
    field = form.expiry
    assert field.isVisible()
    assert "Manage Your Apps" in field.help.text()
    assert not field.confirmed.isEnabled()  # read-only until Edit
    qtbot.mouseClick(page.panel.edit_button, Left)
    field.confirmed.setFocus()
    qtbot.keyClick(field.confirmed, Qt.Key.Key_Space)  # tick "Use the date Seller Central shows"
    assert field.date.isEnabled()
    # A mistyped year is refused under the field, and nothing becomes pending.
    field.date.setDate(QDate(2036, 7, 1))
    qtbot.keyClick(field.date, Qt.Key.Key_Return)
    assert "Check the year" in form.messages()["expiry_confirmed"]
    assert not ws.is_dirty
    field.date.setDate(QDate(2026, 6, 30))
    qtbot.keyClick(field.date, Qt.Key.Key_Return)
    assert "expiry_confirmed" not in form.messages()
    assert ws.current.authorizations["a2"].expiry_confirmed
    assert status_texts(opened, "ch2") == ["SP-API", "Expires in 21 days", "Unsaved"]
    qtbot.mouseClick(page.panel.save_button, Left)
    assert not ws.is_dirty
    opened.window.close()

    again = Workspace.open(folder, secrets)
    try:
        auth = again.current.authorizations["a2"]
        assert auth.expiry_confirmed
        assert dates.local_day(auth.expires_at) == date(2026, 6, 30)
    finally:
        again.close()


def test_clearing_the_end_date_goes_back_to_365_days(
    qtbot: Any,
    folder: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
) -> None:
    ws = Workspace.open(folder, secrets)
    try:
        ws.apply(confirm_expiry("a2", date(2026, 6, 20), EVENING))
        ws.save()
    finally:
        ws.close()
    opened = open_window(folder, secrets)
    page = opened.page
    page.set_clock(Clock(EVENING))
    assert page.select("channel", "ch2")
    field = page.panel.channel_form.expiry
    assert field.confirmed.isChecked()
    assert field.date.date() == QDate(2026, 6, 20)
    assert status_texts(opened, "ch2") == ["SP-API", "Expires in 11 days"]
    qtbot.mouseClick(page.panel.edit_button, Left)
    field.confirmed.setFocus()
    qtbot.keyClick(field.confirmed, Qt.Key.Key_Space)  # untick: count 365 days again
    auth = opened.ws.current.authorizations["a2"]
    assert not auth.expiry_confirmed
    assert auth.expires_at == auth.granted_at + GRANT_LIFETIME
    assert status_texts(opened, "ch2") == ["SP-API", "Unsaved"]


def test_the_demo_banner_says_what_to_do_first(demo_window: Opened) -> None:
    page = demo_window.page
    first = page.banner.first_step()
    assert first.startswith("Reauthorize ")
    assert " expired and " in first  # the demo has expired grants and refused ones
    texts = {
        text
        for channel_id in demo_window.ws.current.channels
        for text in status_texts(demo_window, channel_id)
    }
    assert any(t.startswith("Urgent: ") and t.endswith(" left") for t in texts)
    assert "Expires in 20 days" in texts or "Expires in 19 days" in texts


def test_expires_today_becomes_expired_at_its_moment_not_only_at_midnight(
    qtbot: Any,
    folder: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
) -> None:
    opened = open_window(folder, secrets)
    page = opened.page
    clock = Clock(ENDS - timedelta(seconds=2))  # 14:59:58 on ch1's last day
    page.set_clock(clock)
    assert status_texts(opened, "ch1") == ["SP-API", "Urgent: ends today"]
    assert page.day_timer.timer.interval() == 2_500  # its moment comes before midnight
    clock.now = ENDS + timedelta(seconds=1)
    with qtbot.waitSignal(page.day_timer.dayChanged, timeout=10_000):
        pass
    assert status_texts(opened, "ch1") == ["SP-API", "Expired"]
    assert page.banner.first_step() == "Reauthorize 1 channel: its authorization has expired."


def test_a_check_on_the_same_day_changes_nothing(
    qtbot: Any,
    folder: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
) -> None:
    opened = open_window(folder, secrets)
    page = opened.page
    clock = Clock(EVENING - timedelta(hours=5))
    page.set_clock(clock)
    clock.now += timedelta(minutes=15)  # the capped shot after a wake, on the same day
    with qtbot.assertNotEmitted(page.day_timer.dayChanged):
        page.day_timer.check()
    assert page.day_timer.timer.isActive()  # re-armed from the clock
    assert status_texts(opened, "ch1") == ["SP-API"]
