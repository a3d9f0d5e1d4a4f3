"""Reauthorize: get a new Amazon authorization for one consent target (ARCHITECTURE.md, "Consent").

The dialog says which Seller Central site to open and which account to select, opens the
consent link in the browser (or copies it for the person who will confirm), waits with a
countdown, and finishes from the listener or from a pasted address. The result page shows what
the new grant covers, what Amazon reports of a grant that may be another account's (Confirm or
Cancel), a wrong account (nothing applied), or the error and its next step. A verified grant
becomes one pending change (one Undo step) on the GUI thread, Unsaved until Save.

The dialog adapts a :class:`~core.services.consent.session.ConsentSession`, which decides what
happens: the link, whether an answer or a result still counts, what a grant covers, applying it.
The dialog shows the pages, runs the session's checks on the window's task runner (network
lane), and receives the listener's events through a bridge that it closes when it closes, so
nothing reaches a closed dialog.

Open it with :func:`open_reauthorize`. Never ``exec()`` it: the window keeps painting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QLabel,
    QWidget,
)

from core.domain.changes import Apply
from core.domain.errors import UserFacingError
from core.domain.marketplaces import Endpoints
from core.domain.secret import Secret
from core.services.consent import ConsentAttempts, ConsentTarget, texts
from core.services.consent.session import (
    Authorized,
    Check,
    ConsentSession,
    Coverage,
    NeedsConfirmation,
    WrongAccount,
)
from core.services.lanes import Lane
from core.services.workspace import Workspace
from gui import clipboard, dialogs
from gui.bridge import Bridge
from gui.reauthorize.frame import ReauthorizeFrame
from gui.reauthorize.pages import show_message
from gui.tasks import TaskRunner

OpenUrl = Callable[[QUrl], bool]
Outcome = Literal["success", "confirm", "wrong_account", "error"]


class ReauthorizeDialog(ReauthorizeFrame):
    """One reauthorization. :attr:`authorized` follows once its change is pending."""

    authorized = Signal(object)  # Authorized

    def __init__(
        self,
        session: ConsentSession,
        runner: TaskRunner,
        *,
        open_url: OpenUrl | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Show ``session`` (the dialog closes it when it closes); Amazon is asked on
        ``runner``'s network lane."""
        target = session.target
        account = texts.expected_account(session.workspace.current, target)
        region = target.region.display_name
        super().__init__(
            f"Reauthorize {target.label}", f"Amazon {region} · Account: {account.text}", parent
        )
        self.session = session
        self.target = target
        self.account = account
        self.runner = runner
        self._open_url: OpenUrl = open_url or QDesktopServices.openUrl
        self.outcome: Outcome | None = None
        self._pending: tuple[Authorized, Coverage] | None = None
        self._copied: str | None = None  # the link Copy link put on the clipboard
        self._fill()
        self._wire()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        # The listener's events come from its thread; closed in done(), so none arrives later.
        self.bridge = Bridge(self)
        self.bridge.listen(session.answered, self._on_answer)
        self.bridge.listen(session.listener_stopped, lambda _: self._update_listener_text())
        self._show_start()

    # --- filling in and wiring ---------------------------------------------------------

    def _fill(self) -> None:
        start = self.start_page
        try:
            endpoints = self.session.endpoints
        except UserFacingError as exc:
            endpoints = Endpoints.amazon()
            show_message(start.message, str(exc))
        problem = self.session.cannot_start()
        if problem is not None:  # said at once, not only after a click
            show_message(start.message, str(problem))
        start.instructions.setText(texts.instructions_html(self.target, self.account, endpoints))
        self.waiting_page.reminder.setText(texts.waiting_html(self.account))
        seller = self.account.seller_id
        self.self_auth_page.seller.setText(seller or "")
        self.self_auth_page.seller.setReadOnly(seller is not None)

    def _wire(self) -> None:
        s, w, a = self.start_page, self.waiting_page, self.self_auth_page
        for widget in (s.open_button, w.open_button):
            widget.clicked.connect(self._open_in_browser)
        for widget in (s.copy_button, w.copy_button):
            widget.clicked.connect(self._copy_link)
        s.self_auth_button.clicked.connect(self._show_self_auth)
        a.back_button.clicked.connect(self._show_start)
        a.verify_button.clicked.connect(self._verify_token)
        self.paste.finish_button.clicked.connect(self._finish_paste)
        self.try_again_button.clicked.connect(self._try_again)
        self.use_button.clicked.connect(self._use_account)

    # --- pages --------------------------------------------------------------------------

    def _show_start(self) -> None:
        self._update_listener_text()
        self._page(self.start_page, paste=True)
        self.start_page.open_button.setFocus()

    def _show_waiting(self) -> None:
        self._tick()
        self._timer.start()
        self._page(self.waiting_page, paste=True)
        self._update_listener_text()
        # Back from the browser, the next thing to do here is to paste (or just wait).
        self.paste.edit.setFocus()

    def _show_self_auth(self) -> None:
        self._page(self.self_auth_page, paste=False)
        page = self.self_auth_page
        (page.token if page.seller.isReadOnly() else page.seller).setFocus()

    def _show_result(
        self, outcome: Outcome, title: str, html: str, buttons: Sequence[QWidget] = ()
    ) -> None:
        self.outcome = outcome
        self.session.settle()
        self._timer.stop()
        self.self_auth_page.token.clear()
        clipboard.clear_if_holds(self._copied)  # the consent is over: the link is spent
        self.result_page.title.setText(title)
        self.result_page.title.setAccessibleName(title)
        self.result_page.text.setText(html)
        self._page(self.result_page, paste=False, buttons=buttons)
        (buttons[0] if buttons else self.close_button).setFocus()

    def _update_listener_text(self) -> None:
        text = texts.listener_text(self.session.listening, self.session.listener_error)
        self.start_page.listener_label.setText(text)
        if self.pages.currentWidget() is self.waiting_page and not self.session.busy:
            self.waiting_page.status.setText(text)

    def _tick(self) -> None:
        self.waiting_page.countdown.setText(texts.countdown_text(self.session.remaining()))

    # --- the browser consent ------------------------------------------------------------

    def _link(self, message: QLabel) -> str | None:
        try:
            url = self.session.link()
        except UserFacingError as exc:
            show_message(message, str(exc))
            return None
        show_message(message, "")
        self.waiting_page.link.setText(url)
        self.waiting_page.link.setCursorPosition(0)
        tip = texts.link_tip(self.session.attempt)
        for widget in (self.start_page.copy_button, self.waiting_page.copy_button):
            widget.setToolTip(tip)
        self.waiting_page.link.setToolTip(tip)
        return url

    def _open_in_browser(self) -> None:
        on_start = self.pages.currentWidget() is self.start_page
        url = self._link(self.start_page.message if on_start else self.waiting_page.message)
        if url is None:
            return
        opened = self._open_url(QUrl(url))
        note = (
            "Amazon's page has been opened in your browser."
            if opened
            else "SP Connect could not open your browser. Click Copy link and paste the link "
            "into your browser's address bar."
        )
        self.waiting_page.message.setText(note)
        self.waiting_page.message.show()
        self._show_waiting()

    def _copy_link(self) -> None:
        on_start = self.pages.currentWidget() is self.start_page
        url = self._link(self.start_page.message if on_start else self.waiting_page.message)
        if url is None:
            return
        clipboard.copy(url)
        self._copied = url
        self.waiting_page.message.setText(
            "Link copied. Open it in a browser, or give it only to the person who will confirm: "
            f"it works once, for {texts.LINK_MINUTES} minutes."
        )
        self.waiting_page.message.show()
        self._show_waiting()

    def _finish_paste(self) -> None:
        text = self.paste.edit.text()
        if not text.strip():
            show_message(self.paste.message, "Paste the address from the browser first.")
            self.paste.edit.setFocus()
            return
        try:
            check = self.session.finish(text)
        except UserFacingError as exc:
            show_message(self.paste.message, f"{exc.message} {exc.next_step}".strip())
            self.paste.edit.selectAll()
            self.paste.edit.setFocus()
            return
        self._run(check)
        clipboard.clear_if_holds(text)  # the answer is read: its code leaves the clipboard
        show_message(self.paste.message, "")
        self.paste.edit.clear()

    def _on_answer(self, query: str) -> None:
        """The listener's answer, here on the GUI thread; the session says whether it counts."""
        try:
            check = self.session.take_answer(query)
        except UserFacingError as exc:  # Amazon's answer was an error, not a consent
            self._on_failed(exc)
            return
        if check is not None:
            self.waiting_page.status.setText("Amazon's answer has arrived.")
            self._run(check)

    # --- asking Amazon ------------------------------------------------------------------

    def _run(self, check: Check[Any]) -> None:
        if self.runner.lanes.closed:  # the window has shut down: nobody is left to tell
            return
        self._on_busy(True)
        self.runner.run(
            check.run,
            lambda result: self._check_ended(check, result, None),
            lambda exc: self._check_ended(check, None, exc),
            lane=Lane.NETWORK,
        )

    def _check_ended(self, check: Check[Any], result: object, exc: BaseException | None) -> None:
        if not self.session.ended(check):
            return  # its try is over (Try again, a result shown, the dialog closed)
        self._on_busy(False)
        if exc is None:
            self._on_finished(result)
        else:
            self._on_failed(exc)

    def _on_busy(self, busy: bool) -> None:
        if self.pages.currentWidget() is self.self_auth_page:
            self.self_auth_page.set_busy(busy)
            if not busy:
                self._update_default()
            return
        if busy:
            self._timer.stop()
            if self.pages.currentWidget() is not self.waiting_page:
                self._page(self.waiting_page, paste=True)
        self.waiting_page.set_busy(busy)
        self.paste.setEnabled(not busy)

    # --- self-authorization -------------------------------------------------------------

    def _verify_token(self) -> None:
        page = self.self_auth_page
        page.clear_messages()
        token = page.token.text().strip()
        if not token:
            show_message(page.token_message, "Paste the refresh token from Seller Central.")
            page.token.setFocus()
            return
        try:
            check = self.session.self_authorize(Secret(token), page.seller.text())
        except UserFacingError as exc:
            show_message(page.message, str(exc))
            return
        clipboard.clear_if_holds(token)  # read once: the token leaves the clipboard
        self._run(check)

    # --- results ------------------------------------------------------------------------

    def _on_finished(self, result: object) -> None:
        if isinstance(result, WrongAccount):
            self._show_result(
                "wrong_account",
                "Wrong account: nothing was changed",
                texts.wrong_account_html(result, self.account),
                (self.try_again_button,),
            )
            return
        if isinstance(result, NeedsConfirmation):
            self._ask(result)
            return
        assert isinstance(result, Authorized)
        self._pending = (result, self.session.coverage(result))
        self._use_account()

    def _ask(self, result: NeedsConfirmation) -> None:
        """Show what Amazon reports; nothing is pending until Confirm (Cancel applies nothing)."""
        covered = self.session.coverage(result.authorized)
        self._pending = (result.authorized, covered)
        html = texts.confirm_html(result, covered, self.session.workspace.current)
        # Enter confirms only when nothing suggests another account: then it is Cancel.
        self.confirm_by_default = not result.looks_like_another_account
        buttons = (self.use_button, self.try_again_button)
        self._show_result("confirm", texts.confirm_title(result), html, buttons)
        if not self.confirm_by_default:
            self.close_button.setFocus()

    def _use_account(self) -> None:
        if self._pending is None:
            return
        result, covered = self._pending
        self._pending = None
        refusal = self.session.apply(result, covered)
        if refusal is not None:
            self._show_error(refusal)
            return
        html = texts.authorized_html(
            self.target, result, covered, self.session.workspace.current, applied=True
        )
        self._show_result("success", "Authorized: click Save to keep it", html)
        self.authorized.emit(result)

    def _on_failed(self, exc: BaseException) -> None:
        if self.pages.currentWidget() is self.self_auth_page and isinstance(exc, UserFacingError):
            self.self_auth_page.show_error(exc)
            return
        if not isinstance(exc, UserFacingError):
            dialogs.report_error(self, exc)  # a bug: the crash dialog, with the details
        self._show_error(exc)

    def _show_error(self, exc: BaseException) -> None:
        self._show_result(
            "error", "Not authorized", texts.error_html(exc), (self.try_again_button,)
        )

    def _try_again(self) -> None:
        self._pending = None
        self.outcome = None
        self.session.restart()
        clipboard.clear_if_holds(self._copied)  # that link's attempt is over
        self.waiting_page.link.clear()
        self.waiting_page.message.hide()
        self._show_start()

    # --- closing ------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Every way out (Cancel, Close, Escape, the title bar) ends the consent."""
        self._timer.stop()
        clipboard.clear_if_holds(
            self._copied, self.self_auth_page.token.text(), self.paste.edit.text()
        )
        self.self_auth_page.token.clear()
        self.paste.edit.clear()
        self.bridge.close()
        self.session.close()
        super().done(result)


def open_reauthorize(
    parent: QWidget | None,
    workspace: Workspace,
    target: ConsentTarget,
    *,
    runner: TaskRunner,
    apply: Apply | None = None,
    endpoints: Endpoints | None = None,
    attempts: ConsentAttempts | None = None,
    open_url: OpenUrl | None = None,
) -> ReauthorizeDialog:
    """Open the reauthorize dialog (window-modal, without blocking) on a new consent session.

    ``runner`` is the window's: Amazon is asked on its network lane. ``apply`` is how the new
    grant becomes pending (by default ``workspace.try_apply``).
    """
    session = ConsentSession(workspace, target, attempts=attempts, endpoints=endpoints, apply=apply)
    dialog = ReauthorizeDialog(session, runner, open_url=open_url, parent=parent)
    dialog.open()
    return dialog
