"""Roll back in the window: the details panel's button, the Amazon menu's action, the question,
Undo and Save, and the refusals (no earlier grant, read-only, saving)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from core.domain import changes
from core.domain.inventory import Authorization, AuthSource, Channel, new_id
from core.domain.secret import Secret
from core.domain.secret_refs import new_refresh_token_ref
from core.services.lanes import Lanes
from core.services.workspace import SAVING
from core.storage.keychain import MemorySecretStore
from gui import dialogs
from gui.tasks import TaskRunner
from tests.gui.conftest import Opened

Left = Qt.MouseButton.LeftButton
WAIT_MS = 10_000
WRONG_SELLER = "A1SUNNYDAYBEAU7"  # the demo's Brightside US grant: the wrong account
RIGHT_SELLER = "A2BRIGHTSIDE6HB"


class Questions:
    """Stands in for dialogs.confirm_roll_back: records each question, answers ``answer``."""

    def __init__(self) -> None:
        self.answer = True
        self.asked: list[tuple[str, str]] = []

    def __call__(self, _parent: object, headline: str, details: str) -> bool:
        self.asked.append((headline, details))
        return self.answer


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    recorder = Questions()
    monkeypatch.setattr(dialogs, "confirm_roll_back", recorder)
    return recorder


def channel_named(opened: Opened, name: str) -> Channel:
    return next(c for c in opened.ws.current.channels.values() if c.name == name)


def seller_of(opened: Opened, channel: Channel) -> str:
    current = opened.ws.current
    auth = current.authorization_of(current.channels[channel.id])
    assert auth is not None
    return auth.seller_id


def test_the_button_rolls_back_in_two_clicks_plus_save(
    qtbot: Any, demo_window: Opened, questions: Questions, fake_dialogs: Any
) -> None:
    window, page = demo_window.window, demo_window.page
    channel = channel_named(demo_window, "Brightside Beauty US")
    assert page.select("channel", channel.id)
    button = page.panel.roll_back_button
    assert button.isVisible()
    assert button.isEnabled()
    qtbot.mouseClick(button, Left)  # click 1 (click 2 is the question's Roll back)
    ((headline, details),) = questions.asked
    assert headline == "Go back to the previous authorization?"
    assert f"Comes back: Seller ID {RIGHT_SELLER}" in details
    assert f"Goes away: Seller ID {WRONG_SELLER}" in details
    assert seller_of(demo_window, channel) == RIGHT_SELLER
    assert window.windowTitle().startswith("*")
    assert [b.text for b in page.panel.badges.badges()][-1] == "Unsaved"
    assert "Save to make it final" in window.statusBar().currentMessage()
    assert not button.isEnabled()  # the restored grant is the first one kept
    assert "no earlier authorization" in button.toolTip()
    qtbot.mouseClick(page.panel.save_button, Left)
    qtbot.waitUntil(lambda: not demo_window.ws.is_dirty, timeout=WAIT_MS)
    assert not window.windowTitle().startswith("*")
    saved = demo_window.ws.saved
    assert saved.authorization_of(saved.channels[channel.id]).seller_id == RIGHT_SELLER  # type: ignore[union-attr]
    assert not any(a.seller_id == WRONG_SELLER for a in saved.authorizations.values())
    assert fake_dialogs.errors() == []


def test_the_menu_action_and_its_shortcut_ask_first_and_undo_takes_it_back(
    qtbot: Any, demo_window: Opened, questions: Questions
) -> None:
    window, page = demo_window.window, demo_window.page
    channel = channel_named(demo_window, "Brightside Beauty US")
    assert page.select("channel", channel.id)
    action = window.act.roll_back
    assert action.shortcut().toString() == "Ctrl+Shift+B"
    amazon = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Amazon")
    assert action in amazon.actions()
    questions.answer = False  # Cancel: nothing happens
    qtbot.keyClick(
        page.view,
        Qt.Key.Key_B,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert len(questions.asked) == 1
    assert not demo_window.ws.is_dirty
    questions.answer = True
    action.trigger()
    assert seller_of(demo_window, channel) == RIGHT_SELLER
    assert window.act.undo.text() == "&Undo roll back authorization"
    window.act.undo.trigger()
    assert seller_of(demo_window, channel) == WRONG_SELLER
    assert not demo_window.ws.is_dirty
    assert not window.windowTitle().startswith("*")
    assert page.panel.roll_back_button.isEnabled()


def test_channels_sharing_a_grant_are_named_and_move_together(
    qtbot: Any, demo_window: Opened, questions: Questions
) -> None:
    ws = demo_window.ws
    uk = channel_named(demo_window, "Alpine Trail Outfitters UK")
    # A new grant for Alpine's five EU channels, so that the demo's grant becomes the earlier one.
    old = ws.current.authorization_of(uk)
    assert old is not None
    aid = new_id()
    ref = new_refresh_token_ref(ws.namespace, aid)
    auth = Authorization.new(
        old.seller_id, old.region, AuthSource.CONSENT, ref, marketplace_ids=old.marketplace_ids,
        store_name="Alpine Trail EU", auth_id=aid,
    )  # fmt: skip
    sharing = [c.id for c in ws.current.channels.values() if c.authorization_id == old.id]
    ws.apply(changes.set_authorization(auth, Secret("Atzr|fresh"), sharing))
    demo_window.page.select("channel", uk.id)
    qtbot.mouseClick(demo_window.page.panel.roll_back_button, Left)
    ((_headline, details),) = questions.asked
    assert "5 channels share this authorization and move together" in details
    assert {ws.current.channels[c].authorization_id for c in sharing} == {old.id}


def test_without_an_earlier_grant_the_button_is_disabled_and_says_why(
    demo_window: Opened, questions: Questions, fake_dialogs: Any
) -> None:
    page = demo_window.page
    channel = channel_named(demo_window, "Summit Cycle Parts US")
    assert page.select("channel", channel.id)
    button = page.panel.roll_back_button
    assert button.isVisible()
    assert not button.isEnabled()
    assert "no earlier authorization" in button.toolTip()
    demo_window.window.act.roll_back.trigger()  # the menu says why in a message
    assert questions.asked == []
    assert "no earlier authorization" in fake_dialogs.errors()[0]
    page.select("company", channel.company_id)
    assert not button.isVisible()  # a company's channels roll back from the Amazon menu


def test_a_read_only_copy_refuses_with_the_usual_message(
    demo_dir: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
    questions: Questions,
    fake_dialogs: Any,
) -> None:
    first = open_window(demo_dir, secrets)
    second = open_window(demo_dir, secrets)
    channel = channel_named(second, "Brightside Beauty US")
    second.page.select("channel", channel.id)
    assert first.ws.store is not None
    assert not second.window.act.roll_back.isEnabled()
    button = second.page.panel.roll_back_button
    assert not button.isEnabled()
    assert second.ws.read_only_reason is not None
    assert second.ws.read_only_reason.split("\n")[0] in button.toolTip()
    assert second.window.commands is not None
    second.window.commands.do_roll_back()
    assert questions.asked == []
    assert fake_dialogs.errors()[0].startswith(second.ws.read_only_reason)


def test_while_saving_it_is_refused_with_the_usual_message(
    qtbot: Any,
    demo_dir: Path,
    secrets: MemorySecretStore,
    open_window: Callable[..., Opened],
    questions: Questions,
    fake_dialogs: Any,
) -> None:
    opened = open_window(demo_dir, secrets, runner=TaskRunner(Lanes()))
    window = opened.window
    channel = channel_named(opened, "Brightside Beauty US")
    opened.page.select("channel", channel.id)
    window.act.add_company.trigger()  # something to save
    opened.page.select("channel", channel.id)
    assert window.save()
    assert window.commands is not None
    window.commands.do_roll_back()  # the save's result has not reached this thread yet
    assert not opened.page.panel.roll_back_button.isEnabled()
    assert SAVING in opened.page.panel.roll_back_button.toolTip()
    with qtbot.waitSignal(window.saveFinished, timeout=WAIT_MS):
        pass
    assert questions.asked == []
    assert fake_dialogs.errors()[0].startswith(SAVING)
    assert seller_of(opened, channel) == WRONG_SELLER


def test_the_question_box_names_both_grants_and_defaults_to_cancel(qtbot: Any) -> None:
    box, roll_back = dialogs.roll_back_box(None, "Go back?", "Comes back: A\n\nGoes away: <b>B</b>")
    qtbot.addWidget(box)
    assert box.text() == "Go back?"
    assert "Goes away: <b>B</b>" in box.informativeText()
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert roll_back.text() == "Roll back"
