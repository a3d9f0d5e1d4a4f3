"""HTTP plumbing shared by the Amazon clients: typed errors and the session.

Retries are in :mod:`core.amazon.retries`; sending a request and reading its answer within a
size cap and a deadline is :class:`core.amazon.transport.AmazonClient`.

Every error a client raises is an :class:`AmazonError` (a
:class:`~core.domain.errors.UserFacingError`): its ``message`` says what happened and
``next_step`` the one thing to do, in plain words. None of them holds a secret, a request body or
a URL: ``requests`` exceptions can quote a URL that carries an authorization code, so they are
translated here and never chained (``raise ... from None``).
"""

from __future__ import annotations

import logging
import platform
import re
import socket
import sys
from collections.abc import Mapping
from importlib import metadata
from typing import Protocol

import requests

from core.amazon import deadline
from core.domain.errors import UserFacingError
from core.domain.marketplaces import Region

log = logging.getLogger(__name__)

#: SP-API rejects a User-Agent header longer than 500 characters: "Include a User-Agent header
#: in all requests", in Amazon's archived SP-API developer guide,
#: https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md
USER_AGENT_MAX = 500
#: Read by the clients when no timeout is given: (connect, read) in seconds.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 20.0)


# --- errors ----------------------------------------------------------------------------------


class AmazonError(UserFacingError):
    """Amazon (or the way to it) did not give the answer SP Connect needed.

    Subclasses carry a default message and next step, so ``raise RateLimited(status=429)`` is
    enough. ``status`` is the HTTP status (``None`` when no answer came), ``code`` Amazon's error
    code (``invalid_grant``, ``Unauthorized``...) and ``request_id`` Amazon's request id, for
    support cases.
    """

    default_message = "Amazon refused a request from SP Connect. This is a fault in SP Connect."
    default_next_step = "Please report it to SP Connect's support."

    def __init__(
        self,
        message: str | None = None,
        next_step: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(
            message if message is not None else self.default_message,
            next_step if next_step is not None else self.default_next_step,
        )
        self.status = status
        self.code = code
        self.request_id = request_id

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
            f"code={self.code!r}, request_id={self.request_id!r})"
        )


class NeedsReauthorization(AmazonError):
    """The stored grant no longer works: ``invalid_grant`` on refresh, or a revoked token."""

    default_message = (
        "Amazon no longer accepts this connection: the seller removed or disabled it, "
        "or it expired."
    )
    default_next_step = "Reauthorize this connection."


class CodeRejected(AmazonError):
    """``invalid_grant`` on a code exchange: the code expired, was used, or came back elsewhere."""

    default_message = (
        "Amazon did not accept the authorization: it took longer than 5 minutes to come back, "
        "it was used already, or it was sent to a different return address."
    )
    default_next_step = "Start the consent again and finish it within 5 minutes."


class AppCredentialsError(AmazonError):
    """``invalid_client``: the app's client secret is wrong or expired. Not the seller's doing."""

    default_message = (
        "Amazon refused SP Connect's app credentials: the client secret is wrong or has expired. "
        "The seller does not need to do anything."
    )
    default_next_step = "Open App credentials and enter the current client secret."


class RateLimited(AmazonError):
    """429: Amazon asks to slow down. ``retry_after`` is how long it asked to wait, if it did."""

    default_message = "Amazon is receiving too many requests from SP Connect right now."
    default_next_step = "Wait a minute, then try again."

    def __init__(
        self,
        message: str | None = None,
        next_step: str | None = None,
        *,
        status: int | None = 429,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        rate_limit: float | None = None,
    ) -> None:
        super().__init__(message, next_step, status=status, code=code, request_id=request_id)
        self.retry_after = retry_after
        #: Requests per second Amazon allows (``x-amzn-RateLimit-Limit``), when known.
        self.rate_limit = rate_limit if rate_limit is not None and rate_limit > 0 else None

    @property
    def interval(self) -> float:
        """The least wait before the next request may pass: one interval of the rate limit."""
        return 1.0 / self.rate_limit if self.rate_limit is not None else 0.0


class AmazonServerError(AmazonError):
    """5xx: a problem on Amazon's side."""

    default_message = "Amazon had a problem answering (an error on Amazon's side)."
    default_next_step = "Try again in a few minutes."


class NetworkError(AmazonError):
    """No answer: connection refused, DNS, TLS, timeout or a dropped connection."""

    default_message = "SP Connect could not reach Amazon."
    default_next_step = "Check the internet connection, then try again."


class AccessTokenExpired(AmazonError):
    """403 "The access token you provided has expired": get a new one and try again.

    Not the seller's doing and never a reason to reauthorize: an access token lives one hour
    (https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api).
    """

    default_message = "Amazon says the access token SP Connect used has expired."
    default_next_step = "Try again; if it keeps happening, check this computer's date and time."


class AnswerTooLarge(AmazonError):
    """The answer was far larger than any Amazon documents: not read past the cap."""

    default_message = (
        "Amazon (or something between SP Connect and Amazon) sent an answer far too large to be "
        "Amazon's, so SP Connect stopped reading it."
    )
    default_next_step = (
        "Try again later; if it keeps happening, check the network's proxy or firewall."
    )


class WrongRegion(AmazonError):
    """The access token works, but on another region's endpoint: the grant is of that region."""

    def __init__(self, expected: Region, actual: Region, **ids: object) -> None:
        super().__init__(
            f"This authorization belongs to the seller's {actual.display_name} account, not to "
            f"{expected.display_name}: Amazon accepts it only on its {actual.display_name} "
            "endpoint.",
            f"Reauthorize the seller on a Seller Central site of {expected.display_name}, "
            f"logged in to the seller's {expected.display_name} account.",
            **ids,  # type: ignore[arg-type]
        )
        self.expected = expected
        self.actual = actual


class AccessDenied(AmazonError):
    """403 that is not a token problem: typically the app lacks a role.

    Each API needs one of its roles (for the Sellers API, see
    https://developer-docs.amazon.com/sp-api/docs/sellers-api), and after a role is added the
    seller must reauthorize (https://developer-docs.amazon.com/sp-api/docs/renew-authorizations).
    """

    default_message = (
        "Amazon refused this request: the app is missing a permission (role) it needs for it."
    )
    default_next_step = (
        "Ask the app's developer to add the role to the app; then the seller reauthorizes."
    )


def unreadable_answer(
    status: int, *, code: str | None = None, request_id: str | None = None
) -> AmazonError:
    """Amazon answered, but not in the shape it documents (not JSON, fields missing)."""
    return AmazonError(
        f"Amazon sent an answer SP Connect could not read (HTTP {status}).",
        "Try again later; if it keeps happening, please report it to SP Connect's support.",
        status=status,
        code=code,
        request_id=request_id,
    )


RETRYABLE: tuple[type[AmazonError], ...] = (RateLimited, AmazonServerError, NetworkError)


def network_error(exc: requests.RequestException, next_step: str | None = None) -> NetworkError:
    """A plain-words :class:`NetworkError` for a ``requests`` failure.

    The original exception is described by its kind only: its text may quote the URL, and it
    holds the request (body included). Raise the result outside the ``except`` block (or
    ``from None``), so that nothing chained to it leads back to the original.
    """
    if isinstance(exc, requests.exceptions.SSLError):
        why = "a secure (TLS) connection to Amazon could not be set up"
    elif isinstance(exc, requests.exceptions.Timeout):
        why = "Amazon did not answer in time"
    elif isinstance(exc, requests.exceptions.ConnectionError) and _is_dns_failure(exc):
        why = "Amazon's address could not be looked up (DNS)"
    elif isinstance(exc, requests.exceptions.ConnectionError) and _is_refused(exc):
        why = "the connection was refused"
    elif isinstance(exc, requests.exceptions.ConnectionError):
        why = "the connection failed or was dropped before Amazon answered"
    else:
        why = "the request could not be sent"
    log.info("request failed: %s (%s)", why, type(exc).__name__)
    return NetworkError(f"SP Connect could not reach Amazon: {why}.", next_step)


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        item = pending.pop()
        if item is None or any(item is s for s in seen) or len(seen) > 20:
            continue
        seen.append(item)
        pending.extend([item.__cause__, item.__context__])
        pending.extend(a for a in item.args if isinstance(a, BaseException))
        reason = getattr(item, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
    return seen


def _is_dns_failure(exc: BaseException) -> bool:
    return any(
        isinstance(c, socket.gaierror) or type(c).__name__ == "NameResolutionError"
        for c in _causes(exc)
    )


def _is_refused(exc: BaseException) -> bool:
    return any(isinstance(c, ConnectionRefusedError) for c in _causes(exc))


# --- the session -----------------------------------------------------------------------------


def _app_version() -> str:
    try:
        return metadata.version("sp-connect")
    except metadata.PackageNotFoundError:
        return "0.0"


def _header_safe(text: str) -> str:
    # Header values must be plain text: drop anything outside printable ASCII, and the
    # characters that would end the "(...; ...)" comment early.
    return re.sub(r"[^\x20-\x7e]|[();]", "", text).strip() or "unknown"


def default_user_agent() -> str:
    """``SPConnect/<version> (Language=Python/3.x.y; Platform=<OS>/<release>)``.

    The form SP-API asks for, at most 500 characters (see :data:`USER_AGENT_MAX`).
    """
    python = ".".join(str(n) for n in sys.version_info[:3])
    system = _header_safe(platform.system() or "unknown")
    release = _header_safe(platform.release() or "unknown")
    agent = (
        f"SPConnect/{_header_safe(_app_version())} "
        f"(Language=Python/{python}; Platform={system}/{release})"
    )
    return agent[:USER_AGENT_MAX]


def make_session(user_agent: str | None = None) -> requests.Session:
    """A ``requests`` session for Amazon: SP-API User-Agent, no hidden retries.

    Retries are explicit (:func:`call_with_retries`) so that a single-use authorization code is
    never sent twice behind the caller's back.
    """
    session = requests.Session()
    agent = user_agent if user_agent is not None else default_user_agent()
    # Printable ASCII only: anything else cannot travel in a header.
    session.headers["User-Agent"] = re.sub(r"[^\x20-\x7e]", "", agent)[:USER_AGENT_MAX]
    # No hidden retries, and the overall deadline also bounds an answer's head.
    return deadline.mount(session)


class _Answer(Protocol):
    @property
    def headers(self) -> Mapping[str, str]: ...


def request_id_of(response: _Answer) -> str | None:
    """Amazon's request id of a response, if it sent one."""
    return response.headers.get("x-amzn-RequestId") or response.headers.get("x-amz-request-id")
