"""The moving parts of one reauthorization, without widgets: listener, attempt, and the checks.

:class:`ConsentFlow` owns the loopback listener (started at once, on a free port), the consent
attempt and its URL, and runs the blocking steps (:func:`core.amazon.consent.complete`,
:func:`core.amazon.consent.self_authorize`) on a worker thread. Results come back on the GUI thread
as
:attr:`ConsentFlow.finished` or :attr:`ConsentFlow.failed`; the listener's answer comes back
through a signal too, so nothing here waits. The workspace is read on the GUI thread only: what
a worker needs (the app, a secret reader) is taken before it starts.

Redirect URI: against Amazon the consent names the app's registered HTTPS redirect page, which
hands the answer on to the listener (its port is in ``state``). Against the simulator, which
accepts loopback redirects, the consent names the listener itself, so the demo runs the real
listener path without a hosted hand-off page.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from core.amazon.consent import (
    Attempt,
    Authorized,
    ConsentAttempts,
    ConsentResult,
    ConsentTarget,
    complete,
    consent_url,
    parse_redirect,
    self_authorize,
)
from core.amazon.listener import CallbackListener, ListenerUnavailable
from core.amazon.lwa import LwaClient
from core.amazon.sellers import SellersClient
from core.domain.app_rules import AppUse, incomplete_app, read_client_secret
from core.domain.endpoints import endpoints_for, uses_loopback_redirect
from core.domain.errors import UserFacingError
from core.domain.inventory import AppCredentials, utcnow
from core.domain.marketplaces import Endpoints
from core.domain.secret import Secret
from core.services.lanes import Lane, Lanes
from core.services.workspace import Workspace
from gui.tasks import TaskRunner

log = logging.getLogger(__name__)

#: The listener's own safety limit; the dialog closes it long before in normal use.
LISTENER_TIMEOUT_S = 2 * 60 * 60.0
Clock = Callable[[], datetime]


def cannot_start(workspace: Workspace) -> UserFacingError | None:
    """Why no consent can start here (read-only inventory, incomplete app), or ``None``."""
    if workspace.read_only_reason is not None:
        return UserFacingError(
            f"{workspace.read_only_reason} A new authorization could not be kept.",
            "Reauthorize from the SP Connect window that can save this inventory.",
        )
    return incomplete_app(workspace.current.app, AppUse.CONSENT)


T = TypeVar("T")


def _with_amazon(
    app: AppCredentials,
    read: Callable[[str], Secret | None],
    endpoints: Endpoints,
    call: Callable[[LwaClient, SellersClient], T],
) -> T:
    """Runs on the worker: read the client secret, then call Amazon with fresh clients."""
    secret = read_client_secret(app, read, AppUse.CONSENT)
    with (
        LwaClient(endpoints, app.lwa_client_id, secret) as lwa,
        SellersClient(endpoints) as sellers,
    ):
        return call(lwa, sellers)


class ConsentFlow(QObject):
    """One consent for one :class:`~core.amazon.consent.ConsentTarget`; use it from the GUI
    thread."""

    finished = Signal(object)  # ConsentResult (Authorized or WrongAccount)
    failed = Signal(object)  # the exception (UserFacingError, ValidationError, or a bug)
    listenerAnswered = Signal()  # the listener received an answer; checking starts
    listenerStopped = Signal()  # the listener gave up (timed out) without an answer
    busyChanged = Signal(bool)
    taskEnded = Signal()  # a worker task was delivered (its result used or dropped)
    _answer = Signal(object)  # from the listener's thread: the query string or None

    def __init__(
        self,
        workspace: Workspace,
        target: ConsentTarget,
        *,
        endpoints: Endpoints | None = None,
        attempts: ConsentAttempts | None = None,
        runner: TaskRunner | None = None,
        clock: Clock = utcnow,
        listen: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.target = target
        self._endpoints = endpoints
        self.attempts = attempts if attempts is not None else ConsentAttempts()
        self._own_executor: ThreadPoolExecutor | None = None
        if runner is None:
            self._own_executor = ThreadPoolExecutor(1, thread_name_prefix="consent")
            runner = TaskRunner(Lanes(network=self._own_executor), self)
        self.runner = runner
        self.clock = clock
        self.listener: CallbackListener | None = None
        self.listener_error: UserFacingError | None = None
        self.attempt: Attempt | None = None
        self.url: str | None = None
        self.redirect_uri: str | None = None
        self.busy = False
        self.closed = False
        self.dropped_answers = 0  # listener answers that came too late (for tests and logs)
        self._generation = 0
        self._answer.connect(self._on_answer)
        if listen:
            self.start_listener()

    # --- the listener -------------------------------------------------------------------

    def start_listener(self) -> None:
        """Listen on a free port of 127.0.0.1 (again, after a one-shot listener was used)."""
        if self.listener is not None and not self.listener.closed:
            return
        generation = self._generation

        def on_result(query: str | None) -> None:  # on a listener thread
            # RuntimeError: the dialog was deleted first, so nobody is waiting any more.
            with contextlib.suppress(RuntimeError):
                self._answer.emit((generation, query))

        try:
            self.listener = CallbackListener(
                timeout_s=LISTENER_TIMEOUT_S, on_result=on_result, expects=self.attempts.expects
            )
            self.listener_error = None
        except ListenerUnavailable as exc:
            self.listener = None
            self.listener_error = exc

    @property
    def listening(self) -> bool:
        return self.listener is not None and not self.listener.closed

    def stop_listener(self) -> None:
        if self.listener is not None:
            self.listener.cancel()

    @Slot(object)
    def _on_answer(self, item: tuple[int, str | None]) -> None:
        generation, query = item
        if self.closed or generation != self._generation:
            if query is not None:  # a listener of an earlier try, or the dialog is gone
                self.dropped_answers += 1
            return
        if query is None:
            self.listenerStopped.emit()
            return
        if self.busy:
            log.info("listener answer ignored: an answer is already being checked")
            self.dropped_answers += 1
            return
        self.listenerAnswered.emit()
        try:
            self.finish(query)
        except UserFacingError as exc:
            self.failed.emit(exc)

    # --- the attempt and its link -------------------------------------------------------

    @property
    def endpoints(self) -> Endpoints:
        """The endpoints given, or the app's (may raise UserFacingError)."""
        if self._endpoints is None:
            return endpoints_for(self.workspace.current.app)
        return self._endpoints

    def link(self) -> str:
        """The consent URL of the live attempt; a new attempt when there is none (or it ended).

        Raises:
            UserFacingError: The app credentials or the endpoints do not allow a consent.
        """
        now = self.clock()
        if self.attempt is not None and self.url is not None and now < self.attempt.expires_at:
            return self.url
        problem = cannot_start(self.workspace)
        if problem is not None:
            raise problem
        app = self.workspace.current.app
        endpoints = self.endpoints
        port = self.listener.port if self.listening and self.listener is not None else None
        redirect = app.redirect_uri
        if port is not None and self.listener is not None and uses_loopback_redirect(endpoints):
            redirect = self.listener.url
        if self.attempt is not None:
            self.attempts.cancel(self.attempt)
        attempt = self.attempts.start(self.target, now=now, port=port)
        self.url = consent_url(
            replace(app, redirect_uri=redirect), endpoints, self.target.marketplace, attempt.state
        )
        self.attempt, self.redirect_uri = attempt, redirect
        return self.url

    def remaining(self) -> timedelta | None:
        """How long the current link still works; ``None`` before the first one."""
        if self.attempt is None:
            return None
        return max(self.attempt.expires_at - self.clock(), timedelta(0))

    # --- finishing ----------------------------------------------------------------------

    def finish(self, text: str) -> None:
        """Check an answer (pasted, or from the listener) on the worker.

        Raises:
            UserFacingError: At once, when ``text`` is not Amazon's answer (nothing is sent).
        """
        params = parse_redirect(text)
        app = self.workspace.current.app
        read = self.workspace.secret
        endpoints, attempts, clock = self.endpoints, self.attempts, self.clock
        redirect = self.redirect_uri if self.redirect_uri is not None else app.redirect_uri

        def work(lwa: LwaClient, sellers: SellersClient) -> ConsentResult:
            return complete(
                attempts,
                params,
                lwa=lwa,
                sellers=sellers,
                app=app,
                now=clock(),
                redirect_uri=redirect,
            )

        self._run(lambda: _with_amazon(app, read, endpoints, work))

    def self_authorize(self, refresh_token: Secret, seller_id: str) -> None:
        """Verify a refresh token from Seller Central (refresh + participations) on the worker."""
        problem = cannot_start(self.workspace)
        if problem is not None:
            raise problem
        app = self.workspace.current.app
        read = self.workspace.secret
        endpoints, target, clock = self.endpoints, self.target, self.clock

        def work(lwa: LwaClient, sellers: SellersClient) -> Authorized:
            return self_authorize(
                refresh_token,
                target,
                lwa=lwa,
                sellers=sellers,
                app=app,
                now=clock(),
                seller_id=seller_id,
            )

        self._run(lambda: _with_amazon(app, read, endpoints, work))

    def _run(self, work: Callable[[], Any]) -> None:
        generation = self._generation
        self._set_busy(True)

        def ok(result: object) -> None:
            self.taskEnded.emit()
            if self._current(generation):
                self._set_busy(False)
                self.finished.emit(result)

        def error(exc: BaseException) -> None:
            self.taskEnded.emit()
            if self._current(generation):
                self._set_busy(False)
                self.failed.emit(exc)

        self.runner.run(work, ok, error, lane=Lane.NETWORK)

    def _current(self, generation: int) -> bool:
        return not self.closed and generation == self._generation

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busyChanged.emit(busy)

    # --- starting over and closing -------------------------------------------------------

    def settle(self) -> None:
        """The dialog shows a result: later answers and results of this try are dropped."""
        self._generation += 1
        self._set_busy(False)
        self.stop_listener()

    def restart(self) -> None:
        """Forget this try (its late results are dropped) and get ready for a new one."""
        self._generation += 1
        self._set_busy(False)
        if self.attempt is not None:
            self.attempts.cancel(self.attempt)
        self.attempt = self.url = self.redirect_uri = None
        if self.listener is not None:
            self.listener.cancel()  # a fresh listener: its answers belong to the new try
            self.listener = None
        self.start_listener()

    def close(self) -> None:
        """Cancel the attempt and stop listening; results still to come are dropped."""
        if self.closed:
            return
        self.closed = True
        self._generation += 1
        if self.attempt is not None:
            self.attempts.cancel(self.attempt)
        self.stop_listener()
        if self._own_executor is not None:
            # A check in progress finishes on its own (its result is dropped): never wait here.
            self._own_executor.shutdown(wait=False, cancel_futures=True)
