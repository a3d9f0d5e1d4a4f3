"""Test connection: refresh each grant's access token and ask Amazon which marketplaces it covers.

A test only proves a stored grant still works; it never replaces a consent (the seeds are
explicit: refreshing the access token does not renew the authorization). Each authorization is
tested once, however many channels share it, and its outcome becomes the health of each of them.

Requests are paced by one token bucket for the whole run (every HTTP request, retries included,
takes a token) and run on a few worker threads. Amazon publishes no rate limit for the LWA token
endpoint, so the pace is a setting (UNVERIFIED: :class:`CheckSettings` defaults are cautious);
the Sellers API's own limit (0.016 requests/s per seller and app, burst 15) is never reached
since each grant is asked once per run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import CancelledError, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from core.amazon import deadline
from core.amazon.http import (
    AccessTokenExpired,
    AppCredentialsError,
    NeedsReauthorization,
    WrongRegion,
    make_session,
)
from core.amazon.lwa import LwaClient
from core.amazon.sellers import Participations, SellersClient
from core.domain.errors import Cancelled, UserFacingError
from core.domain.inventory import CheckResult, Health, Inventory, utcnow
from core.domain.marketplaces import Endpoints, Region
from core.domain.secret import Secret


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """How hard a test run may push Amazon. UNVERIFIED limits: configurable, cautious defaults."""

    workers: int = 4
    requests_per_second: float = 4.0
    burst: int = 4
    attempts: int = 4  # per request, retries of 429 / 5xx / network errors included
    #: The longest wait between retries. A run works in the background, so it may wait out
    #: one interval of getMarketplaceParticipations' 0.016 requests/s (about 63 s) rather than
    #: stop with "try again in a minute" as an interactive consent does.
    max_delay: float = 90.0


@dataclass(frozen=True, slots=True)
class CheckTarget:
    """One authorization to test and the channels whose health it decides."""

    authorization_id: str
    region: Region
    refresh_token_ref: str | None
    channel_ids: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    target: CheckTarget
    result: CheckResult
    message: str
    checked_at: datetime
    participations: Participations | None = None

    def health(self, before: Health) -> Health:
        return before.after(self.result, self.checked_at, self.message)


def targets_for(inventory: Inventory, channel_ids: Iterable[str]) -> list[CheckTarget]:
    """One target per authorization behind the given channels (channels without one are skipped)."""
    by_auth: dict[str, list[str]] = {}
    for channel_id in channel_ids:
        channel = inventory.channels.get(channel_id)
        if channel is not None and channel.authorization_id in inventory.authorizations:
            by_auth.setdefault(channel.authorization_id, []).append(channel_id)
    targets = []
    for auth_id, ids in by_auth.items():
        auth = inventory.authorizations[auth_id]
        label = f"Seller {auth.seller_id} ({auth.region.display_name})"
        targets.append(CheckTarget(auth_id, auth.region, auth.refresh_token_ref, tuple(ids), label))
    return targets


class TokenBucket:
    """A thread-safe token bucket; :meth:`acquire` waits for a token, or until cancelled."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self, cancel: threading.Event) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self._rate
            if cancel.wait(wait):
                raise Cancelled()


class _PacedSession(requests.Session):
    """A session whose every request first takes a token from the run's bucket."""

    def __init__(self, bucket: TokenBucket, cancel: threading.Event, user_agent: str) -> None:
        super().__init__()
        deadline.mount(self)  # no hidden retries; the overall deadline bounds the head too
        self.headers["User-Agent"] = user_agent
        self._bucket = bucket
        self._cancel = cancel

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        self._bucket.acquire(self._cancel)
        return super().request(method, url, *args, **kwargs)


class ConnectionChecker:
    """Tests authorizations concurrently. Blocking: run :meth:`run` off the GUI thread."""

    def __init__(
        self,
        endpoints: Endpoints,
        client_id: str,
        client_secret: Secret,
        read_secret: Callable[[str], Secret | None],
        settings: CheckSettings | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self._endpoints = endpoints
        self._client_id = client_id
        self._client_secret = client_secret
        self._read_secret = read_secret
        self.settings = settings or CheckSettings()
        self._clock = clock
        self.cancel_event = threading.Event()
        self._bucket = TokenBucket(self.settings.requests_per_second, self.settings.burst)
        # Waits between retries end early when the run is cancelled; tests inject a recorder.
        self._sleep = sleep or self._cancellable_sleep

    def cancel(self) -> None:
        """Stop starting tests and abandon waits; tests already talking to Amazon finish."""
        self.cancel_event.set()

    def run(
        self,
        targets: list[CheckTarget],
        on_outcome: Callable[[CheckOutcome, int, int], object] | None = None,
    ) -> list[CheckOutcome]:
        """Test every target; ``on_outcome(outcome, done, total)`` runs in the calling thread.

        Raises :class:`Cancelled` once cancelled: tests that had not started never do, those
        already talking to Amazon finish and their outcomes are delivered too. Any other error
        (the keychain did not answer) stops the run at once and is raised: nothing more starts,
        and the tests still in flight are not waited for.
        """
        outcomes: list[CheckOutcome] = []
        user_agent = str(make_session().headers["User-Agent"])
        local = threading.local()

        def check(target: CheckTarget) -> CheckOutcome:
            if self.cancel_event.is_set():
                raise Cancelled()
            if not hasattr(local, "clients"):
                session = _PacedSession(self._bucket, self.cancel_event, user_agent)
                local.clients = self._clients(session)
            return self._check(target, *local.clients)

        pool = ThreadPoolExecutor(self.settings.workers, thread_name_prefix="check")
        futures = [pool.submit(check, t) for t in targets]
        cancelled = False
        try:
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except (Cancelled, CancelledError):
                    if not cancelled:
                        cancelled = True
                        self.cancel_event.set()
                        for queued in futures:
                            queued.cancel()
                    continue
                outcomes.append(outcome)
                if on_outcome is not None:
                    on_outcome(outcome, len(outcomes), len(targets))
        except BaseException:
            # A keychain that hangs would make every test behind this one wait for its timeout.
            self.cancel_event.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        if cancelled:
            raise Cancelled()
        return outcomes

    def _clients(self, session: requests.Session) -> tuple[LwaClient, SellersClient]:
        sleep = self._sleep
        attempts = self.settings.attempts
        wait = self.settings.max_delay
        lwa = LwaClient(
            self._endpoints, self._client_id, self._client_secret, session,
            sleep=sleep, attempts=attempts, max_delay=wait,
        )  # fmt: skip
        sellers = SellersClient(
            self._endpoints, session, sleep=sleep, attempts=attempts, max_delay=wait
        )
        return lwa, sellers

    def _cancellable_sleep(self, seconds: float) -> None:
        if self.cancel_event.wait(seconds):
            raise Cancelled()

    def _check(self, target: CheckTarget, lwa: LwaClient, sellers: SellersClient) -> CheckOutcome:
        def outcome(
            result: CheckResult, message: str, p: Participations | None = None
        ) -> CheckOutcome:
            return CheckOutcome(target, result, message, self._clock(), p)

        token = self._read_secret(target.refresh_token_ref) if target.refresh_token_ref else None
        if token is None:
            return outcome(
                CheckResult.NEEDS_REAUTHORIZATION,
                "The stored authorization is missing from the keychain: reauthorize this seller.",
            )
        try:
            participations = _participations(token, target.region, lwa, sellers)
        except (NeedsReauthorization, WrongRegion) as exc:
            # A grant of another region: the channels of this region have no working grant.
            return outcome(CheckResult.NEEDS_REAUTHORIZATION, _say(exc))
        except AppCredentialsError as exc:
            return outcome(CheckResult.APP_CREDENTIALS, _say(exc))
        except UserFacingError as exc:  # throttling, Amazon errors, the network: try later
            return outcome(CheckResult.FAILED, _say(exc))
        stores = f" as {participations.store_name}" if participations.store_name else ""
        return outcome(
            CheckResult.OK,
            f"Working{stores}: {len(participations.marketplace_ids)} marketplace(s).",
            participations,
        )


def _participations(
    token: Secret, region: Region, lwa: LwaClient, sellers: SellersClient
) -> Participations:
    """A fresh access token, then the Sellers call; an expired access token is refreshed once.

    "The access token you provided has expired" asks for a new access token, not a new consent:
    access tokens live an hour
    (https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api).
    """
    access = lwa.refresh(token, region)
    try:
        return sellers.marketplace_participations(access.access_token, region)
    except AccessTokenExpired:
        pass
    access = lwa.refresh(token, region)
    try:
        return sellers.marketplace_participations(access.access_token, region)
    except AccessTokenExpired as exc:
        # Two new tokens "expired" at once: not the grant, most likely a clock that is off.
        failure = AccessTokenExpired(
            "Amazon said that two brand-new access tokens had already expired; this computer's "
            "clock may be wrong.",
            "Check this computer's date, time and time zone, then test again.",
            status=exc.status,
            code=exc.code,
            request_id=exc.request_id,
        )
    raise failure


def _say(exc: UserFacingError) -> str:
    return exc.message
