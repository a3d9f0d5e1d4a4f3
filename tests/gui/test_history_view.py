"""The History view: opened from the details panel, the Edit menu and Ctrl+H; newest first;
a channel's authorization versions; read-only, plain text, closed with Esc."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTableWidget

from core.domain import changes
from core.domain.inventory import Authorization, AuthSource, Channel, utcnow
from core.domain.secret import Secret
from core.domain.secret_refs import new_refresh_token_ref
from core.services.lanes import Lanes
from core.services.workspace import Workspace
from gui.history import HistoryDialog
from gui.tasks import TaskRunner
from tests.gui.conftest import Opened

UK = "A1F83G8C2ARO7P"


def alpine_uk(ws: Workspace) -> Channel:
    return next(
        c
        for c in ws.current.channels.values()
        if c.marketplace_id == UK and c.seller_id == "A1ALPINETRAIL7Q"
    )


def saved(opened: Opened, qtbot: Any) -> None:
    """Save through the window, as Ctrl+S does, and wait until it is done."""
    with qtbot.waitSignal(opened.window.saveFinished, timeout=10_000):
        qtbot.keyClick(opened.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def reauthorize(opened: Opened, channel: Channel, qtbot: Any) -> Authorization:
    """A new grant for the channel's seller, as a finished consent applies it, then Save."""
    ws = opened.ws
    old = ws.current.authorizations[channel.authorization_id or ""]
    auth = Authorization.new(
        old.seller_id,
        old.region,
        AuthSource.CONSENT,
        new_refresh_token_ref(ws.namespace, "history-test"),
        granted_at=utcnow() - timedelta(minutes=5),
        marketplace_ids=old.marketplace_ids,
        store_name=old.store_name,
    )
    ids = [c.id for c in ws.current.channels.values() if c.authorization_id == old.id]
    ws.apply(changes.set_authorization(auth, Secret("Atzr|history-test-token"), ids))
    saved(opened, qtbot)
    return auth


def opened_dialog(opened: Opened, qtbot: Any) -> HistoryDialog:
    qtbot.waitUntil(lambda: opened.window.findChild(HistoryDialog) is not None, timeout=5_000)
    dialog = opened.window.findChild(HistoryDialog)
    assert isinstance(dialog, HistoryDialog)
    qtbot.waitUntil(lambda: dialog.history is not None, timeout=10_000)
    with qtbot.waitActive(dialog):  # keys (Esc, Alt+A) go to the active window
        dialog.activateWindow()
    return dialog


def column(table: QTableWidget, c: int) -> list[str]:
    return [table.item(r, c).text() for r in range(table.rowCount())]


def closed_with_escape(dialog: HistoryDialog, qtbot: Any) -> None:
    with qtbot.waitSignal(dialog.destroyed, timeout=5_000):
        qtbot.keyClick(dialog.entries, Qt.Key.Key_Escape)


def test_the_details_button_shows_a_channels_changes_newest_first_and_its_versions(
    demo_window: Opened, qtbot: Any
) -> None:
    ws, page = demo_window.ws, demo_window.page
    channel = alpine_uk(ws)
    page.select("channel", channel.id)
    ws.apply(changes.edit_channel(replace(channel, name="Alpine Britain")))
    saved(demo_window, qtbot)
    auth = reauthorize(demo_window, channel, qtbot)

    assert page.panel.history_button.isEnabled()
    qtbot.mouseClick(page.panel.history_button, Qt.MouseButton.LeftButton)
    dialog = opened_dialog(demo_window, qtbot)
    assert dialog.heading.text() == "History of the channel Alpine Britain"
    assert column(dialog.entries, 1) == ["Authorization", "Edit", "Import"]
    what = column(dialog.entries, 2)
    assert what[0].startswith("New authorization for 'Alpine Trail EU', Seller A1ALPINETRAIL7Q")
    assert what[1] == "Edit channel\nChannel name: 'Alpine Trail Outfitters UK' → 'Alpine Britain'"
    assert "Atzr|" not in "".join(what)
    assert dialog.status.text().startswith("3 saved changes, newest first")
    assert dialog.entries.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers

    assert dialog.tabs.count() == 2
    qtbot.keyClick(dialog.entries, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert dialog.tabs.currentWidget() is dialog.versions
    states = column(dialog.versions, 5)
    assert states == ["In use", "Kept: can be rolled back to"]
    assert column(dialog.versions, 2)[0] == f"{auth.seller_id} (Europe)"
    closed_with_escape(dialog, qtbot)


def test_the_edit_menu_and_ctrl_h_open_a_companys_history(demo_window: Opened, qtbot: Any) -> None:
    ws, page, window = demo_window.ws, demo_window.page, demo_window.window
    company = next(c for c in ws.current.companies.values() if c.name == "Little Acorn Toys")
    page.select("company", company.id)
    ws.apply(changes.edit_company(replace(company, notes="Two sellers")))
    saved(demo_window, qtbot)
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert isinstance(edit_menu, QMenu)
    (action,) = [a for a in edit_menu.actions() if a.objectName() == "history"]
    assert action.isEnabled()
    action.trigger()
    dialog = opened_dialog(demo_window, qtbot)
    assert dialog.heading.text() == "History of Little Acorn Toys and its channels"
    assert dialog.tabs.count() == 1  # a company has no authorization of its own
    assert (
        column(dialog.entries, 2)[0]
        == "Edit company Little Acorn Toys\nNotes: (empty) → 'Two sellers'"
    )
    closed_with_escape(dialog, qtbot)

    with qtbot.waitActive(window):  # shortcuts go to the active window
        window.activateWindow()
    qtbot.keyClick(page.view, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    again = opened_dialog(demo_window, qtbot)
    assert again.item_id == company.id
    closed_with_escape(again, qtbot)


def test_history_loads_on_the_database_lane_and_in_a_read_only_copy(
    open_window: Callable[..., Opened], demo_dir: Path, qtbot: Any
) -> None:
    runner = TaskRunner(Lanes())  # real threads: the GUI thread never reads SQLite
    opened = open_window(demo_dir, runner=runner)
    ws, page = opened.ws, opened.page
    channel = alpine_uk(ws)
    page.select("channel", channel.id)
    # A second window on the same folder is a read-only copy without any keychain.
    second = Workspace.open(demo_dir, opened.ws.secrets, read_only=True)
    try:
        dialog = HistoryDialog(second, "channel", channel.id, runner=runner, parent=opened.window)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.status.text() == "Loading the history…"
        dialog.load()
        qtbot.waitUntil(lambda: dialog.history is not None, timeout=10_000)
        assert column(dialog.entries, 1) == ["Import"]
        assert column(dialog.versions, 5) == ["In use"]
        dialog.close()
    finally:
        second.close()


def test_names_show_as_plain_text(demo_window: Opened, qtbot: Any) -> None:
    ws, page = demo_window.ws, demo_window.page
    channel = alpine_uk(ws)
    page.select("channel", channel.id)
    ws.apply(changes.edit_channel(replace(channel, name="<b>Bold</b> & <i>co</i>")))
    saved(demo_window, qtbot)
    qtbot.keyClick(page.view, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    dialog = opened_dialog(demo_window, qtbot)
    assert dialog.heading.textFormat() == Qt.TextFormat.PlainText
    assert dialog.heading.text().endswith("<b>Bold</b> & <i>co</i>")
    assert "'<b>Bold</b> & <i>co</i>'" in column(dialog.entries, 2)[0]
    tip = dialog.entries.item(0, 2).toolTip()  # type: ignore[union-attr]
    assert "<b>Bold</b>" not in tip  # escaped: the tooltip shows the tags as text
    closed_with_escape(dialog, qtbot)
