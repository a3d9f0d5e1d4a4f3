"""What Seller Central shows, in the channel details: the dated app status, and the MWS
Authorization Token masked, revealed only after a question, copied through the clipboard helper.

Real widgets offscreen, driven by clicks and keys; the question is answered by the recorder in
tests/gui/conftest.py. A failing assertion never prints a token: comparisons are by equality.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from core.domain import changes
from core.domain.errors import SecretStoreError
from core.domain.inventory import AppStatus, Channel, Company
from core.domain.marketplaces import by_country
from core.domain.secret import Secret
from core.domain.secret_refs import new_mws_auth_token_ref
from core.domain.seller_central import MWS_TOKEN_MASK
from core.services.lanes import Lanes
from core.services.opening import open_workspace
from core.storage.keychain import SERVICE_NAME, KeyringSecretStore, MemorySecretStore
from gui import dialogs
from gui.inventory.mws_token import MwsTokenField
from gui.tasks import TaskRunner
from tests.gui.conftest import Dialogs, Opened

Left = Qt.MouseButton.LeftButton
WAIT_MS = 10_000
LEGACY = "Copper Pot Kitchenware CA"  # the demo's hybrid channel: an MWS token on record
OTHER = "Summit Cycle Parts CA"
NEW_TOKEN = "amzn.mws.0badc0de-1234-4abc-8def-0123456789ab"


def channel_named(opened: Opened, name: str) -> Channel:
    return next(c for c in opened.ws.current.channels.values() if c.name == name)


def token_of(opened: Opened, channel: Channel, secrets: MemorySecretStore) -> str:
    assert channel.mws_auth_token_ref is not None
    value = secrets.get(channel.mws_auth_token_ref)
    assert value is not None
    return value.reveal()


def field_of(opened: Opened) -> MwsTokenField:
    field: MwsTokenField = opened.page.panel.channel_form.mws_field
    return field


def shown(field: MwsTokenField) -> str:
    """What the field shows, without the break opportunities it adds after dashes."""
    return field.value.text().replace("\u200b", "")


def select(opened: Opened, name: str) -> Channel:
    channel = channel_named(opened, name)
    assert opened.page.select("channel", channel.id)
    return channel


@pytest.fixture
def clipboard(qtbot: Any) -> Iterator[QClipboard]:
    del qtbot  # a QApplication must exist first
    board = QGuiApplication.clipboard()
    board.clear()
    yield board
    board.clear()


# --- Reveal -----------------------------------------------------------------------------------


def test_the_token_is_masked_until_revealed(demo_window: Opened) -> None:
    select(demo_window, LEGACY)
    field = field_of(demo_window)
    assert shown(field) == MWS_TOKEN_MASK
    assert field.reveal_button.isVisible()
    assert field.reveal_button.isEnabled()
    select(demo_window, OTHER)  # no MWS token: nothing to reveal
    assert shown(field) == "None on record"
    assert not field.reveal_button.isVisible()


def test_reveal_asks_first_and_cancel_keeps_it_masked(
    qtbot: Any, demo_window: Opened, fake_dialogs: Dialogs
) -> None:
    select(demo_window, LEGACY)
    field = field_of(demo_window)
    fake_dialogs.confirm = False
    qtbot.mouseClick(field.reveal_button, Left)
    assert len(fake_dialogs.named("confirm_reveal")) == 1
    assert shown(field) == MWS_TOKEN_MASK
    assert not field.revealed
    assert not field.timer.isActive()


def test_yes_shows_the_value_read_from_the_store(
    qtbot: Any, demo_window: Opened, secrets: MemorySecretStore, fake_dialogs: Dialogs
) -> None:
    channel = select(demo_window, LEGACY)
    field = field_of(demo_window)
    qtbot.mouseClick(field.reveal_button, Left)
    assert len(fake_dialogs.named("confirm_reveal")) == 1
    assert field.revealed
    assert Secret(shown(field)) == Secret(token_of(demo_window, channel, secrets))
    assert field.timer.isActive()  # it hides again by itself
    assert field.reveal_button.text() == "Hi&de"
    qtbot.mouseClick(field.reveal_button, Left)  # Hide asks nothing
    assert len(fake_dialogs.named("confirm_reveal")) == 1
    assert shown(field) == MWS_TOKEN_MASK
    assert not field.timer.isActive()


def test_another_selection_hides_it(
    qtbot: Any, demo_window: Opened, secrets: MemorySecretStore
) -> None:
    select(demo_window, LEGACY)
    field = field_of(demo_window)
    qtbot.mouseClick(field.reveal_button, Left)
    assert field.revealed
    select(demo_window, "Brightside Beauty UK")  # another channel with a token of its own
    assert shown(field) == MWS_TOKEN_MASK
    assert not field.revealed
    assert not field.timer.isActive()
    select(demo_window, LEGACY)  # coming back does not bring it back
    assert shown(field) == MWS_TOKEN_MASK


def test_selecting_a_company_hides_it(qtbot: Any, demo_window: Opened) -> None:
    channel = select(demo_window, LEGACY)
    field = field_of(demo_window)
    qtbot.mouseClick(field.reveal_button, Left)
    assert demo_window.page.select("company", channel.company_id)  # the form itself goes away
    assert not field.revealed
    assert not field.timer.isActive()


def test_it_hides_again_after_a_while(qtbot: Any, demo_window: Opened) -> None:
    select(demo_window, LEGACY)
    field = field_of(demo_window)
    field.shown_for_ms = 50
    qtbot.mouseClick(field.reveal_button, Left)
    assert field.revealed
    qtbot.waitUntil(lambda: not field.revealed, timeout=WAIT_MS)
    assert shown(field) == MWS_TOKEN_MASK


def test_a_new_token_typed_hides_the_old_one_and_reveal_shows_the_pending_one(
    qtbot: Any, demo_window: Opened
) -> None:
    select(demo_window, LEGACY)
    panel = demo_window.page.panel
    field = field_of(demo_window)
    qtbot.mouseClick(field.reveal_button, Left)
    qtbot.mouseClick(panel.edit_button, Left)
    entry = panel.channel_form.mws_token
    assert entry.isVisible()
    qtbot.keyClicks(entry, NEW_TOKEN)
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert not field.revealed  # the token on record changed
    qtbot.mouseClick(field.reveal_button, Left)
    assert Secret(shown(field)) == Secret(NEW_TOKEN)  # pending, not yet in the keychain
    assert demo_window.ws.is_dirty


# --- Copy -------------------------------------------------------------------------------------


def test_copy_goes_through_the_clipboard_and_leaves_with_the_selection(
    qtbot: Any,
    demo_window: Opened,
    secrets: MemorySecretStore,
    clipboard: QClipboard,
    fake_dialogs: Dialogs,
) -> None:
    channel = select(demo_window, LEGACY)
    field = field_of(demo_window)
    qtbot.mouseClick(field.copy_button, Left)
    assert Secret(clipboard.text()) == Secret(token_of(demo_window, channel, secrets))
    assert shown(field) == MWS_TOKEN_MASK  # copied, not shown: no question needed
    assert not fake_dialogs.named("confirm_reveal")
    assert field.timer.isActive()
    select(demo_window, OTHER)
    assert clipboard.text() == ""


def test_copy_leaves_what_the_person_copied_since_alone(
    qtbot: Any, demo_window: Opened, clipboard: QClipboard
) -> None:
    select(demo_window, LEGACY)
    field = field_of(demo_window)
    qtbot.mouseClick(field.copy_button, Left)
    clipboard.setText("a note of my own")
    field.shown_for_ms = 50
    qtbot.mouseClick(field.copy_button, Left)
    clipboard.setText("a note of my own")
    qtbot.waitUntil(lambda: not field.timer.isActive(), timeout=WAIT_MS)
    assert clipboard.text() == "a note of my own"


# --- the keychain -------------------------------------------------------------------------------


class LockedKeychain(MemorySecretStore):
    """The edge of the world: a keychain that refuses every read, as a locked one does."""

    def get(self, name: str) -> Secret | None:
        raise SecretStoreError(
            "The keychain is locked.", "Unlock it (log in again) and try once more."
        )


def test_a_keychain_error_shows_its_plain_message(
    qtbot: Any, open_window: Callable[..., Opened], demo_dir: Path, secrets: MemorySecretStore
) -> None:
    locked = LockedKeychain()
    for name in secrets.names():
        value = secrets.get(name)
        assert value is not None
        locked.set(name, value)
    opened = open_window(demo_dir, locked)
    select(opened, LEGACY)
    field = field_of(opened)
    qtbot.mouseClick(field.reveal_button, Left)
    assert field.note.text() == (
        "The keychain is locked. Unlock it (log in again) and try once more."
    )
    assert shown(field) == MWS_TOKEN_MASK
    assert field.reveal_button.isEnabled()  # the person can try again


class ThreadNoting(MemorySecretStore):
    def __init__(self) -> None:
        super().__init__()
        self.threads: list[threading.Thread] = []

    def get(self, name: str) -> Secret | None:
        self.threads.append(threading.current_thread())
        return super().get(name)


def test_the_keychain_is_read_off_the_gui_thread(
    qtbot: Any, open_window: Callable[..., Opened], demo_dir: Path, secrets: MemorySecretStore
) -> None:
    noting = ThreadNoting()
    for name in secrets.names():
        value = secrets.get(name)
        assert value is not None
        noting.set(name, value)
    opened = open_window(demo_dir, noting, runner=TaskRunner(Lanes()))
    channel = select(opened, LEGACY)
    field = field_of(opened)
    noting.threads.clear()
    qtbot.mouseClick(field.reveal_button, Left)
    qtbot.waitUntil(lambda: field.revealed, timeout=WAIT_MS)
    assert Secret(shown(field)) == Secret(token_of(opened, channel, secrets))
    assert noting.threads
    assert threading.main_thread() not in noting.threads
    opened.window.close()


# --- the app status -----------------------------------------------------------------------------

LOOKED = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def test_picking_a_status_records_the_day_through_save_and_reopen(
    qtbot: Any,
    demo_window: Opened,
    open_window: Callable[..., Opened],
    demo_dir: Path,
    secrets: MemorySecretStore,
) -> None:
    channel = select(demo_window, "Copper Pot Kitchenware US")  # not checked yet
    panel = demo_window.page.panel
    form = panel.channel_form
    assert form.app_status.currentText() == "Not checked"
    form.clock = lambda: LOOKED
    qtbot.mouseClick(panel.edit_button, Left)
    form.app_status.setFocus()
    qtbot.keyClick(form.app_status, Qt.Key.Key_Down)  # Not checked -> Active
    stored = demo_window.ws.current.channels[channel.id]
    assert stored.app_status is AppStatus.ACTIVE
    assert stored.app_status_checked_at == LOOKED
    day = f"{LOOKED.astimezone().day} Dec 2026"
    assert form.app_status.currentText() == f"Active (checked {day})"
    qtbot.mouseClick(panel.save_button, Left)
    assert not demo_window.ws.is_dirty
    demo_window.window.close()
    again = open_window(demo_dir, secrets)
    select(again, "Copper Pot Kitchenware US")
    assert again.page.panel.channel_form.app_status.currentText() == f"Active (checked {day})"


def test_picking_the_same_status_again_moves_its_date(qtbot: Any, demo_window: Opened) -> None:
    channel = select(demo_window, LEGACY)  # Active, checked four days ago
    panel = demo_window.page.panel
    form = panel.channel_form
    form.clock = lambda: LOOKED
    qtbot.mouseClick(panel.edit_button, Left)
    form.app_status.activated.emit(form.app_status.currentIndex())  # as a pick from the list
    assert demo_window.ws.current.channels[channel.id].app_status_checked_at == LOOKED
    assert demo_window.ws.is_dirty


# --- where the token must never be --------------------------------------------------------------


def _everything_shown(root: QWidget, revealed: QWidget) -> list[str]:
    texts: list[str] = []
    widgets = [w for w in QApplication.allWidgets() if w is not revealed]
    for widget in widgets:
        texts += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
        texts += [widget.statusTip(), widget.whatsThis(), widget.windowTitle()]
        text = getattr(widget, "text", None)
        if callable(text):
            value = text()
            if isinstance(value, str):
                texts.append(value)
    del root
    return texts


def _tree_texts(opened: Opened) -> list[str]:
    model = opened.page.model
    found: list[str] = []

    def walk(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            for column in range(model.columnCount(parent)):
                index = model.index(row, column, parent)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    found.append(str(index.data(role)))
            walk(model.index(row, 0, parent))

    walk(QModelIndex())
    return found


def test_the_token_is_nowhere_but_the_revealed_field(
    qtbot: Any,
    demo_window: Opened,
    demo_dir: Path,
    secrets: MemorySecretStore,
    clipboard: QClipboard,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    channel = select(demo_window, LEGACY)
    panel = demo_window.page.panel
    field = field_of(demo_window)
    qtbot.mouseClick(panel.edit_button, Left)
    qtbot.keyClicks(panel.channel_form.mws_token, NEW_TOKEN)
    qtbot.keyClick(panel.channel_form.mws_token, Qt.Key.Key_Return)
    qtbot.mouseClick(panel.save_button, Left)
    assert not demo_window.ws.is_dirty
    saved = demo_window.ws.current.channels[channel.id]
    assert Secret(token_of(demo_window, saved, secrets)) == Secret(
        NEW_TOKEN
    )  # in the keychain stand-in
    qtbot.mouseClick(field.reveal_button, Left)
    assert Secret(shown(field)) == Secret(NEW_TOKEN)
    texts = _everything_shown(demo_window.window, field.value) + _tree_texts(demo_window)
    assert not any(NEW_TOKEN in t for t in texts)
    assert NEW_TOKEN not in repr(saved)
    qtbot.mouseClick(field.copy_button, Left)
    select(demo_window, OTHER)
    assert clipboard.text() == ""
    demo_window.window.close()
    needle = NEW_TOKEN.encode()
    files = [p for p in demo_dir.rglob("*") if p.is_file()]
    assert files
    assert not [p.name for p in files if needle in p.read_bytes()]
    assert NEW_TOKEN not in caplog.text
    assert caplog.records  # the flow logged something: the scan looked at a real log


def test_the_question_says_who_may_see_the_screen(qtbot: Any) -> None:
    box, show = dialogs.reveal_box(None, 30)
    qtbot.addWidget(box)
    assert show.text() == "Show token"
    assert "support person" in box.informativeText()
    assert "30 seconds" in box.informativeText()
    assert box.defaultButton() is not show  # Enter does not reveal


# --- the real keychain --------------------------------------------------------------------------


@pytest.mark.keychain
def test_reveal_shows_the_value_from_the_real_secret_service(
    qtbot: Any, open_window: Callable[..., Opened], tmp_path: Path
) -> None:
    """GNOME Keyring on the private D-Bus session of scripts/test, read on the task runner."""
    keychain = KeyringSecretStore(timeout_s=10.0)
    token = f"amzn.mws.{uuid.uuid4()}"  # this run's own: nothing else in the keychain has it
    folder = tmp_path / "inventory"
    ws = open_workspace(folder, secrets=keychain)
    ref = new_mws_auth_token_ref(ws.namespace, "ch1")
    try:
        ws.apply(changes.add_company(Company("c1", "Copper Pot Kitchenware")))
        legacy = Channel("ch1", "c1", by_country("US").id, "Copper Pot US", "A3COPPERPOT5NW")
        ws.apply(changes.add_channel(replace(legacy, mws_auth_token_ref=ref), Secret(token)))
        ws.save()
        ws.close()
        # Saved where it belongs: the Secret Service itself holds it under the entry's name.
        assert Secret(keyring.get_password(SERVICE_NAME, ref) or "") == Secret(token)
        opened = open_window(folder, keychain, runner=TaskRunner(Lanes()))
        assert opened.page.select("channel", "ch1")
        field = field_of(opened)
        assert shown(field) == MWS_TOKEN_MASK
        qtbot.mouseClick(field.reveal_button, Left)
        qtbot.waitUntil(lambda: field.revealed, timeout=WAIT_MS)
        assert Secret(shown(field)) == Secret(token)
        opened.window.close()
        assert not field.revealed  # closing the window hid it and stopped its timer
    finally:
        ws.close()
        keychain.delete(ref)


def _next_focusable(widget: Any) -> Any:
    widget = widget.nextInFocusChain()
    while (
        widget.focusPolicy() == Qt.FocusPolicy.NoFocus
        or not widget.isEnabled()
        or not widget.isVisible()
    ):
        widget = widget.nextInFocusChain()
    return widget


def test_reveal_and_copy_follow_the_merchant_token_in_tab_order_and_take_space(
    qtbot: Any, demo_window: Opened, secrets: MemorySecretStore, clipboard: QClipboard
) -> None:
    channel = select(demo_window, LEGACY)
    form = demo_window.page.panel.channel_form
    field = field_of(demo_window)
    assert _next_focusable(form.merchant_token) is field.reveal_button
    assert _next_focusable(field.reveal_button) is field.copy_button
    field.reveal_button.setFocus()
    qtbot.keyClick(field.reveal_button, Qt.Key.Key_Space)
    assert Secret(shown(field)) == Secret(token_of(demo_window, channel, secrets))
    qtbot.keyClick(field.reveal_button, Qt.Key.Key_Space)  # now Hide
    assert shown(field) == MWS_TOKEN_MASK
    field.copy_button.setFocus()
    qtbot.keyClick(field.copy_button, Qt.Key.Key_Space)
    assert Secret(clipboard.text()) == Secret(token_of(demo_window, channel, secrets))
