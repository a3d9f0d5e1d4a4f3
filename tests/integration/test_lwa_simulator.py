"""The LWA token client against the simulator: every outcome maps to the right typed error."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from core.amazon.http import (
    AmazonError,
    AmazonServerError,
    AnswerTooLarge,
    AppCredentialsError,
    CodeRejected,
    NeedsReauthorization,
    NetworkError,
    RateLimited,
)
from core.amazon.lwa import FORM_CONTENT_TYPE, LwaClient
from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.simulator import CODE_LIFETIME_S, Simulator
from tests.integration.simhelpers import (
    ACME_EU,
    ACME_NA,
    APP,
    CLIENT_SECRET,
    REDIRECT,
    ManualClock,
    Sleeps,
    consent,
)

TOKEN_PATH = "/auth/o2/token"


def _code(sim: Simulator, browser: requests.Session, **kwargs: Any) -> Secret:
    return Secret(consent(sim, browser, **kwargs)["spapi_oauth_code"])


def _refresh_token(sim: Simulator, lwa: LwaClient, browser: requests.Session) -> Secret:
    token = lwa.exchange_code(_code(sim, browser), REDIRECT, Region.NA).refresh_token
    assert token is not None
    return token


# --- code exchange ---------------------------------------------------------------------------


def test_exchange_gives_amazon_shaped_tokens(
    sim: Simulator, lwa: LwaClient, browser: requests.Session
) -> None:
    tokens = lwa.exchange_code(_code(sim, browser), REDIRECT, Region.NA)

    assert tokens.access_token.reveal().startswith("Atza|")
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.reveal().startswith("Atzr|")
    assert tokens.token_type == "bearer"
    assert tokens.expires_in == 3600
    assert (tokens.expires_at - tokens.obtained_at).total_seconds() == 3600
    assert len(tokens.access_token.reveal().encode()) <= 2048
    assert len(tokens.refresh_token.reveal().encode()) <= 2048


def test_exchange_without_redirect_uri_is_accepted(
    sim: Simulator, lwa: LwaClient, browser: requests.Session
) -> None:
    # Amazon's own example leaves redirect_uri out; "" means "do not send it".
    assert lwa.exchange_code(_code(sim, browser), "", Region.NA).refresh_token is not None


def test_code_expires_after_five_minutes(
    sim: Simulator, lwa: LwaClient, browser: requests.Session, clock: ManualClock
) -> None:
    code = _code(sim, browser)
    clock.advance(CODE_LIFETIME_S + 1)

    with pytest.raises(CodeRejected) as caught:
        lwa.exchange_code(code, REDIRECT, Region.NA)

    assert caught.value.status == 400
    assert caught.value.code == "invalid_grant"
    assert "5 minutes" in caught.value.message
    assert caught.value.next_step.startswith("Start the consent again")


def test_code_is_still_good_just_before_five_minutes(
    sim: Simulator, lwa: LwaClient, browser: requests.Session, clock: ManualClock
) -> None:
    code = _code(sim, browser)
    clock.advance(CODE_LIFETIME_S - 1)

    assert lwa.exchange_code(code, REDIRECT, Region.NA).refresh_token is not None


def test_code_is_single_use(sim: Simulator, lwa: LwaClient, browser: requests.Session) -> None:
    code = _code(sim, browser)
    lwa.exchange_code(code, REDIRECT, Region.NA)

    with pytest.raises(CodeRejected):
        lwa.exchange_code(code, REDIRECT, Region.NA)


def test_redirect_uri_must_match_the_consent(
    sim: Simulator, lwa: LwaClient, browser: requests.Session
) -> None:
    code = _code(sim, browser)

    with pytest.raises(CodeRejected):
        lwa.exchange_code(code, "https://connect.example.com/spapi/other", Region.NA)


def test_wrong_client_secret_is_an_app_credentials_problem(
    sim: Simulator, browser: requests.Session
) -> None:
    code = _code(sim, browser)
    with (
        LwaClient(sim.endpoints, APP.client_id, Secret("amzn1.oa2-cs.v1.wrong")) as client,
        pytest.raises(AppCredentialsError) as caught,
    ):
        client.exchange_code(code, REDIRECT, Region.NA)

    assert caught.value.status == 401
    assert caught.value.code == "invalid_client"
    assert "seller does not need to do anything" in caught.value.message
    assert "App credentials" in caught.value.next_step


def test_expired_client_secret_refuses_exchange_and_refresh(
    sim: Simulator, lwa: LwaClient, browser: requests.Session
) -> None:
    refresh_token = _refresh_token(sim, lwa, browser)
    code = _code(sim, browser)
    sim.expire_client_secret(APP.client_id)

    with pytest.raises(AppCredentialsError):
        lwa.exchange_code(code, REDIRECT, Region.NA)
    with pytest.raises(AppCredentialsError):
        lwa.refresh(refresh_token, Region.NA)


def test_exchange_is_never_retried(
    sim: Simulator, lwa: LwaClient, browser: requests.Session, sleeps: Sleeps
) -> None:
    code = _code(sim, browser)
    sim.faults.fail_next(path=TOKEN_PATH)

    with pytest.raises(AmazonServerError) as caught:
        lwa.exchange_code(code, REDIRECT, Region.NA)

    assert sim.count(TOKEN_PATH) == 1
    assert sleeps.delays == []
    assert caught.value.next_step == "Start the consent again."


def test_network_error_during_exchange_says_start_again(
    sim: Simulator, lwa: LwaClient, browser: requests.Session
) -> None:
    code = _code(sim, browser)
    sim.faults.drop_next(path=TOKEN_PATH)

    with pytest.raises(NetworkError) as caught:
        lwa.exchange_code(code, REDIRECT, Region.NA)

    assert caught.value.status is None
    assert caught.value.next_step == "Start the consent again."
    assert sim.count(TOKEN_PATH) == 1


# --- refresh -----------------------------------------------------------------------------------


def test_refresh_gives_a_new_access_token_and_echoes_the_refresh_token(
    sim: Simulator, lwa: LwaClient, browser: requests.Session
) -> None:
    first = lwa.exchange_code(_code(sim, browser), REDIRECT, Region.NA)
    assert first.refresh_token is not None

    again = lwa.refresh(first.refresh_token, Region.NA)

    assert again.refresh_token == first.refresh_token
    assert again.access_token != first.access_token
    assert again.expires_in == 3600


def test_revoked_grant_needs_reauthorization(
    sim: Simulator, lwa: LwaClient, browser: requests.Session
) -> None:
    refresh_token = _refresh_token(sim, lwa, browser)
    assert sim.revoke(ACME_NA.seller_id) == 1

    with pytest.raises(NeedsReauthorization) as caught:
        lwa.refresh(refresh_token, Region.NA)

    assert caught.value.code == "invalid_grant"
    assert caught.value.next_step == "Reauthorize this connection."


def test_revoking_one_refresh_token_leaves_other_grants(
    sim: Simulator, lwa: LwaClient, browser: requests.Session
) -> None:
    na = _refresh_token(sim, lwa, browser)
    eu_code = _code(sim, browser, seller=ACME_EU)
    eu = lwa.exchange_code(eu_code, REDIRECT, Region.EU).refresh_token
    assert eu is not None

    sim.revoke_refresh_token(na)

    with pytest.raises(NeedsReauthorization):
        lwa.refresh(na, Region.NA)
    assert lwa.refresh(eu, Region.EU).access_token


def test_unknown_refresh_token_needs_reauthorization(lwa: LwaClient) -> None:
    with pytest.raises(NeedsReauthorization):
        lwa.refresh(Secret("Atzr|not-a-token"), Region.NA)


def test_self_authorized_refresh_token_works(sim: Simulator, lwa: LwaClient) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    assert lwa.refresh(token, Region.NA).access_token


def test_throttled_refresh_succeeds_within_the_retries(
    sim: Simulator, lwa: LwaClient, sleeps: Sleeps
) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    sim.faults.throttle_token_calls(2, retry_after=3)

    assert lwa.refresh(token, Region.NA).access_token
    assert sleeps.delays == [3.0, 3.0]  # Amazon's Retry-After, not our own backoff
    assert sim.count(TOKEN_PATH, status=429) == 2


def test_throttling_beyond_the_retries_is_rate_limited(
    sim: Simulator, lwa: LwaClient, sleeps: Sleeps
) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    sim.faults.throttle_token_calls(10, retry_after=120)

    with pytest.raises(RateLimited) as caught:
        lwa.refresh(token, Region.NA)

    assert caught.value.retry_after == 120
    assert sleeps.delays == [30.0, 30.0, 30.0]  # capped at max_delay
    assert sim.count(TOKEN_PATH) == 4


def test_server_errors_are_retried_then_reported(
    sim: Simulator, lwa: LwaClient, sleeps: Sleeps
) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    sim.faults.fail_next(None, path=TOKEN_PATH)

    with pytest.raises(AmazonServerError) as caught:
        lwa.refresh(token, Region.NA)

    assert caught.value.status == 500
    assert sim.count(TOKEN_PATH, status=500) == 4
    assert len(sleeps.delays) == 3
    assert all(0.5 <= d <= 4.0 for d in sleeps.delays)


def test_one_server_error_is_retried_away(sim: Simulator, lwa: LwaClient, sleeps: Sleeps) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    sim.faults.fail_next(1, status=503)

    assert lwa.refresh(token, Region.NA).access_token
    assert len(sleeps.delays) == 1


def test_dropped_connection_is_a_network_error(
    sim: Simulator, lwa: LwaClient, sleeps: Sleeps
) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    sim.faults.drop_next(None)

    with pytest.raises(NetworkError) as caught:
        lwa.refresh(token, Region.NA)

    assert "dropped" in caught.value.message
    assert sim.count(TOKEN_PATH, status=None) == 4


def test_dropped_once_then_answered(sim: Simulator, lwa: LwaClient, sleeps: Sleeps) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    sim.faults.drop_next(1)

    assert lwa.refresh(token, Region.NA).access_token
    assert len(sleeps.delays) == 1


def test_stopped_simulator_is_connection_refused(
    sim: Simulator, lwa: LwaClient, sleeps: Sleeps
) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    lwa.refresh(token, Region.NA)  # leaves a keep-alive connection in the pool
    sim.stop()

    with pytest.raises(NetworkError) as caught:
        lwa.refresh(token, Region.NA)

    assert caught.value.status is None
    assert "Check the internet connection" in caught.value.next_step


def test_refused_connection_is_named(sim: Simulator, sleeps: Sleeps) -> None:
    endpoints = sim.endpoints
    sim.stop()
    with (
        LwaClient(endpoints, APP.client_id, Secret(CLIENT_SECRET), sleep=sleeps) as client,
        pytest.raises(NetworkError) as caught,
    ):
        client.refresh(Secret("Atzr|x"), Region.NA)

    assert "refused" in caught.value.message


def test_slow_answer_times_out(sim: Simulator) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    sim.faults.delay_s = 2.0  # cut short when the simulator stops
    with (
        LwaClient(
            sim.endpoints, APP.client_id, Secret(CLIENT_SECRET), timeout=(2.0, 0.1), attempts=1
        ) as client,
        pytest.raises(NetworkError) as caught,
    ):
        client.refresh(token, Region.NA)

    assert "did not answer in time" in caught.value.message


@pytest.mark.parametrize("declared", [True, False])
def test_a_huge_error_answer_is_cut_off_at_the_cap(
    sim: Simulator, lwa: LwaClient, sleeps: Sleeps, declared: bool
) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    sim.faults.huge_body_next(size=40 * 1024 * 1024, status=400, declare_length=declared)

    with pytest.raises(AnswerTooLarge) as caught:
        lwa.refresh(token, Region.NA)

    assert "too large" in caught.value.message
    assert sleeps.delays == []
    assert sim.count(TOKEN_PATH) == 1


def test_a_trickled_token_answer_is_cut_off_at_the_deadline(sim: Simulator) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    # Each byte well within the 1 s read timeout; the whole answer would take 12 s.
    sim.faults.trickle_next(size=60, interval_s=0.2, status=500, path=TOKEN_PATH)
    with (
        LwaClient(
            sim.endpoints, APP.client_id, Secret(CLIENT_SECRET), timeout=(2.0, 1.0), attempts=1
        ) as client,
        pytest.raises(NetworkError) as caught,
    ):
        client.refresh(token, Region.NA)

    assert "in time" in caught.value.message


def test_a_trickled_head_is_cut_off_at_the_deadline(sim: Simulator) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    # The status line and headers a byte every 0.2 s, within the 1 s read timeout: the head
    # alone would take over 30 s.
    sim.faults.trickle_next(size=10, interval_s=0.2, status=500, path=TOKEN_PATH, head=True)
    with (
        LwaClient(
            sim.endpoints, APP.client_id, Secret(CLIENT_SECRET), timeout=(2.0, 1.0), attempts=1
        ) as client,
        pytest.raises(NetworkError) as caught,
    ):
        client.refresh(token, Region.NA)

    assert "in time" in caught.value.message
    # SP Connect hung up in the middle of the head (it did not wait for it to end).
    assert sim.wait_for_hang_ups(1, timeout=5.0)


# --- requests SP Connect never means to send ------------------------------------------------


class _RewritingSession(requests.Session):
    """Sends what the client built, after one change: to reach Amazon's other answers."""

    def __init__(self, change: dict[str, str | None]) -> None:
        super().__init__()
        self.change = change
        self.sent: list[dict[str, Any]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        data = dict(kwargs.get("data") or {})
        self.sent.append({"data": dict(data), "headers": dict(kwargs.get("headers") or {})})
        for name, value in self.change.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        kwargs["data"] = data
        return super().request(method, url, *args, **kwargs)


def test_unsupported_grant_type_is_a_fault_in_sp_connect(sim: Simulator) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    with (
        _RewritingSession({"grant_type": "password"}) as session,
        LwaClient(sim.endpoints, APP.client_id, Secret(CLIENT_SECRET), session) as client,
        pytest.raises(AmazonError) as caught,
    ):
        client.refresh(token, Region.NA)

    assert type(caught.value) is AmazonError
    assert caught.value.code == "unsupported_grant_type"
    assert "fault in SP Connect" in caught.value.message
    assert "report" in caught.value.next_step


def test_missing_field_is_invalid_request(sim: Simulator) -> None:
    token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id)
    with (
        _RewritingSession({"client_id": None}) as session,
        LwaClient(sim.endpoints, APP.client_id, Secret(CLIENT_SECRET), session) as client,
        pytest.raises(AmazonError) as caught,
    ):
        client.refresh(token, Region.NA)

    assert type(caught.value) is AmazonError
    assert caught.value.code == "invalid_request"


def test_requests_are_form_encoded_without_scope(sim: Simulator, browser: requests.Session) -> None:
    code = _code(sim, browser)
    with (
        _RewritingSession({}) as session,
        LwaClient(sim.endpoints, APP.client_id, Secret(CLIENT_SECRET), session) as client,
    ):
        tokens = client.exchange_code(code, REDIRECT, Region.NA)
        assert tokens.refresh_token is not None
        client.refresh(tokens.refresh_token, Region.NA)

    exchange, refresh = session.sent
    assert exchange["headers"]["Content-Type"] == FORM_CONTENT_TYPE
    assert set(exchange["data"]) == {
        "grant_type",
        "code",
        "redirect_uri",
        "client_id",
        "client_secret",
    }
    assert exchange["data"]["grant_type"] == "authorization_code"
    assert set(refresh["data"]) == {"grant_type", "refresh_token", "client_id", "client_secret"}
    assert refresh["data"]["grant_type"] == "refresh_token"


def test_answer_that_is_not_json_is_reported(sim: Simulator, sleeps: Sleeps) -> None:
    # Only Europe's token URL is overridden (Endpoints.token_urls): it points at a page.
    endpoints = sim.endpoints.with_token_url(Region.EU, sim.base_url + "/not-the-token-endpoint")
    token = sim.issue_refresh_token(ACME_EU.seller_id, Region.EU, APP.client_id)
    with LwaClient(endpoints, APP.client_id, Secret(CLIENT_SECRET), sleep=sleeps) as client:
        with pytest.raises(AmazonError) as caught:
            client.refresh(token, Region.EU)
        assert client.refresh(
            sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, APP.client_id), Region.NA
        ).access_token

    assert type(caught.value) is AmazonError
    assert "could not read" in caught.value.message
    assert caught.value.status == 404


def test_request_id_is_kept_for_support(
    sim: Simulator, lwa: LwaClient, browser: requests.Session
) -> None:
    with pytest.raises(NeedsReauthorization) as caught:
        lwa.refresh(Secret("Atzr|unknown"), Region.NA)

    assert caught.value.request_id
    assert len(caught.value.request_id) == 36
