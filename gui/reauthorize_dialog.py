"""Reauthorize: get a new Amazon authorization for one consent target (DESIGN §3.1).

The dialog says which Seller Central site to open and which account to select, opens the
consent link in the browser (or copies it for support staff to send), waits with a countdown,
and finishes from the loopback listener or from a pasted address. The result page shows what
the new grant covers, a wrong account (nothing applied), or the error and its next step. A
verified grant becomes one pending change (one Undo step) applied on the GUI thread: the
channels show Unsaved until Save in the main window.

Open it with :func:`open_reauthorize`. Never ``exec()`` it: the network work runs on a worker
(:class:`gui.consent_flow.ConsentFlow`) and the window keeps painting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Literal

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.amazon.consent import Authorized, ConsentAttempts, ConsentTarget, WrongAccount
from core.domain.changes import Apply, combined
from core.domain.errors import UserFacingError, ValidationError
from core.domain.inventory import utcnow
from core.domain.marketplaces import Endpoints
from core.domain.secret import Secret
from core.services.consent import texts
from core.services.consent.coverage import Coverage, authorization_change, coverage
from core.services.workspace import Workspace
from gui import dialogs
from gui.consent_flow import Clock, ConsentFlow, cannot_start
from gui.reauthorize_pages import (
    PastePanel,
    ResultPage,
    SelfAuthPage,
    StartPage,
    WaitingPage,
    button,
    show_message,
)
from gui.tasks import TaskRunner

log = logging.getLogger(__name__)

OpenUrl = Callable[[QUrl], bool]
Outcome = Literal["success", "confirm", "wrong_account", "error"]


class ReauthorizeDialog(QDialog):
    """One reauthorization. :attr:`authorized` follows once its change is pending."""

    authorized = Signal(object)  # Authorized

    def __init__(
        self,
        workspace: Workspace,
        target: ConsentTarget,
        *,
        apply: Apply | None = None,
        endpoints: Endpoints | None = None,
        attempts: ConsentAttempts | None = None,
        open_url: OpenUrl | None = None,
        runner: TaskRunner | None = None,
        clock: Clock = utcnow,
        listen: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.target = target
        self._apply = apply or workspace.try_apply
        self._open_url: OpenUrl = open_url or QDesktopServices.openUrl
        self.outcome: Outcome | None = None
        self._pending: tuple[Authorized, Coverage] | None = None
        self.account = texts.expected_account(workspace.current, target)
        self.flow = ConsentFlow(
            workspace, target, endpoints=endpoints, attempts=attempts, runner=runner,
            clock=clock, listen=listen, parent=self,
        )  # fmt: skip
        self.setWindowTitle(f"Reauthorize {target.label} — SP Connect")
        self.setAccessibleName(f"Reauthorize {target.label}")
        self.setMinimumWidth(620)
        self._build()
        self._wire()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._show_start()

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel(f"Reauthorize {self.target.label}")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        region = self.target.region.display_name
        self.subtitle = QLabel(f"Amazon {region} · Account: {self.account.text}")
        self.subtitle.setWordWrap(True)
        self.start_page = StartPage()
        self.waiting_page = WaitingPage()
        self.self_auth_page = SelfAuthPage()
        self.result_page = ResultPage()
        self.pages = QStackedWidget()
        for page in (self.start_page, self.waiting_page, self.self_auth_page, self.result_page):
            self.pages.addWidget(page)
        self.paste = PastePanel()
        self.try_again_button = button(
            "&Try again", "Try again", "Start a new consent from the beginning."
        )
        self.use_button = button(
            "&Use this account",
            "Use this account",
            "Give the channels this authorization (pending until you Save in the main window).",
        )
        self.close_button = button(
            "Cancel", "Cancel", "Stop here. Nothing changes (Escape does the same)."
        )
        self.close_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        for widget in (self.try_again_button, self.use_button, self.close_button):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.paste)
        layout.addLayout(row)
        start = self.start_page
        try:
            endpoints = self.flow.endpoints
        except UserFacingError as exc:
            endpoints = Endpoints.amazon()
            show_message(start.message, str(exc))
        problem = cannot_start(self.workspace)
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
        self.paste.edit.textChanged.connect(self._update_default)
        self.try_again_button.clicked.connect(self._try_again)
        self.use_button.clicked.connect(self._use_account)
        self.flow.finished.connect(self._on_finished)
        self.flow.failed.connect(self._on_failed)
        self.flow.busyChanged.connect(self._on_busy)
        self.flow.listenerAnswered.connect(self._on_listener_answered)
        self.flow.listenerStopped.connect(self._update_listener_text)

    # --- pages --------------------------------------------------------------------------

    def _page(self, page: QWidget, *, paste: bool, buttons: Sequence[QWidget] = ()) -> None:
        self.pages.setCurrentWidget(page)
        self.paste.setVisible(paste)
        for widget in (self.try_again_button, self.use_button):
            widget.setVisible(widget in buttons)
        final = page is self.result_page
        self.close_button.setText("Close" if final else "Cancel")
        self.close_button.setAccessibleName("Close" if final else "Cancel")
        self.close_button.setToolTip(
            "Close this window." if final else "Stop here. Nothing changes (Escape does the same)."
        )
        self._update_default()

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
        self.flow.settle()
        self._timer.stop()
        self.self_auth_page.token.clear()
        self.result_page.title.setText(title)
        self.result_page.title.setAccessibleName(title)
        self.result_page.text.setText(html)
        self._page(self.result_page, paste=False, buttons=buttons)
        (buttons[0] if buttons else self.close_button).setFocus()

    def _update_default(self) -> None:
        """Enter does the obvious thing on each page (and finishes once something is pasted)."""
        page = self.pages.currentWidget()
        target: QWidget | None = None
        if self.paste.isVisible() and self.paste.edit.text().strip():
            target = self.paste.finish_button
        elif page is self.start_page:
            target = self.start_page.open_button
        elif page is self.waiting_page:  # back from the browser: the next step is to paste
            target = self.paste.finish_button
        elif page is self.self_auth_page:
            target = self.self_auth_page.verify_button
        elif self.use_button.isVisible():
            target = self.use_button
        elif self.try_again_button.isVisible():
            target = self.try_again_button
        else:
            target = self.close_button
        for widget in self.findChildren(QPushButton):
            widget.setDefault(widget is target)

    def _update_listener_text(self) -> None:
        text = texts.listener_text(self.flow.listening, self.flow.listener_error)
        self.start_page.listener_label.setText(text)
        if self.pages.currentWidget() is self.waiting_page and not self.flow.busy:
            self.waiting_page.status.setText(text)

    def _tick(self) -> None:
        self.waiting_page.countdown.setText(texts.countdown_text(self.flow.remaining()))

    # --- the browser consent ------------------------------------------------------------

    def _link(self, message: QLabel) -> str | None:
        try:
            url = self.flow.link()
        except UserFacingError as exc:
            show_message(message, str(exc))
            return None
        show_message(message, "")
        self.waiting_page.link.setText(url)
        self.waiting_page.link.setCursorPosition(0)
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
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(url)
        self.waiting_page.message.setText(
            "Link copied. Paste it into a browser, or send it to the seller: it works once, "
            f"for {texts.LINK_MINUTES} minutes."
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
            self.flow.finish(text)
        except UserFacingError as exc:
            show_message(self.paste.message, f"{exc.message} {exc.next_step}".strip())
            self.paste.edit.selectAll()
            self.paste.edit.setFocus()
            return
        show_message(self.paste.message, "")
        self.paste.edit.clear()

    def _on_listener_answered(self) -> None:
        self.waiting_page.status.setText("Amazon's answer has arrived.")

    def _on_busy(self, busy: bool) -> None:
        page = self.pages.currentWidget()
        if page is self.self_auth_page:
            a = self.self_auth_page
            a.busy.setVisible(busy)
            for widget in (a.verify_button, a.token, a.back_button):
                widget.setEnabled(not busy)
            if not busy:
                a.token.setFocus()
                self._update_default()
            return
        if busy:
            self._timer.stop()
            if page is not self.waiting_page:
                self._page(self.waiting_page, paste=True)
            self.waiting_page.status.setText("Checking Amazon's answer with Amazon…")
        w = self.waiting_page
        w.busy.setVisible(busy)
        for each in (w.open_button, w.copy_button, self.paste):
            each.setEnabled(not busy)

    # --- self-authorization -------------------------------------------------------------

    def _verify_token(self) -> None:
        page = self.self_auth_page
        for label in (page.seller_message, page.token_message, page.message):
            show_message(label, "")
        token = page.token.text().strip()
        if not token:
            show_message(page.token_message, "Paste the refresh token from Seller Central.")
            page.token.setFocus()
            return
        try:
            self.flow.self_authorize(Secret(token), page.seller.text())
        except UserFacingError as exc:
            show_message(page.message, str(exc))

    def _self_auth_failed(self, exc: UserFacingError) -> None:
        page = self.self_auth_page
        if isinstance(exc, ValidationError):
            for error in exc.errors:
                label = {"seller_id": page.seller_message, "refresh_token": page.token_message}
                show_message(label.get(error.field, page.message), error.message)
            return
        show_message(page.message, str(exc))

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
        assert isinstance(result, Authorized)
        covered = coverage(self.workspace.current, self.target, result)
        self._pending = (result, covered)
        if result.needs_confirmation and covered.channel_ids:
            html = texts.authorized_html(
                self.target, result, covered, self.workspace.current, applied=False
            )
            self._show_result(
                "confirm",
                "Is this the right account?",
                html,
                (self.use_button, self.try_again_button),
            )
            return
        self._use_account()

    def _use_account(self) -> None:
        if self._pending is None:
            return
        result, covered = self._pending
        self._pending = None
        try:
            changes = authorization_change(self.workspace, result, covered, self.flow.clock())
        except UserFacingError as exc:
            self._show_error(exc)
            return
        refusal = self._apply(combined(changes, f"New authorization for {self.target.label}"))
        if refusal is not None:
            self._show_error(refusal)
            return
        log.info("new authorization pending for %d channel(s)", len(covered.channel_ids))
        html = texts.authorized_html(
            self.target, result, covered, self.workspace.current, applied=True
        )
        self._show_result("success", "Authorized: click Save to keep it", html)
        self.authorized.emit(result)

    def _on_failed(self, exc: BaseException) -> None:
        if self.pages.currentWidget() is self.self_auth_page and isinstance(exc, UserFacingError):
            self._self_auth_failed(exc)
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
        self.flow.restart()
        self.waiting_page.link.clear()
        self.waiting_page.message.hide()
        self._show_start()

    # --- closing ------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Every way out (Cancel, Close, Escape, the title bar) ends the consent."""
        self._timer.stop()
        self.self_auth_page.token.clear()
        self.paste.edit.clear()
        self.flow.close()
        super().done(result)


def open_reauthorize(
    parent: QWidget | None,
    workspace: Workspace,
    target: ConsentTarget,
    *,
    apply: Apply | None = None,
    endpoints: Endpoints | None = None,
    attempts: ConsentAttempts | None = None,
    open_url: OpenUrl | None = None,
) -> ReauthorizeDialog:
    """Open the reauthorize dialog (window-modal, without blocking); returns it."""
    dialog = ReauthorizeDialog(
        workspace, target, apply=apply, endpoints=endpoints, attempts=attempts,
        open_url=open_url, parent=parent,
    )  # fmt: skip
    dialog.open()
    return dialog
