"""The main window, driven through its real widgets offscreen."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit

from core.domain.errors import SecretStoreError, StoreError
from core.domain.inventory import Channel, Company
from core.domain.secret import Secret
from core.domain.summary import Category
from core.services.view.rows import QuickFilter
from core.services.view.sorting import Column
from core.storage.keychain import MemorySecretStore, UnavailableSecretStore
from gui.inventory.model import StatusRole
from gui.main_window import MainWindow
from tests.gui.conftest import Dialogs, Opened
from tests.leaks import ExpectedWarnings
from tests.secret_names import ref_parts

Left = Qt.MouseButton.LeftButton


def channel_named(opened: Opened, name: str) -> Channel:
    return next(c for c in opened.ws.current.channels.values() if c.name == name)


def company_named(opened: Opened, name: str) -> Company:
    return next(c for c in opened.ws.current.companies.values() if c.name == name)


def badges(opened: Opened, kind: str, item_id: str) -> list[str]:
    index = opened.page.model.index_of(kind, item_id, Column.STATUS)
    return [b.text for b in index.data(StatusRole)]


def type_into(qtbot: Any, edit: QLineEdit, text: str) -> None:
    """Replace a field's text as a person would, and press Enter to leave it."""
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def edit_channel_name(qtbot: Any, opened: Opened, name: str, new_name: str) -> Channel:
    channel = channel_named(opened, name)
    page = opened.page
    assert page.select("channel", channel.id)
    qtbot.mouseClick(page.panel.edit_button, Left)
    assert page.panel.editing
    type_into(qtbot, page.panel.channel_form.name, new_name)
    return channel


def test_edit_a_channel_save_and_find_it_after_reopening(
    qtbot: Any,
    demo_window: Opened,
    demo_dir: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
) -> None:
    window, page = demo_window.window, demo_window.page
    channel = channel_named(demo_window, "Maple & Moss Stationery UK")
    assert page.select("channel", channel.id)
    assert page.panel.channel_form.seller_id.isReadOnly()  # read-only until Edit
    assert not window.act.save.isEnabled()
    qtbot.mouseClick(page.panel.edit_button, Left)
    type_into(qtbot, page.panel.channel_form.seller_id, "a2maplemoss5de")
    assert "Unsaved" in badges(demo_window, "channel", channel.id)
    assert [b.text for b in page.panel.badges.badges()] == ["Not connected", "Unsaved"]
    assert window.windowTitle().startswith("*")
    assert window.act.save.isEnabled()
    assert demo_window.ws.current.channels[channel.id].seller_id == "A2MAPLEMOSS5DE"
    qtbot.mouseClick(page.panel.save_button, Left)
    assert not demo_window.ws.is_dirty
    assert "Unsaved" not in badges(demo_window, "channel", channel.id)
    assert not window.windowTitle().startswith("*")
    assert not page.panel.editing
    window.close()
    assert not window.isVisible()
    again = open_window(demo_dir, secrets)
    assert again.ws.current.channels[channel.id].seller_id == "A2MAPLEMOSS5DE"


def test_an_mws_token_typed_in_the_form_gets_its_kinds_entry_name(
    qtbot: Any, demo_window: Opened
) -> None:
    page = demo_window.page
    channel = channel_named(demo_window, "Maple & Moss Stationery UK")
    assert page.select("channel", channel.id)
    qtbot.mouseClick(page.panel.edit_button, Left)
    token = "amzn.mws.4ea38b7b-f563-7709-4bae-87aea15c0c2d"
    type_into(qtbot, page.panel.channel_form.mws_token, token)
    ref = demo_window.ws.current.channels[channel.id].mws_auth_token_ref
    assert ref_parts(ref) == (demo_window.ws.namespace, "mws-auth-token", channel.id)
    assert demo_window.ws.secret(ref) == Secret(token)


def test_inline_validation_refuses_a_bad_seller_id(qtbot: Any, demo_window: Opened) -> None:
    page = demo_window.page
    channel = channel_named(demo_window, "Maple & Moss Stationery UK")
    page.select("channel", channel.id)
    page.panel.set_editing(True)
    form = page.panel.channel_form
    type_into(qtbot, form.seller_id, "not a seller")
    assert "capital letters and digits" in form.messages()["seller_id"]
    assert not demo_window.ws.is_dirty  # refused: nothing became pending
    type_into(qtbot, form.seller_id, "A12345")
    assert form.messages()["seller_id"].startswith("Check:")  # a warning lets it through
    assert demo_window.ws.current.channels[channel.id].seller_id == "A12345"


def test_revert_drops_every_pending_change(qtbot: Any, demo_window: Opened) -> None:
    window, page = demo_window.window, demo_window.page
    channel = edit_channel_name(qtbot, demo_window, "Summit Cycle Parts CA", "Summit Canada")
    assert page.model.index_of("channel", channel.id).data() == "Summit Canada"
    qtbot.mouseClick(page.panel.revert_button, Left)
    assert not demo_window.ws.is_dirty
    assert page.model.index_of("channel", channel.id).data() == "Summit Cycle Parts CA"
    assert page.panel.channel_form.name.text() == "Summit Cycle Parts CA"
    assert not window.windowTitle().startswith("*")


def test_undo_takes_back_the_last_change_only(qtbot: Any, demo_window: Opened) -> None:
    window, page = demo_window.window, demo_window.page
    channel = edit_channel_name(qtbot, demo_window, "Summit Cycle Parts CA", "Summit Canada")
    type_into(qtbot, page.panel.channel_form.name, "Summit CA")
    assert window.act.undo.text() == "&Undo edit channel"
    qtbot.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert demo_window.ws.current.channels[channel.id].name == "Summit Canada"
    window.act.undo.trigger()
    assert not demo_window.ws.is_dirty
    assert not window.act.undo.isEnabled()


@pytest.mark.parametrize("answer", ["cancel", "discard", "save"])
def test_closing_with_unsaved_changes_asks(
    qtbot: Any,
    demo_window: Opened,
    fake_dialogs: Dialogs,
    answer: str,
    demo_dir: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
) -> None:
    channel = edit_channel_name(qtbot, demo_window, "Summit Cycle Parts CA", "Summit Canada")
    fake_dialogs.unsaved_answer = answer
    demo_window.window.close()
    assert fake_dialogs.named("ask_unsaved") == [(1,)]
    if answer == "cancel":
        assert demo_window.window.isVisible()
        assert demo_window.ws.is_dirty
        fake_dialogs.unsaved_answer = "discard"  # let the fixture close it
        return
    assert not demo_window.window.isVisible()
    saved_name = open_window(demo_dir, secrets).ws.current.channels[channel.id].name
    assert saved_name == ("Summit Canada" if answer == "save" else "Summit Cycle Parts CA")


def test_a_failed_save_keeps_every_change_pending(
    qtbot: Any, demo_window: Opened, fake_dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = demo_window.window
    channel = edit_channel_name(qtbot, demo_window, "Summit Cycle Parts CA", "Summit Canada")

    def disk_full(*_args: object) -> None:
        raise StoreError("The changes could not be written (disk full).", "Free some space.")

    monkeypatch.setattr(demo_window.ws.store, "save", disk_full)
    window.act.save.trigger()
    assert fake_dialogs.errors() == [
        "The changes could not be written (disk full). Free some space."
    ]
    assert demo_window.ws.is_dirty
    assert "Unsaved" in badges(demo_window, "channel", channel.id)
    assert window.windowTitle().startswith("*")
    assert window.act.save.isEnabled()
    assert "still pending" in window.statusBar().currentMessage()


def test_without_a_keychain_the_window_opens_and_save_explains(
    qtbot: Any, demo_dir: Path, open_window: Callable[..., Opened], fake_dialogs: Dialogs
) -> None:
    missing = SecretStoreError("No keychain was found on this computer.", "Install GNOME Keyring.")
    opened = open_window(demo_dir, UnavailableSecretStore(missing))
    window = opened.window
    assert window.secrets_label.text() == "Secrets: unavailable, saving is off"
    assert "Install GNOME Keyring." in window.secrets_label.toolTip()
    assert window.file_label.text().startswith("Data: ")
    edit_channel_name(qtbot, opened, "Summit Cycle Parts CA", "Summit Canada")
    qtbot.keyClick(opened.page.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "Nothing was saved" in fake_dialogs.errors()[0]
    assert opened.ws.is_dirty


def test_filter_box_and_quick_filters(qtbot: Any, demo_window: Opened) -> None:
    page = demo_window.page
    model = page.model
    qtbot.keyClicks(page.filter_edit, "copper")
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Copper Pot Kitchenware"]
    assert page.shown_label.text() == "Showing 3 of 25 channels"
    page.filter_edit.clear()
    qtbot.mouseClick(page.quick_buttons[QuickFilter.MWS], Left)
    assert model.rows.quick is QuickFilter.MWS
    assert page.shown_label.text() == "Showing 3 of 25 channels"  # US, MX and DE: MWS only
    assert {model.index(r, 0).data() for r in range(model.rowCount())} == {
        "Copper Pot Kitchenware",
        "Golden Hive Honey Co.",
    }
    qtbot.mouseClick(page.banner.button(Category.HEALTHY), Left)  # the banner filters too
    assert model.rows.quick is QuickFilter.HEALTHY
    assert not any(b.isChecked() for b in page.quick_buttons.values())
    assert page.shown_label.text() == f"Showing {model.counts[Category.HEALTHY]} of 25 channels"
    demo_window.window.act.quick["all"].trigger()
    assert model.rows.quick is QuickFilter.ALL
    assert page.shown_label.text() == ""


def test_banner_says_in_plain_words_what_needs_doing(demo_window: Opened) -> None:
    text = demo_window.page.banner.text()
    assert text.startswith("25 channels:")
    assert "need reauthorization" in text
    assert "expire within 30 days" in text
    assert "are fine" in text


def test_add_and_remove_are_pending_until_save(
    qtbot: Any, demo_window: Opened, fake_dialogs: Dialogs
) -> None:
    window, page = demo_window.window, demo_window.page
    window.act.add_company.trigger()
    assert page.panel.editing
    type_into(qtbot, page.panel.company_form.name, "Zephyr Goods")
    company = company_named(demo_window, "Zephyr Goods")
    assert page.current() == ("company", company.id)
    window.act.add_channel.trigger()
    new_channel = next(
        c for c in demo_window.ws.current.channels.values() if c.company_id == company.id
    )
    assert new_channel.name == "Zephyr Goods US"
    assert "Unsaved" in badges(demo_window, "channel", new_channel.id)
    page.select("company", company.id)
    fake_dialogs.confirm = False
    window.act.remove.trigger()
    assert company.id in demo_window.ws.current.companies  # the person said no
    fake_dialogs.confirm = True
    window.act.remove.trigger()
    assert company.id not in demo_window.ws.current.companies
    assert "Removed" in window.statusBar().currentMessage()
    window.act.undo.trigger()
    assert company.id in demo_window.ws.current.companies


def test_set_and_clear_a_unified_parent(qtbot: Any, demo_window: Opened) -> None:
    page = demo_window.page
    maple = company_named(demo_window, "Maple & Moss Stationery")
    summit = company_named(demo_window, "Summit Cycle Parts")
    page.select("company", maple.id)
    page.panel.set_editing(True)
    form = page.panel.company_form
    form.parent_box.setCurrentText("Summit Cycle Parts")
    form.parent_box.activated.emit(form.parent_box.currentIndex())
    assert demo_window.ws.current.companies[maple.id].parent_id == summit.id
    index = page.model.index_of("company", maple.id)
    assert index.parent() == page.model.index_of("company", summit.id)
    assert page.current() == ("company", maple.id)  # still selected after the move
    form.parent_box.setCurrentIndex(0)
    form.parent_box.activated.emit(0)
    assert demo_window.ws.current.companies[maple.id].parent_id is None
    assert not page.model.index_of("company", maple.id).parent().isValid()


def test_an_empty_inventory_shows_the_welcome_view(
    qtbot: Any, tmp_path: Path, open_window: Callable[..., Opened]
) -> None:
    launched: list[int] = []
    opened = open_window(tmp_path / "empty", launch_demo=lambda: launched.append(1))
    window = opened.window
    assert window.stack.currentWidget() is window.welcome
    welcome = window.welcome
    assert welcome is not None
    assert not welcome.import_button.isEnabled()
    qtbot.mouseClick(welcome.demo_button, Left)
    assert launched == [1]
    qtbot.mouseClick(welcome.add_button, Left)
    assert window.stack.currentWidget() is window.page
    assert opened.page.panel.editing
    window.act.undo.trigger()
    assert window.stack.currentWidget() is window.welcome


def test_a_second_copy_opens_read_only(
    qtbot: Any, demo_dir: Path, secrets: MemorySecretStore, open_window: Callable[..., Opened]
) -> None:
    first = open_window(demo_dir, secrets)
    second = open_window(demo_dir, secrets)
    assert second.ws.read_only
    assert first.ws.store is not None
    assert not second.page.read_only_notice.isHidden()
    assert "Read-only" in second.page.read_only_notice.text()
    assert not second.window.act.edit.isEnabled()
    assert not second.window.act.add_company.isEnabled()
    assert "(read-only)" in second.window.windowTitle()


def test_a_damaged_inventory_offers_the_newest_backup(
    qtbot: Any,
    demo_dir: Path,
    secrets: MemorySecretStore,
    runner: Any,
    fake_dialogs: Dialogs,
    expected_warnings: ExpectedWarnings,
) -> None:
    expected_warnings.allow("core.storage", r"file is not a database")
    from core.services.opening import open_workspace

    workspace = open_workspace(demo_dir, secrets=secrets)
    assert workspace.store is not None
    workspace.store.backup("test")
    workspace.close()
    (demo_dir / "inventory.sqlite3").write_bytes(b"this is not a database" * 100)
    for side in ("inventory.sqlite3-wal", "inventory.sqlite3-shm"):
        (demo_dir / side).unlink(missing_ok=True)
    fake_dialogs.restore = True
    window = MainWindow(runner, persist_settings=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        window.open_inventory(lambda: open_workspace(demo_dir, secrets=secrets))
    assert len(fake_dialogs.named("offer_restore")) == 1
    assert window.page is not None
    assert window.page.model.total == 25
    # The damaged file could not be read, so nobody can tell which sellers were authorized
    # after the backup: said so, with what to do.
    ((message, next_step),) = fake_dialogs.named("show_restored")
    assert "cannot tell which sellers" in message
    assert "Test connection" in next_step


def test_every_button_has_a_tooltip_and_an_accessible_name(demo_window: Opened) -> None:
    window = demo_window.window
    buttons = window.findChildren(QAbstractButton)
    assert len(buttons) > 10
    for button in buttons:
        if button.objectName().startswith("qt_") or not button.text():
            continue  # Qt's own (the toolbar's extension arrow, the line edit's clear button)
        assert button.toolTip(), button.text()
        name = button.accessibleName() or button.text()
        assert name.replace("&", ""), button
    for action in window.act.__dict__.values():
        if hasattr(action, "toolTip"):
            assert action.toolTip()


def test_tab_goes_from_the_filter_to_the_tree(qtbot: Any, demo_window: Opened) -> None:
    page = demo_window.page
    order = [page.filter_edit, *page.quick_buttons.values(), page.view, page.panel.edit_button]

    def next_focusable(widget: Any) -> Any:
        widget = widget.nextInFocusChain()
        while widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isEnabled():
            widget = widget.nextInFocusChain()
        return widget

    for widget, following in itertools.pairwise(order[:-1]):  # Edit is off: no selection
        assert next_focusable(widget) is following


def test_window_geometry_is_remembered(
    qtbot: Any, demo_dir: Path, secrets: MemorySecretStore, open_window: Callable[..., Opened]
) -> None:
    first = open_window(demo_dir, secrets, persist=True)
    first.window.setGeometry(QRect(20, 30, 760, 520))  # the offscreen screen is 800 x 600
    first.window.close()
    second = open_window(demo_dir, secrets, persist=True)
    assert second.window.size().width() == 760
    assert second.window.size().height() == 520


def test_the_details_panel_scrolls_only_when_its_page_needs_it(demo_window: Opened) -> None:
    """The long channel form must not give the empty page or a company a scroll bar."""
    window, ws, page = demo_window.window, demo_window.ws, demo_window.page
    window.resize(1400, 900)
    bar = page.panel.scroll_area.verticalScrollBar()
    page.panel.show_item(None, None)
    QApplication.processEvents()
    assert not bar.isVisible()
    company = next(iter(ws.current.companies))
    page.panel.show_item("company", company)
    QApplication.processEvents()
    assert not bar.isVisible()


def test_the_first_window_fits_the_screen_with_room_for_a_taskbar(demo_window: Opened) -> None:
    """A 1366x768 laptop has less room than 1280x800: the window must not hide its status bar.

    The offscreen screen (800x800) is smaller than the preferred size, as such a laptop's is.
    """
    window = demo_window.window
    room = window.screen().availableGeometry()
    assert room.width() < 1280 or room.height() < 800  # else this test proves nothing
    assert window.width() <= room.width() - 40
    assert window.height() <= room.height() - 80
    assert window.width() >= window.minimumWidth()
    assert window.height() >= window.minimumHeight()
    assert window.statusBar().isVisible()
