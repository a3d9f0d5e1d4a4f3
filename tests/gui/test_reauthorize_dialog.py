"""The reauthorize dialog against a per-test simulator: browser, paste, wrong account, cancel,
self-authorization. Requests stands in for the browser; Amazon is asked on a real network
thread of the dialog's task runner; every wait is bounded, nothing sleeps.

What the consent session decides on its own is tested without Qt in
tests/core/test_consent_session.py; these tests are about what the person sees and does."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget

from core.domain.inventory import AuthSource, CheckResult
from core.domain.marketplaces import Region
from core.domain.plan import build_plan
from core.services.consent import ConsentAttempts, ConsentTarget
from core.services.consent.session import ConsentSession
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from gui.reauthorize.dialog import ReauthorizeDialog
from gui.tasks import TaskRunner
from tests.gui.amazon_support import (
    WAIT_MS,
    UrlCatcher,
    amazon,
    badge_texts,
    browser,
    follow,
    redirect_address,
    store,
    threaded_runner,
    workspace,
)
from tests.integration.consent_support import (
    EU_CODES,
    OTHER,
    SELLER,
    VENDOR_REDIRECT,
    Amazon,
    remember_store,
    uk_target,
)

# Fixtures used by name below.
__all__ = ["amazon", "browser", "store", "threaded_runner", "workspace"]

EU_IDS = {c.lower() for c in EU_CODES}


class Links:
    """An injected open-URL callable: records each URL and says the browser opened."""

    def __init__(self, opened: bool = True) -> None:
        self.urls: list[str] = []
        self.opened = opened

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))
        return self.opened


@pytest.fixture
def make_dialog(
    qtbot: Any, workspace: Workspace, threaded_runner: TaskRunner
) -> Iterator[Callable[..., ReauthorizeDialog]]:
    """A dialog on a new consent session; keyword arguments go to the session. Unless
    ``known=False``, the workspace first saves an earlier grant of SELLER with the store name
    Amazon reported, which Amazon's answers are compared with."""
    made: list[ReauthorizeDialog] = []

    def make(
        target: ConsentTarget | None = None,
        *,
        open_url: Links | None = None,
        known: bool = True,
        **session: Any,
    ) -> ReauthorizeDialog:
        if known and not any(a.store_name for a in workspace.current.authorizations.values()):
            remember_store(workspace)
        consent = ConsentSession(workspace, target or uk_target(), **session)
        dialog = ReauthorizeDialog(consent, threaded_runner, open_url=open_url)
        qtbot.addWidget(dialog)
        dialog.open()  # window-modal, never exec()
        qtbot.waitExposed(dialog)
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.session.close()


def wait_outcome(qtbot: Any, dialog: ReauthorizeDialog) -> str:
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT_MS)
    assert dialog.outcome is not None
    return dialog.outcome


def visible_text(widget: QWidget) -> str:
    """Every label, field and button text the person can see in ``widget``."""
    parts = []
    for child in widget.findChildren(QWidget):
        if not child.isVisibleTo(widget):
            continue
        for getter in ("text", "toolTip", "placeholderText"):
            value = getattr(child, getter, None)
            if callable(value):
                parts.append(str(value()))
    return "\n".join(parts)


# --- the first page ----------------------------------------------------------------------------


def test_first_page_says_where_to_sign_in_and_which_account(
    make_dialog: Callable[..., ReauthorizeDialog],
) -> None:
    dialog = make_dialog()
    text = dialog.start_page.instructions.text()
    assert "sellercentral-europe.amazon.com" in text
    assert SELLER in text
    assert "United Kingdom" in text
    assert "account switcher" in dialog.start_page.warning.findChild(QWidget).text()  # type: ignore[union-attr]
    assert dialog.session.listening
    assert "ready to receive" in dialog.start_page.listener_label.text()
    assert dialog.start_page.open_button.isDefault()
    assert dialog.paste.isVisible()
    assert dialog.paste.title() == "Finish by pasting"


def test_every_control_is_named_explained_and_reachable_by_tab(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog]
) -> None:
    dialog = make_dialog()
    controls = [
        w
        for w in dialog.findChildren(QWidget)
        if isinstance(w, (QPushButton, QLineEdit)) and w.isVisible()
    ]
    for control in controls:
        assert control.accessibleName(), control
        assert control.toolTip(), control.accessibleName()
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    dialog.start_page.open_button.setFocus()
    seen: set[int] = set()
    for _ in range(3 * len(controls)):
        focused = QApplication.focusWidget()
        if focused is not None:
            seen.add(id(focused))
        qtbot.keyClick(focused or dialog, Qt.Key.Key_Tab)
    expected = [w for w in controls if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    missing = [w.accessibleName() for w in expected if id(w) not in seen]
    assert not missing


# --- success -----------------------------------------------------------------------------------


def test_open_in_browser_and_the_listener_finish_it(
    qtbot: Any,
    make_dialog: Callable[..., ReauthorizeDialog],
    workspace: Workspace,
    browser: UrlCatcher,
    store: MemorySecretStore,
) -> None:
    dialog = make_dialog()  # the default open-URL: QDesktopServices.openUrl
    authorized: list[object] = []
    dialog.authorized.connect(authorized.append)
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    assert len(browser.urls) == 1
    url = browser.urls[0]
    assert dialog.pages.currentWidget() is dialog.waiting_page
    assert "9:59" in dialog.waiting_page.countdown.text() or (
        "10:00" in dialog.waiting_page.countdown.text()
    )
    assert "5 minutes" in dialog.waiting_page.countdown.text()
    assert dialog.waiting_page.link.text() == url
    listener = dialog.session.listener
    assert listener is not None
    assert "state=" in url
    assert f".{listener.port}" in url

    page = follow(url)  # the browser: consent page (auto-confirm) -> the listener
    assert "return to SP Connect" in page.text

    assert wait_outcome(qtbot, dialog) == "success"
    assert authorized
    assert workspace.pending_channel_ids() == EU_IDS
    assert "Unsaved" in badge_texts(workspace, "uk")
    assert workspace.current.channels["de"].health.result is CheckResult.OK
    text = dialog.result_page.text.text()
    assert "Nothing is saved yet" in text
    assert "Save" in text
    for country in ("United Kingdom", "Germany", "France", "Italy", "Spain"):
        assert country in text
    assert listener.closed
    # Pending only: the refresh token reaches the secret store on Save, not before.
    auth = workspace.current.authorizations[workspace.current.channels["uk"].authorization_id or ""]
    assert auth.refresh_token_ref is not None
    assert store.get(auth.refresh_token_ref) is None
    workspace.save()
    assert store.get(auth.refresh_token_ref) is not None
    assert auth.source is AuthSource.CONSENT
    assert len(workspace.pending) == 0
    assert dialog.close_button.text() == "Close"


def test_paste_garbage_then_the_address(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog], workspace: Workspace
) -> None:
    links = Links()
    dialog = make_dialog(open_url=links)
    qtbot.mouseClick(dialog.start_page.copy_button, Qt.MouseButton.LeftButton)
    url = QGuiApplication.clipboard().text()
    assert url.startswith(dialog.session.endpoints.consent_base or "?")
    assert "application_id=" in url
    assert links.urls == []  # Copy link does not open anything

    qtbot.keyClicks(dialog.paste.edit, "hello, this is not it")
    qtbot.keyClick(dialog.paste.edit, Qt.Key.Key_Return)  # Enter finishes once text is there
    message = dialog.paste.message.text()
    assert "not the address Amazon returned" in message
    assert dialog.outcome is None
    assert not workspace.is_dirty

    address = redirect_address(url)  # where the browser would end up
    dialog.paste.edit.setText(f'  "{address}"\n')
    qtbot.mouseClick(dialog.paste.finish_button, Qt.MouseButton.LeftButton)
    assert wait_outcome(qtbot, dialog) == "success"
    assert workspace.pending_channel_ids() == EU_IDS
    assert dialog.paste.edit.text() == ""  # the code does not linger on screen
    listener = dialog.session.listener
    qtbot.waitUntil(lambda: listener is None or listener.closed, timeout=WAIT_MS)


def test_without_a_listener_it_says_so_and_paste_still_works(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog], workspace: Workspace
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:  # the port is in use
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        dialog = make_dialog(open_url=Links(), port=taken.getsockname()[1])
    assert not dialog.session.listening
    assert "could not listen" in dialog.start_page.listener_label.text()
    assert "Finish by pasting" in dialog.start_page.listener_label.text()
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    url = dialog.waiting_page.link.text()
    address = redirect_address(url)
    assert address.startswith(VENDOR_REDIRECT + "?")  # the vendor's page, not a loopback one
    dialog.paste.edit.setText(address)
    qtbot.mouseClick(dialog.paste.finish_button, Qt.MouseButton.LeftButton)
    assert wait_outcome(qtbot, dialog) == "success"
    assert workspace.pending_channel_ids() == EU_IDS


def test_unknown_seller_is_confirmed_before_anything_is_applied(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog], workspace: Workspace
) -> None:
    dialog = make_dialog(uk_target(seller=None), open_url=Links())
    assert "does not know its Seller ID" in dialog.start_page.instructions.text()
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    follow(dialog.waiting_page.link.text())
    assert wait_outcome(qtbot, dialog) == "confirm"
    assert SELLER in dialog.result_page.text.text()
    assert "Acme Europe" in dialog.result_page.text.text()
    assert not workspace.is_dirty  # not before the person confirms
    assert dialog.use_button.isVisible()
    assert dialog.use_button.isDefault()
    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    assert dialog.outcome == "success"
    assert workspace.pending_channel_ids() == EU_IDS


# --- nothing applied ---------------------------------------------------------------------------


def test_wrong_account_applies_nothing_and_offers_to_try_again(
    qtbot: Any,
    make_dialog: Callable[..., ReauthorizeDialog],
    workspace: Workspace,
    amazon: Amazon,
) -> None:
    amazon.sim.auto_confirm_seller_id = OTHER
    dialog = make_dialog(open_url=Links())
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    first_url = dialog.waiting_page.link.text()
    follow(first_url)
    assert wait_outcome(qtbot, dialog) == "wrong_account"
    text = dialog.result_page.text.text()
    assert OTHER in text
    assert SELLER in text
    assert "Wrong account" in dialog.result_page.title.text()
    assert not workspace.is_dirty
    assert dialog.try_again_button.isVisible()
    assert dialog.try_again_button.isDefault()

    qtbot.mouseClick(dialog.try_again_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.start_page
    assert dialog.session.listening  # a fresh one-shot listener for the new try
    amazon.sim.auto_confirm_seller_id = None
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    second_url = dialog.waiting_page.link.text()
    assert second_url != first_url  # a new state
    follow(second_url)
    assert wait_outcome(qtbot, dialog) == "success"


def test_cancel_applies_nothing_and_closes_the_listener(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog], workspace: Workspace
) -> None:
    attempts = ConsentAttempts()
    dialog = make_dialog(open_url=Links(), attempts=attempts)
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    assert attempts.live()
    listener = dialog.session.listener
    assert listener is not None
    url = dialog.waiting_page.link.text()
    assert dialog.close_button.text() == "Cancel"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: listener.closed, timeout=WAIT_MS)
    assert attempts.live() == ()
    with pytest.raises(requests.ConnectionError):  # the browser finds nobody listening
        follow(url)
    assert not workspace.is_dirty


def test_an_answer_after_cancel_is_dropped(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog], workspace: Workspace
) -> None:
    links = Links()
    dialog = make_dialog(open_url=links)
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    address = redirect_address(links.urls[0])
    dialog.paste.edit.setText(address)
    qtbot.mouseClick(dialog.paste.finish_button, Qt.MouseButton.LeftButton)
    assert dialog.session.busy
    assert dialog.waiting_page.busy.isVisibleTo(dialog)
    dialog.reject()  # while Amazon is being asked: its answer arrives, and is dropped
    qtbot.waitUntil(lambda: dialog.session.dropped_results == 1, timeout=WAIT_MS)
    assert dialog.outcome is None
    assert dialog.pages.currentWidget() is dialog.waiting_page
    assert not workspace.is_dirty


def test_nothing_is_asked_once_the_window_has_shut_down(
    qtbot: Any,
    make_dialog: Callable[..., ReauthorizeDialog],
    workspace: Workspace,
    threaded_runner: TaskRunner,
    amazon: Amazon,
) -> None:
    links = Links()
    dialog = make_dialog(open_url=links)
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    address = redirect_address(links.urls[0])
    threaded_runner.shutdown()  # the window closed first: its lanes are stopped
    dialog.paste.edit.setText(address)
    qtbot.mouseClick(dialog.paste.finish_button, Qt.MouseButton.LeftButton)
    assert dialog.outcome is None
    assert amazon.sim.count("/auth/o2/token") == 0
    assert not workspace.is_dirty


def test_an_expired_link_is_replaced(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog]
) -> None:
    now = [datetime.now(UTC)]
    links = Links(opened=False)
    dialog = make_dialog(open_url=links, clock=lambda: now[0])
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    waiting = dialog.waiting_page
    assert "could not open your browser" in waiting.message.text()
    assert "10:00" in waiting.countdown.text()
    now[0] += timedelta(minutes=3, seconds=1)
    qtbot.waitUntil(lambda: "6:59" in waiting.countdown.text(), timeout=3000)
    now[0] += timedelta(minutes=7)
    qtbot.waitUntil(lambda: "expired" in waiting.countdown.text(), timeout=3000)
    qtbot.mouseClick(waiting.open_button, Qt.MouseButton.LeftButton)
    assert len(links.urls) == 2
    assert links.urls[0] != links.urls[1]
    assert "10:00" in waiting.countdown.text()


def test_incomplete_app_credentials_stop_before_the_browser(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog], workspace: Workspace
) -> None:
    from dataclasses import replace

    from core.domain.changes import set_app_credentials

    app = replace(workspace.current.app, client_secret_ref=None)
    workspace.apply(set_app_credentials(app))
    links = Links()
    dialog = make_dialog(open_url=links)
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    assert links.urls == []
    assert "client secret" in dialog.start_page.message.text()
    assert "App credentials" in dialog.start_page.message.text()
    assert dialog.pages.currentWidget() is dialog.start_page


def test_the_window_keeps_painting_while_amazon_is_slow(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog], amazon: Amazon
) -> None:
    links = Links()
    dialog = make_dialog(open_url=links)
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    address = redirect_address(links.urls[0])
    amazon.sim.faults.delay_s = 0.5  # every answer from "Amazon" takes half a second
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    dialog.paste.edit.setText(address)
    qtbot.mouseClick(dialog.paste.finish_button, Qt.MouseButton.LeftButton)
    assert dialog.session.busy
    assert dialog.waiting_page.busy.isVisibleTo(dialog)
    assert not dialog.paste.isEnabled()
    assert wait_outcome(qtbot, dialog) == "success"
    timer.stop()
    assert len(ticks) >= 20  # ~1 s of checking: the event loop ran all along


# --- self-authorization ------------------------------------------------------------------------


def test_self_authorization(
    qtbot: Any,
    make_dialog: Callable[..., ReauthorizeDialog],
    workspace: Workspace,
    amazon: Amazon,
) -> None:
    dialog = make_dialog(open_url=Links())
    qtbot.mouseClick(dialog.start_page.self_auth_button, Qt.MouseButton.LeftButton)
    page = dialog.self_auth_page
    assert dialog.pages.currentWidget() is page
    assert not dialog.paste.isVisible()
    assert page.seller.text() == SELLER
    assert page.seller.isReadOnly()
    assert page.token.echoMode() is QLineEdit.EchoMode.Password
    assert page.verify_button.isDefault()

    qtbot.keyClicks(page.token, "Atza|an-access-token-not-a-refresh-token")
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(page.token_message.text()), timeout=WAIT_MS)
    assert "access token" in page.token_message.text()

    page.token.setText("Atzr|not-a-token-amazon-knows")
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "did not accept" in page.message.text(), timeout=WAIT_MS)
    assert not workspace.is_dirty

    token = amazon.sim.issue_refresh_token(SELLER, Region.EU, amazon.app.client_id)
    page.token.setText(token.reveal())
    qtbot.keyClick(page.token, Qt.Key.Key_Return)
    assert wait_outcome(qtbot, dialog) == "success"
    assert workspace.pending_channel_ids() == EU_IDS
    auth = workspace.current.authorizations[workspace.current.channels["uk"].authorization_id or ""]
    assert auth.source is AuthSource.SELF_AUTHORIZATION
    assert page.token.text() == ""
    if token.reveal() in visible_text(dialog):
        pytest.fail("the refresh token is shown on screen")


def test_a_listener_answer_and_a_paste_race_safely(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog], workspace: Workspace
) -> None:
    """The person pastes while the browser also reaches the listener: one of them wins."""
    links = Links()
    dialog = make_dialog(open_url=links)
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    address = redirect_address(links.urls[0])
    dialog.paste.edit.setText(address)
    qtbot.mouseClick(dialog.paste.finish_button, Qt.MouseButton.LeftButton)
    done = threading.Event()
    reached: list[bool] = []

    def hit() -> None:  # the browser reaches the listener too
        try:
            reached.append(requests.get(address, timeout=5).status_code == 200)
        except requests.RequestException:
            reached.append(False)  # the listener had already closed
        done.set()

    threading.Thread(target=hit, daemon=True).start()
    assert wait_outcome(qtbot, dialog) == "success"
    qtbot.waitUntil(done.is_set, timeout=WAIT_MS)
    if reached[0]:
        qtbot.waitUntil(lambda: dialog.session.dropped_answers == 1, timeout=WAIT_MS)
    assert dialog.outcome == "success"
    assert len(workspace.pending) == 1  # one change, applied once


def test_a_plan_item_is_reauthorized_in_one_consent(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog], workspace: Workspace
) -> None:
    """Support staff work from the plan: one consent for the whole unified EU account."""
    (item,) = build_plan(workspace.current, datetime.now(UTC))  # five channels, not connected
    assert set(item.channel_ids) == EU_IDS
    links = Links()
    dialog = make_dialog(ConsentTarget.from_plan_item(item), open_url=links, known=False)
    assert SELLER in dialog.start_page.instructions.text()
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    follow(links.urls[0])
    # Never connected: no store name on record to compare Amazon's answer with, so it asks.
    assert wait_outcome(qtbot, dialog) == "confirm"
    assert "Acme Europe" in dialog.result_page.text.text()
    assert not workspace.is_dirty
    assert dialog.use_button.isDefault()  # nothing points at another account
    qtbot.keyClick(dialog.use_button, Qt.Key.Key_Return)
    assert dialog.outcome == "success"
    assert workspace.pending_channel_ids() == EU_IDS
    assert len(workspace.pending) == 1  # one Undo step for the whole consent


def test_a_read_only_inventory_cannot_start_a_consent(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog], workspace: Workspace
) -> None:
    workspace.read_only_reason = "Another SP Connect window has this inventory open."
    links = Links()
    dialog = make_dialog(open_url=links, known=False)
    assert "Another SP Connect window" in dialog.start_page.message.text()
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    assert links.urls == []


# --- the answer is a claim (issue 8, finding 1) --------------------------------------------------


def forged_answer(dialog: ReauthorizeDialog, amazon: Amazon) -> str:
    """The answer to a consent OTHER confirmed, its Seller ID edited to the expected SELLER."""
    amazon.sim.auto_confirm_seller_id = OTHER
    address = redirect_address(dialog.waiting_page.link.text())
    assert f"selling_partner_id={OTHER}" in address
    return address.replace(f"selling_partner_id={OTHER}", f"selling_partner_id={SELLER}")


def ask_about_forged_answer(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog], amazon: Amazon
) -> ReauthorizeDialog:
    dialog = make_dialog(open_url=Links(), listen=False)
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    dialog.paste.edit.setText(forged_answer(dialog, amazon))
    qtbot.keyClick(dialog.paste.edit, Qt.Key.Key_Return)
    assert wait_outcome(qtbot, dialog) == "confirm"
    return dialog


def test_a_forged_answer_shows_what_amazon_reports_and_cancel_applies_nothing(
    qtbot: Any,
    make_dialog: Callable[..., ReauthorizeDialog],
    workspace: Workspace,
    amazon: Amazon,
) -> None:
    dialog = ask_about_forged_answer(qtbot, make_dialog, amazon)
    text = dialog.result_page.text.text()
    assert "Someone Else" in text  # what Amazon reports for the grant
    assert "Acme Europe" in text  # what was expected
    assert "another seller" in text
    assert "not be the expected account" in dialog.result_page.title.text()
    assert not workspace.is_dirty  # nothing pending before the person confirms
    assert dialog.use_button.isVisible()
    assert dialog.use_button.text().replace("&", "") == "Confirm"
    assert dialog.close_button.text() == "Cancel"
    assert dialog.close_button.isDefault()  # Enter does not take another seller's grant
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Cancel from the keyboard
    assert not dialog.isVisible()
    assert not workspace.is_dirty
    assert dialog.session.closed


def test_confirm_from_the_keyboard_applies_the_grant(
    qtbot: Any,
    make_dialog: Callable[..., ReauthorizeDialog],
    workspace: Workspace,
    amazon: Amazon,
) -> None:
    dialog = ask_about_forged_answer(qtbot, make_dialog, amazon)
    assert dialog.use_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    dialog.use_button.setFocus()
    qtbot.keyClick(dialog.use_button, Qt.Key.Key_Space)
    assert dialog.outcome == "success"
    assert workspace.pending_channel_ids() == {"uk"}  # Amazon listed only the UK for it
    (auth,) = (
        a for a in workspace.current.authorizations.values() if a.store_name == "Someone Else"
    )
    assert auth.seller_id == SELLER


def test_the_copy_link_tooltip_says_who_it_is_for_and_when_it_expires(
    qtbot: Any, make_dialog: Callable[..., ReauthorizeDialog]
) -> None:
    dialog = make_dialog(open_url=Links())
    tip = dialog.start_page.copy_button.toolTip()
    assert "person who will confirm" in tip
    assert "expires" in tip
    assert "send it to the seller" not in tip
    qtbot.mouseClick(dialog.start_page.copy_button, Qt.MouseButton.LeftButton)
    attempt = dialog.session.attempt
    assert attempt is not None
    expires = attempt.expires_at.astimezone()
    page = dialog.waiting_page
    for button in (dialog.start_page.copy_button, page.copy_button, page.link):
        assert f"{expires.hour:02d}:{expires.minute:02d}" in button.toolTip()
        assert "person who will confirm" in button.toolTip()
