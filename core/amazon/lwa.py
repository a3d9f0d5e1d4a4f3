"""Login with Amazon (LWA) token client: exchange a consent code, refresh an access token.

Amazon's token endpoint: ``POST`` a form (``application/x-www-form-urlencoded;charset=UTF-8``)
to the LWA token URL; success is ``{"access_token": "Atza|...", "token_type": "bearer",
"expires_in": 3600, "refresh_token": "Atzr|..."}``; errors are ``{"error": ...,
"error_description": ...}``:

========  ============================  ========================================================
HTTP      ``error``                     raised here
========  ============================  ========================================================
400       ``invalid_grant``             :class:`~core.amazon.http.CodeRejected` on a code
                                        exchange (expired, used, or ``redirect_uri`` mismatch),
                                        :class:`~core.amazon.http.NeedsReauthorization` on a
                                        refresh (revoked or expired grant)
401       ``invalid_client``            :class:`~core.amazon.http.AppCredentialsError` (no
                                        seller action)
400       ``unsupported_grant_type``,   :class:`~core.amazon.http.AmazonError`: a fault in SP
          ``invalid_request``           Connect
429                                     :class:`~core.amazon.http.RateLimited` (``Retry-After``
                                        honoured)
5xx                                     :class:`~core.amazon.http.AmazonServerError`
========  ============================  ========================================================

A refresh is retried (throttling, server and network errors) by
:func:`core.amazon.retries.call_with_retries`; a code exchange never is: the code is single-use, so
after a failure the only safe next step is a new consent.

The token host per region is **UNVERIFIED**: SP-API's documentation uses ``api.amazon.com`` for
every region, while other LWA products document ``api.amazon.co.uk`` and ``api.amazon.co.jp``.
The URL comes from :meth:`core.domain.marketplaces.Endpoints.lwa_token_url`, and can be
overridden per region through ``Endpoints.token_urls``
(:meth:`~core.domain.marketplaces.Endpoints.with_token_url`).

Sources: the request, the answer and the one-hour access token are in Amazon's archived SP-API
developer guide, "Connecting to the Selling Partner API", Step 1, and the code exchange in its
"Website authorization workflow", Step 4:
https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md
The error codes are those developers report, for example
https://github.com/amzn/selling-partner-api-docs/issues/268 (an expired or used code) and
https://github.com/amzn/selling-partner-api-docs/issues/2379 (a revoked refresh token).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from core.amazon.http import (
    DEFAULT_TIMEOUT,
    AmazonError,
    AmazonServerError,
    AppCredentialsError,
    CodeRejected,
    NeedsReauthorization,
    RateLimited,
    request_id_of,
    unreadable_answer,
)
from core.amazon.retries import call_with_retries, parse_retry_after
from core.amazon.transport import AmazonClient, Answer
from core.domain.marketplaces import Endpoints, Region
from core.domain.secret import Secret

log = logging.getLogger(__name__)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=UTF-8"
_RESTART_CONSENT = "Start the consent again."


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """What the token endpoint granted. ``refresh_token`` is ``None`` if Amazon sent none."""

    access_token: Secret
    refresh_token: Secret | None
    expires_in: int
    token_type: str
    obtained_at: datetime

    @property
    def expires_at(self) -> datetime:
        return self.obtained_at + timedelta(seconds=self.expires_in)


class LwaClient(AmazonClient):
    """Talks to the LWA token endpoint for one app (client id and secret).

    Blocking; call it off the GUI thread. Owns its session when none is given (close it with
    :meth:`close` or a ``with`` block).
    """

    def __init__(
        self,
        endpoints: Endpoints,
        client_id: str,
        client_secret: Secret,
        session: requests.Session | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        sleep: Callable[[float], object] = time.sleep,
        attempts: int = 4,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        deadline_s: float | None = None,
        max_delay: float = 30.0,
    ) -> None:
        super().__init__(
            endpoints, session, timeout=timeout, sleep=sleep, attempts=attempts,
            deadline_s=deadline_s, max_delay=max_delay,
        )  # fmt: skip
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock

    def exchange_code(self, code: Secret, redirect_uri: str, region: Region) -> TokenResponse:
        """Exchange a consent's ``spapi_oauth_code`` for a refresh token. Never retried.

        ``redirect_uri`` is sent (Amazon's table lists it, its example omits it); pass ``""`` to
        leave it out.

        Raises:
            CodeRejected: The code expired (5 minutes), was used, or the redirect URI differs.
            AppCredentialsError: The client id or secret is wrong or expired.
            NetworkError, RateLimited, AmazonServerError: No usable answer; the next step is a
                new consent, because the code may or may not have been used.
            AmazonError: Anything else (a fault in SP Connect).
        """
        form = {
            "grant_type": "authorization_code",
            "code": code.reveal(),
            "client_id": self._client_id,
            "client_secret": self._client_secret.reveal(),
        }
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        response = self._post(form, region, _RESTART_CONSENT)
        return self._parse(response, exchange=True)

    def refresh(self, refresh_token: Secret, region: Region) -> TokenResponse:
        """A fresh access token from a stored refresh token (no ``scope``, as Amazon asks).

        Raises:
            NeedsReauthorization: ``invalid_grant``: the seller must reauthorize.
            AppCredentialsError: The client id or secret is wrong or expired.
            RateLimited, AmazonServerError, NetworkError: Still failing after the retries.
            AmazonError: Anything else (a fault in SP Connect).
        """
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token.reveal(),
            "client_id": self._client_id,
            "client_secret": self._client_secret.reveal(),
        }

        def attempt() -> TokenResponse:
            return self._parse(self._post(form, region, None), exchange=False)

        return call_with_retries(
            attempt, attempts=self._attempts, sleep=self._sleep, max_delay=self._max_delay
        )

    # --- internals ---------------------------------------------------------------------------

    def _post(self, form: dict[str, str], region: Region, next_step: str | None) -> Answer:
        return self._send(
            "POST",
            self._endpoints.lwa_token_url(region),
            next_step,
            data=form,
            headers={"Content-Type": FORM_CONTENT_TYPE, "Accept": "application/json"},
        )

    def _parse(self, response: Answer, *, exchange: bool) -> TokenResponse:
        status = response.status_code
        data = _json_object(response)
        request_id = request_id_of(response)
        if request_id is None and data is not None and isinstance(data.get("request_id"), str):
            request_id = data["request_id"]
        grant = "authorization_code" if exchange else "refresh_token"
        if status == 200 and data is not None:
            token = _token_response(data, self._clock())
            if token is not None:
                log.info("LWA %s grant: ok", grant)
                return token
        error = data.get("error") if data is not None else None
        code = error if isinstance(error, str) else None
        log.info("LWA %s grant: HTTP %s %s (request id %s)", grant, status, code, request_id)
        raise _error_for(status, code, data, response, request_id, exchange)


def _json_object(response: Answer) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _token_response(data: dict[str, Any], now: datetime) -> TokenResponse | None:
    access = data.get("access_token")
    refresh = data.get("refresh_token")
    expires_in = data.get("expires_in", 3600)
    token_type = data.get("token_type", "bearer")
    if not isinstance(access, str) or not access:
        return None
    if isinstance(expires_in, str) and expires_in.isdigit():
        expires_in = int(expires_in)
    if not isinstance(expires_in, int) or isinstance(expires_in, bool):
        return None
    return TokenResponse(
        access_token=Secret(access),
        refresh_token=Secret(refresh) if isinstance(refresh, str) and refresh else None,
        expires_in=expires_in,
        token_type=token_type if isinstance(token_type, str) else "bearer",
        obtained_at=now,
    )


def _error_for(
    status: int,
    code: str | None,
    data: dict[str, Any] | None,
    response: Answer,
    request_id: str | None,
    exchange: bool,
) -> AmazonError:
    ids: dict[str, Any] = {"status": status, "code": code, "request_id": request_id}
    consent_step = _RESTART_CONSENT if exchange else None
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(next_step=consent_step, retry_after=retry_after, **ids)
    if status >= 500:
        return AmazonServerError(next_step=consent_step, **ids)
    if code == "invalid_grant":
        return CodeRejected(**ids) if exchange else NeedsReauthorization(**ids)
    if code == "invalid_client" or status == 401:
        description = data.get("error_description") if data is not None else None
        if isinstance(description, str) and "expired" in description.lower():
            return AppCredentialsError(
                "Amazon says the app's client secret has expired (it must be renewed every "
                "180 days). The seller does not need to do anything.",
                **ids,
            )
        return AppCredentialsError(**ids)
    if data is None or status == 200:
        return unreadable_answer(**ids)
    return AmazonError(
        f"Amazon refused a request from SP Connect ({code or f'HTTP {status}'}). "
        "This is a fault in SP Connect.",
        **ids,
    )
