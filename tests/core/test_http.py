"""HTTP plumbing: retries and backoff, Retry-After, the User-Agent, and error translation."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import requests
import urllib3.exceptions

from core.amazon.http import (
    USER_AGENT_MAX,
    AccessDenied,
    AmazonError,
    AmazonServerError,
    AppCredentialsError,
    CodeRejected,
    NeedsReauthorization,
    NetworkError,
    RateLimited,
    default_user_agent,
    make_session,
    network_error,
)
from core.amazon.retries import call_with_retries, parse_retry_after
from core.domain.errors import Cancelled, UserFacingError


class Script:
    """A function that raises the scripted errors in turn, then returns ``"done"``."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def _retry(fn: Callable[[], str], **kwargs: object) -> tuple[str, list[float]]:
    delays: list[float] = []
    result = call_with_retries(fn, sleep=delays.append, rng=lambda: 0.5, **kwargs)  # type: ignore[arg-type]
    return result, delays


# --- call_with_retries -----------------------------------------------------------------------


def test_first_success_does_not_sleep() -> None:
    script = Script()
    assert _retry(script) == ("done", [])
    assert script.calls == 1


@pytest.mark.parametrize("error", [AmazonServerError(status=500), NetworkError(), RateLimited()])
def test_transient_errors_are_retried(error: AmazonError) -> None:
    script = Script(error, error)
    result, delays = _retry(script)
    assert result == "done"
    assert script.calls == 3
    assert len(delays) == 2


def test_backoff_doubles_with_jitter_within_bounds() -> None:
    errors = [AmazonServerError(status=500) for _ in range(5)]
    low: list[float] = []
    high: list[float] = []
    with pytest.raises(AmazonServerError):
        call_with_retries(Script(*errors), attempts=5, sleep=low.append, rng=lambda: 0.0)
    with pytest.raises(AmazonServerError):
        call_with_retries(Script(*errors), attempts=5, sleep=high.append, rng=lambda: 1.0)
    # Base 1 s, doubling: each delay lies between half and all of 1, 2, 4, 8.
    assert low == [0.5, 1.0, 2.0, 4.0]
    assert high == [1.0, 2.0, 4.0, 8.0]


def test_backoff_is_capped() -> None:
    delays: list[float] = []
    errors = [NetworkError() for _ in range(8)]
    with pytest.raises(NetworkError):
        call_with_retries(
            Script(*errors), attempts=8, max_delay=5.0, sleep=delays.append, rng=lambda: 1.0
        )
    assert max(delays) == 5.0


def test_retry_after_is_honoured() -> None:
    script = Script(RateLimited(retry_after=7.0), RateLimited(retry_after=2.0))
    result, delays = _retry(script)
    assert result == "done"
    assert delays == [7.0, 2.0]


def test_retry_after_zero_is_floored_at_the_base_delay() -> None:
    # "Retry-After: 0" would otherwise make the retries a busy loop against a throttled Amazon.
    script = Script(RateLimited(retry_after=0.0), RateLimited(retry_after=0.0))
    result, delays = _retry(script, base_delay=1.5)
    assert result == "done"
    assert delays == [1.5, 1.5]


def test_a_rate_limit_waits_at_least_one_interval() -> None:
    # 0.5 requests a second: the next request is allowed 2 s later, whatever the backoff says.
    _, delays = _retry(Script(RateLimited(rate_limit=0.5)), base_delay=0.1)
    assert delays == [2.0]


def test_a_rate_limit_longer_than_the_callers_patience_stops_at_once() -> None:
    script = Script(RateLimited(rate_limit=0.016))  # one request a minute
    delays: list[float] = []
    with pytest.raises(RateLimited) as caught:
        call_with_retries(script, max_delay=30.0, sleep=delays.append)
    assert delays == []
    assert script.calls == 1
    assert "minute" in caught.value.next_step


def test_retry_after_is_capped_at_max_delay() -> None:
    _, delays = _retry(Script(RateLimited(retry_after=600.0)), max_delay=30.0)
    assert delays == [30.0]


def test_rate_limited_without_retry_after_backs_off() -> None:
    _, delays = _retry(Script(RateLimited(), RateLimited()))
    assert delays == [0.75, 1.5]


def test_gives_up_with_the_last_error() -> None:
    last = AmazonServerError(status=503)
    script = Script(NetworkError(), RateLimited(retry_after=1), last, NetworkError())
    delays: list[float] = []
    with pytest.raises(AmazonServerError) as caught:
        call_with_retries(script, attempts=3, sleep=delays.append, rng=lambda: 0.0)
    assert caught.value is last
    assert script.calls == 3
    assert len(delays) == 2


@pytest.mark.parametrize(
    "error",
    [
        NeedsReauthorization(),
        CodeRejected(),
        AppCredentialsError(),
        AccessDenied(),
        AmazonError(),
        ValueError("a bug"),
    ],
)
def test_other_errors_are_never_retried(error: Exception) -> None:
    script = Script(error)
    delays: list[float] = []
    with pytest.raises(type(error)):
        call_with_retries(script, sleep=delays.append)
    assert script.calls == 1
    assert delays == []


def test_a_cancelling_sleep_stops_the_retries() -> None:
    def cancel(_: float) -> None:
        raise Cancelled

    script = Script(NetworkError(), NetworkError())
    with pytest.raises(Cancelled):
        call_with_retries(script, sleep=cancel)
    assert script.calls == 1


def test_on_retry_hears_each_wait() -> None:
    heard: list[tuple[str, float]] = []
    call_with_retries(
        Script(RateLimited(retry_after=2)),
        sleep=lambda _: None,
        on_retry=lambda exc, delay: heard.append((type(exc).__name__, delay)),
    )
    assert heard == [("RateLimited", 2.0)]


def test_attempts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="attempts"):
        call_with_retries(Script(), attempts=0)


# --- Retry-After -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("3", 3.0), (" 2.5 ", 2.5), ("0", 0.0), ("-4", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_retry_after_seconds(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_retry_after_http_date() -> None:
    now = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Sun, 22 Nov 2026 12:00:45 GMT", now=lambda: now) == 45.0
    assert parse_retry_after("Sun, 22 Nov 2026 11:00:00 GMT", now=lambda: now) == 0.0


# --- session and User-Agent -------------------------------------------------------------------


def test_user_agent_has_amazons_form() -> None:
    agent = default_user_agent()
    assert re.fullmatch(
        r"SPConnect/\S+ \(Language=Python/3\.\d+\.\d+; Platform=[^;()]+/[^;()]+\)", agent
    )
    assert len(agent) <= USER_AGENT_MAX


def test_session_sends_the_user_agent_and_caps_it() -> None:
    with make_session() as session:
        assert session.headers["User-Agent"] == default_user_agent()
    with make_session("X" * 900) as session:
        assert len(str(session.headers["User-Agent"])) == USER_AGENT_MAX


def test_session_has_no_hidden_retries() -> None:
    with make_session() as session:
        adapter = session.get_adapter("https://api.amazon.com/auth/o2/token")
        assert adapter.max_retries.total == 0  # type: ignore[attr-defined]


# --- errors ------------------------------------------------------------------------------------

URL = "https://api.amazon.com/auth/o2/token?code=SECRET-CODE"


def _connection_error(reason: BaseException) -> requests.ConnectionError:
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, URL, reason))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (requests.exceptions.ConnectTimeout(URL), "did not answer in time"),
        (requests.exceptions.ReadTimeout(URL), "did not answer in time"),
        (requests.exceptions.SSLError(URL), "secure (TLS) connection"),
        (_connection_error(socket.gaierror(-2, "Name or service not known")), "(DNS)"),
        (_connection_error(ConnectionRefusedError(111, "refused")), "refused"),
        (requests.ConnectionError(URL), "dropped"),
        (requests.exceptions.InvalidURL(URL), "could not be sent"),
    ],
)
def test_network_errors_are_named_without_the_url(
    exc: requests.RequestException, words: str
) -> None:
    error = network_error(exc)
    assert isinstance(error, NetworkError)
    assert words in error.message
    assert "SECRET-CODE" not in str(error) + repr(error)
    assert error.__cause__ is None


def test_errors_are_user_facing_with_a_next_step() -> None:
    for cls in (
        AmazonError,
        NeedsReauthorization,
        CodeRejected,
        AppCredentialsError,
        RateLimited,
        AmazonServerError,
        NetworkError,
        AccessDenied,
    ):
        error = cls()
        assert isinstance(error, UserFacingError)
        assert error.message.endswith(".")
        assert error.next_step.endswith(".")
        assert str(error) == f"{error.message} {error.next_step}"


def test_error_repr_shows_ids_for_support() -> None:
    error = NeedsReauthorization(status=400, code="invalid_grant", request_id="r-1")
    assert "invalid_grant" in repr(error)
    assert "r-1" in repr(error)
    assert RateLimited(retry_after=4).retry_after == 4
