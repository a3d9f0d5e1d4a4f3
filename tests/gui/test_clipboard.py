"""A copied consent link, a pasted refresh token, answer or client secret leaves the clipboard
once it is used: SP Connect clears the clipboard when it still holds exactly what SP Connect
put there or read from it, and leaves anything else the person copied meanwhile alone.

The real QClipboard (offscreen keeps it inside the process); pastes are real Ctrl+V key
presses into the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QLineEdit

from core.domain import changes as ch
from core.domain.inventory import Channel, Company
from core.domain.marketplaces import Region, by_country
from core.services.consent.session import ConsentSession
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from gui.credentials.dialog import AppCredentialsDialog
from gui.inventory.channel_form import ChannelForm
from gui.reauthorize.dialog import ReauthorizeDialog
from gui.tasks import TaskRunner
from tests.gui.amazon_support import (
    WAIT_MS,
    amazon,
    follow,
    redirect_address,
    store,
    threaded_runner,
    workspace,
)
from tests.integration.consent_support import SELLER, Amazon, remember_store, uk_target

# Fixtures used by name below.
__all__ = ["amazon", "store", "threaded_runner", "workspace"]

MINE = "a note the person copied meanwhile"


@pytest.fixture
def clipboard(qtbot: Any) -> Iterator[QClipboard]:
    del qtbot  # a QApplication must exist first
    board = QGuiApplication.clipboard()
    board.clear()
    yield board
    board.clear()


def is_empty(clipboard: QClipboard) -> bool:
    """Without quoting what it holds: a failing test must not print a token."""
    return clipboard.text() == ""


def paste(qtbot: Any, edit: QLineEdit, text: str, clipboard: QClipboard) -> None:
    """The person copies ``text`` elsewhere and pastes it into ``edit`` with Ctrl+V."""
    clipboard.setText(text)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert edit.text().strip() == text.strip()


class _NoBrowser:
    def __call__(self, url: QUrl) -> bool:
        return True


@pytest.fixture
def make_dialog(
    qtbot: Any, workspace: Workspace, threaded_runner: TaskRunner
) -> Iterator[Callable[[], ReauthorizeDialog]]:
    # SELLER's store name is on record, so Amazon's answer needs no confirmation.
    remember_store(workspace)
    made: list[ReauthorizeDialog] = []

    def make() -> ReauthorizeDialog:
        dialog = ReauthorizeDialog(
            ConsentSession(workspace, uk_target()), threaded_runner, open_url=_NoBrowser()
        )
        qtbot.addWidget(dialog)
        dialog.open()
        qtbot.waitExposed(dialog)
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.session.close()


def _wait_outcome(qtbot: Any, dialog: ReauthorizeDialog) -> str:
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT_MS)
    assert dialog.outcome is not None
    return dialog.outcome


def _copy_link(qtbot: Any, dialog: ReauthorizeDialog, clipboard: QClipboard) -> str:
    qtbot.mouseClick(dialog.start_page.copy_button, Qt.MouseButton.LeftButton)
    url = clipboard.text()
    assert url == dialog.waiting_page.link.text()
    assert url.startswith("http")
    return url


# --- the copied consent link -------------------------------------------------------------------


def test_copied_link_is_cleared_when_the_consent_finishes(
    qtbot: Any, make_dialog: Callable[[], ReauthorizeDialog], clipboard: QClipboard
) -> None:
    dialog = make_dialog()
    url = _copy_link(qtbot, dialog, clipboard)
    follow(url)  # the browser: consent page (auto-confirm) -> the listener
    assert _wait_outcome(qtbot, dialog) == "success"
    assert is_empty(clipboard)


def test_something_else_copied_meanwhile_is_left_alone(
    qtbot: Any, make_dialog: Callable[[], ReauthorizeDialog], clipboard: QClipboard
) -> None:
    dialog = make_dialog()
    url = _copy_link(qtbot, dialog, clipboard)
    clipboard.setText(MINE)
    follow(url)
    assert _wait_outcome(qtbot, dialog) == "success"
    assert clipboard.text() == MINE
    dialog.reject()
    assert clipboard.text() == MINE


def test_copied_link_is_cleared_when_the_dialog_closes(
    qtbot: Any, make_dialog: Callable[[], ReauthorizeDialog], clipboard: QClipboard
) -> None:
    dialog = make_dialog()
    _copy_link(qtbot, dialog, clipboard)
    dialog.reject()  # Cancel, before any answer
    assert is_empty(clipboard)


# --- pasted answers and tokens -----------------------------------------------------------------


def test_pasted_answer_is_cleared_once_used(
    qtbot: Any, make_dialog: Callable[[], ReauthorizeDialog], clipboard: QClipboard
) -> None:
    dialog = make_dialog()
    url = _copy_link(qtbot, dialog, clipboard)
    address = redirect_address(url)  # the address the browser ends on, copied from its bar
    paste(qtbot, dialog.paste.edit, address, clipboard)
    qtbot.mouseClick(dialog.paste.finish_button, Qt.MouseButton.LeftButton)
    assert _wait_outcome(qtbot, dialog) == "success"
    assert is_empty(clipboard)


def test_pasted_refresh_token_is_cleared_once_used(
    qtbot: Any,
    make_dialog: Callable[[], ReauthorizeDialog],
    clipboard: QClipboard,
    amazon: Amazon,
) -> None:
    dialog = make_dialog()
    qtbot.mouseClick(dialog.start_page.self_auth_button, Qt.MouseButton.LeftButton)
    page = dialog.self_auth_page
    token = amazon.sim.issue_refresh_token(SELLER, Region.EU, amazon.app.client_id).reveal()
    paste(qtbot, page.token, token, clipboard)
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    assert is_empty(clipboard)  # read once: it leaves the clipboard at once
    assert _wait_outcome(qtbot, dialog) == "success"
    assert is_empty(clipboard)


def test_pasted_refresh_token_is_cleared_when_the_dialog_closes_unused(
    qtbot: Any, make_dialog: Callable[[], ReauthorizeDialog], clipboard: QClipboard
) -> None:
    dialog = make_dialog()
    qtbot.mouseClick(dialog.start_page.self_auth_button, Qt.MouseButton.LeftButton)
    paste(qtbot, dialog.self_auth_page.token, "Atzr|pasted-then-cancelled", clipboard)
    dialog.reject()
    assert is_empty(clipboard)


def test_a_token_typed_while_the_clipboard_holds_something_else(
    qtbot: Any,
    make_dialog: Callable[[], ReauthorizeDialog],
    clipboard: QClipboard,
    amazon: Amazon,
) -> None:
    dialog = make_dialog()
    qtbot.mouseClick(dialog.start_page.self_auth_button, Qt.MouseButton.LeftButton)
    page = dialog.self_auth_page
    clipboard.setText(MINE)
    page.token.setText(
        amazon.sim.issue_refresh_token(SELLER, Region.EU, amazon.app.client_id).reveal()
    )
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    assert _wait_outcome(qtbot, dialog) == "success"
    dialog.reject()
    assert clipboard.text() == MINE


# --- App credentials: the pasted client secret -------------------------------------------------

SECRET = "amzn1.oa2-cs.v1.a-pasted-client-secret-0123456789"


@pytest.fixture
def credentials(qtbot: Any, tmp_path: Path) -> Iterator[AppCredentialsDialog]:
    opened = Workspace.open(tmp_path / "creds", MemorySecretStore())
    dialog = AppCredentialsDialog(opened)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    yield dialog
    opened.close()


def test_pasted_client_secret_is_cleared_on_ok(
    qtbot: Any, credentials: AppCredentialsDialog, clipboard: QClipboard
) -> None:
    paste(qtbot, credentials.client_secret, SECRET, clipboard)
    qtbot.mouseClick(credentials.ok_button, Qt.MouseButton.LeftButton)
    assert not credentials.isVisible()
    assert credentials.workspace.is_dirty  # the secret went into a pending change
    assert is_empty(clipboard)


def test_pasted_client_secret_is_cleared_on_cancel(
    qtbot: Any, credentials: AppCredentialsDialog, clipboard: QClipboard
) -> None:
    paste(qtbot, credentials.client_secret, f"{SECRET}\n", clipboard)
    credentials.reject()
    assert is_empty(clipboard)


def test_client_secret_dialog_leaves_other_clipboard_text_alone(
    qtbot: Any, credentials: AppCredentialsDialog, clipboard: QClipboard
) -> None:
    paste(qtbot, credentials.client_secret, SECRET, clipboard)
    clipboard.setText(MINE)
    credentials.reject()
    assert clipboard.text() == MINE


# --- a channel's MWS Authorization Token -------------------------------------------------------

MWS_TOKEN = "amzn.mws.1234abcd-12ab-34cd-56ef-1234567890ab"


def test_pasted_mws_auth_token_is_cleared_once_it_is_pending(
    qtbot: Any, tmp_path: Path, clipboard: QClipboard
) -> None:
    opened = Workspace.open(tmp_path / "mws", MemorySecretStore())
    try:
        opened.apply(ch.add_company(Company("c1", "Acme")))
        opened.apply(ch.add_channel(Channel("ch1", "c1", by_country("UK").id, "Acme UK", SELLER)))
        form = ChannelForm(opened.try_apply)
        qtbot.addWidget(form)
        form.workspace = opened
        form.show_channel("ch1")
        form.set_editing(True)
        form.show()
        qtbot.waitExposed(form)
        paste(qtbot, form.mws_token, MWS_TOKEN, clipboard)
        assert form.commit()
        assert opened.current.channels["ch1"].mws_auth_token_ref is not None
        assert is_empty(clipboard)
    finally:
        opened.close()
