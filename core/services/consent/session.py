"""A consent session: one person getting a new authorization for one consent target.

The person's side of a consent (ARCHITECTURE.md, "Consent"), in plain Python (like electrum's
wizard: the logic outside the GUI, tested without Qt). A :class:`ConsentSession` holds:

* the one-shot loopback listener (:mod:`core.amazon.listener`), started at once on a free port
  and afresh for each try. Its answer comes out as :attr:`ConsentSession.answered` (the query
  string), a listener that gives up as :attr:`ConsentSession.listener_stopped`; both are emitted
  on a listener thread (see :mod:`core.services.events`);
* the consent attempt, its link and how long it still works;
* finishing, by the listener's answer, a pasted address or a refresh token from Seller Central:
  a quick check on the calling thread (text that is not Amazon's answer is refused at once, and
  nothing is sent), then a blocking :class:`~core.services.consent.calls.Check` that calls
  Amazon, for the caller to run on the network lane;
* which channels a verified grant covers, and applying it as one pending change (one Undo step).

**Tries.** A try ends when its result is shown (:meth:`~ConsentSession.settle`), when the person
starts again (:meth:`~ConsentSession.restart`) or when the session closes. An answer or a result
that arrives after its try ended is dropped, never shown (:meth:`~ConsentSession.take_answer`,
:meth:`~ConsentSession.ended`). Each try has its own listener: a listener takes one answer only.

**Threads.** Call the methods from one thread (the window's GUI thread); a check runs on any
thread. The workspace is read on the calling thread only: what a check needs (the app
credentials, a secret reader, the endpoints, what is known of the seller) is taken before.

**Redirect URI.** Amazon's consent names the app's registered HTTPS page, which hands the answer
to the listener (its port is in ``state``); the simulator takes loopback redirects, so there it
names the listener. The attempt records it: the code exchange names the same one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from core.amazon.attempts import Attempt, ConsentAttempts, ConsentTarget
from core.amazon.consent import (
    Authorized,
    WrongAccount,
    complete,
    consent_url,
    parse_redirect,
    self_authorize,
)
from core.amazon.listener import CallbackListener, ListenerUnavailable
from core.amazon.lwa import LwaClient
from core.amazon.sellers import SellersClient
from core.domain.changes import Apply, combined
from core.domain.endpoints import endpoints_for, uses_loopback_redirect
from core.domain.errors import UserFacingError
from core.domain.inventory import AppCredentials, utcnow
from core.domain.marketplaces import Endpoints
from core.domain.secret import Secret
from core.services.consent.calls import Check, cannot_start, with_amazon
from core.services.consent.coverage import Coverage, authorization_change, coverage
from core.services.consent.identity import NeedsConfirmation, judge, known_account
from core.services.consent.identity import Outcome as ConsentResult
from core.services.events import Event
from core.services.workspace import Workspace

__all__ = [
    "LISTENER_TIMEOUT_S",
    "Authorized",
    "Check",
    "ConsentResult",
    "ConsentSession",
    "Coverage",
    "NeedsConfirmation",
    "WrongAccount",
]

log = logging.getLogger(__name__)

#: The listener's own safety limit; a dialog closes it long before in normal use.
LISTENER_TIMEOUT_S = 2 * 60 * 60.0

Clock = Callable[[], datetime]
T = TypeVar("T")


class ConsentSession:
    """One consent for one :class:`~core.amazon.attempts.ConsentTarget` of one workspace.

    Args:
        workspace: The open inventory the new grant is for.
        target: Which seller in which region, and the channels the consent is for.
        attempts: The window's registry of attempts (a late answer to another session's
            attempt is then refused clearly); a fresh one by default.
        endpoints: Where Amazon is; by default the app credentials say.
        apply: How the pending change is applied; by default ``workspace.try_apply``.
        clock: The time (tests move it).
        listen: Start the loopback listener at once.
        port: The listener's port; 0 picks a free one.
        listener_timeout_s: How long a listener waits before it gives up by itself.
    """

    def __init__(
        self,
        workspace: Workspace,
        target: ConsentTarget,
        *,
        attempts: ConsentAttempts | None = None,
        endpoints: Endpoints | None = None,
        apply: Apply | None = None,
        clock: Clock = utcnow,
        listen: bool = True,
        port: int = 0,
        listener_timeout_s: float = LISTENER_TIMEOUT_S,
    ) -> None:
        self.workspace = workspace
        self.target = target
        self.attempts = attempts if attempts is not None else ConsentAttempts()
        self.clock = clock
        self._endpoints = endpoints
        self._apply: Apply = apply if apply is not None else workspace.try_apply
        self._port = port
        self._listener_timeout_s = listener_timeout_s
        #: The listener's answer (the raw query string), emitted on the listener's thread.
        self.answered: Event[str] = Event("consent answered")
        #: The listener of the current try gave up (timed out) without an answer.
        self.listener_stopped: Event[None] = Event("consent listener stopped")
        self.listener: CallbackListener | None = None
        self.listener_error: UserFacingError | None = None
        self.attempt: Attempt | None = None
        self.url: str | None = None
        self.redirect_uri: str | None = None
        self.busy = False  # a check of the current try is running
        self.closed = False
        self.dropped_answers = 0  # listener answers that came too late (for logs and tests)
        self.dropped_results = 0  # check outcomes that came too late
        self._try = 0
        self._lock = threading.Lock()
        self._heard: dict[str, int] = {}  # answer -> the try whose listener heard it
        if listen:
            self.start_listener()

    @property
    def try_number(self) -> int:
        """Which try this is; it changes when a try ends (see the module docstring)."""
        return self._try

    # --- the listener -------------------------------------------------------------------

    @property
    def listening(self) -> bool:
        return self.listener is not None and not self.listener.closed

    def start_listener(self) -> None:
        """Listen on 127.0.0.1; nothing to do while a listener is still waiting.

        A listener that cannot start leaves :attr:`listener_error` for the person to read:
        finishing by pasting still works.
        """
        if self.listening:
            return
        heard_in = self._try

        def on_result(query: str | None) -> None:  # on a listener thread
            self._heard_answer(heard_in, query)

        try:
            self.listener = CallbackListener(
                port=self._port,
                timeout_s=self._listener_timeout_s,
                on_result=on_result,
                expects=self.attempts.expects,
            )
            self.listener_error = None
        except ListenerUnavailable as exc:
            self.listener = None
            self.listener_error = exc

    def stop_listener(self) -> None:
        if self.listener is not None:
            self.listener.cancel()

    def _heard_answer(self, heard_in: int, query: str | None) -> None:
        if query is None:  # timed out, or cancelled because its try ended
            if not self.closed and heard_in == self._try:
                self.listener_stopped.emit(None)
            return
        with self._lock:
            self._heard[query] = heard_in
        self.answered.emit(query)

    def take_answer(self, query: str) -> Check[ConsentResult] | None:
        """What to do with an answer :attr:`answered` brought; call it on the session's thread.

        ``None`` when the answer is dropped: its try ended since the listener heard it, or a
        check is already running (the person pasted the same answer meanwhile). Otherwise the
        check to run, as :meth:`finish` gives it.

        Raises:
            UserFacingError: The answer is not a consent (Amazon reported an error instead).
        """
        with self._lock:
            heard_in = self._heard.pop(query, None)
        if self.closed or heard_in != self._try:
            self.dropped_answers += 1
            return None
        if self.busy:
            log.info("listener answer ignored: an answer is already being checked")
            self.dropped_answers += 1
            return None
        return self.finish(query)

    # --- the attempt and its link -------------------------------------------------------

    @property
    def endpoints(self) -> Endpoints:
        """The endpoints given, or the app's.

        Raises:
            UserFacingError: The app is set to use a simulator whose address is not valid.
        """
        if self._endpoints is None:
            return endpoints_for(self.workspace.current.app)
        return self._endpoints

    def cannot_start(self) -> UserFacingError | None:
        """Why no consent can start here, or ``None`` (see :func:`cannot_start`)."""
        return cannot_start(self.workspace)

    def link(self) -> str:
        """The consent URL of the live attempt; a new attempt when there is none (or it ended).

        Raises:
            UserFacingError: The app credentials or the endpoints do not allow a consent.
        """
        now = self.clock()
        if self.attempt is not None and self.url is not None and now < self.attempt.expires_at:
            return self.url
        problem = self.cannot_start()
        if problem is not None:
            raise problem
        app = self.workspace.current.app
        endpoints = self.endpoints
        listener = self.listener if self.listening else None
        port = listener.port if listener is not None else None
        redirect = app.redirect_uri
        if listener is not None and uses_loopback_redirect(endpoints):
            redirect = listener.url
        if self.attempt is not None:
            self.attempts.cancel(self.attempt)
        attempt = self.attempts.start(self.target, now=now, port=port, redirect_uri=redirect or "")
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

    def finish(self, text: str) -> Check[ConsentResult]:
        """Finish with Amazon's answer (pasted, or from the listener).

        The check claims the attempt's ``state``, exchanges the code and verifies the grant
        (:func:`core.amazon.consent.complete`); it raises what that raises. A grant that may not
        be the expected seller's is a :class:`NeedsConfirmation` (see its module).

        Raises:
            UserFacingError: At once, when ``text`` is not Amazon's answer (nothing is sent).
        """
        params = parse_redirect(text)
        app = self.workspace.current.app
        attempts, clock = self.attempts, self.clock
        redirect = self.redirect_uri if self.redirect_uri is not None else app.redirect_uri
        known = known_account(self.workspace.current, self.target)

        def call(lwa: LwaClient, sellers: SellersClient) -> ConsentResult:
            result = complete(
                attempts,
                params,
                lwa=lwa,
                sellers=sellers,
                app=app,
                now=clock(),
                redirect_uri=redirect,
            )
            return judge(result, known) if isinstance(result, Authorized) else result

        return self._begin(app, call)

    def self_authorize(
        self, refresh_token: Secret, seller_id: str
    ) -> Check[Authorized | NeedsConfirmation]:
        """Finish with a refresh token from Seller Central (private apps): refresh, then
        getMarketplaceParticipations, in the check (:func:`core.amazon.consent.self_authorize`).
        The typed Seller ID is a claim too, judged as :meth:`finish` judges an answer.

        Raises:
            UserFacingError: At once, when no consent can start here.
        """
        problem = self.cannot_start()
        if problem is not None:
            raise problem
        app, target, clock = self.workspace.current.app, self.target, self.clock
        known = known_account(self.workspace.current, target)

        def call(lwa: LwaClient, sellers: SellersClient) -> Authorized | NeedsConfirmation:
            result = self_authorize(
                refresh_token,
                target,
                lwa=lwa,
                sellers=sellers,
                app=app,
                now=clock(),
                seller_id=seller_id,
            )
            return judge(result, known)

        return self._begin(app, call)

    def _begin(
        self, app: AppCredentials, call: Callable[[LwaClient, SellersClient], T]
    ) -> Check[T]:
        """A check of this try that calls Amazon as ``app``; taken now, on the session's thread."""
        read, endpoints = self.workspace.secret, self.endpoints
        self.busy = True
        return Check(self._try, lambda: with_amazon(app, read, endpoints, call))

    def ended(self, check: Check[object]) -> bool:
        """``check``'s outcome has reached the session's thread: use it only if this says True.

        False when its try ended meanwhile (the session settled, restarted or closed): the
        outcome is dropped and nothing changes.
        """
        if self.closed or check.try_number != self._try:
            self.dropped_results += 1
            return False
        self.busy = False
        return True

    # --- what the grant covers, and applying it -----------------------------------------

    def coverage(self, result: Authorized) -> Coverage:
        """Which channels ``result`` applies to in the inventory as it is now."""
        return coverage(self.workspace.current, self.target, result)

    def apply(self, result: Authorized, covered: Coverage) -> UserFacingError | None:
        """Give the covered channels the new grant as one pending change (one Undo step).

        Returns why not (a grant that covers no channel, a read-only inventory, a Save in
        progress), or ``None`` once the change is pending. Nothing is saved: Save does that.
        A :class:`NeedsConfirmation`'s grant comes here only once the person has confirmed.
        """
        try:
            changes = authorization_change(self.workspace, result, covered, self.clock())
        except UserFacingError as exc:
            return exc
        refusal = self._apply(combined(changes, f"New authorization for {self.target.label}"))
        if refusal is None:
            log.info("new authorization pending for %d channel(s)", len(covered.channel_ids))
        return refusal

    # --- ending tries, and closing ------------------------------------------------------

    def settle(self) -> None:
        """A result is shown: later answers and results of this try are dropped; stop listening."""
        self._try += 1
        self.busy = False
        self.stop_listener()

    def restart(self) -> None:
        """Forget this try (its late results are dropped) and get ready for a new one."""
        self._try += 1
        self.busy = False
        if self.attempt is not None:
            self.attempts.cancel(self.attempt)
        self.attempt = self.url = self.redirect_uri = None
        if self.listener is not None:
            self.listener.cancel()  # a fresh listener: its answers belong to the new try
            self.listener = None
        self.start_listener()

    def close(self) -> None:
        """Cancel the attempt and stop listening; anything still to come is dropped.

        A check in progress finishes on its own (never waited for here); its outcome is dropped.
        """
        if self.closed:
            return
        self.closed = True
        self._try += 1
        self.busy = False
        with self._lock:
            self._heard.clear()  # answers nobody took: their codes need not stay in memory
        if self.attempt is not None:
            self.attempts.cancel(self.attempt)
        self.stop_listener()
