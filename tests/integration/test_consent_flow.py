"""The consent flow end to end against the simulator on 127.0.0.1, with requests as the browser.

No sleeps: the listener and the simulator answer at once, and time moves through injected
clocks (``now`` for the attempts, :class:`SimClock` for the simulator's 5-minute codes).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from core.amazon.consent import (
    Authorized,
    ConsentAttempts,
    ConsentRefused,
    ConsentResult,
    ConsentTarget,
    RefusalReason,
    WrongAccount,
    complete,
    consent_url,
    parse_redirect,
    self_authorize,
)
from core.amazon.http import AppCredentialsError, CodeRejected
from core.amazon.listener import CallbackListener, ListenerUnavailable
from core.domain.errors import UserFacingError
from core.domain.inventory import AppCredentials, AuthSource, CheckResult
from core.domain.marketplaces import Region, by_country
from core.domain.secret import Secret
from core.services.consent.coverage import authorization_change, coverage
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.integration.consent_support import (
    EU_CODES,
    OTHER,
    SELLER,
    VENDOR_REDIRECT,
    Amazon,
    app_credentials,
    eu_workspace,
    start_amazon,
    uk_target,
)

TOKEN_PATH = "/auth/o2/token"
PARTICIPATIONS_PATH = "/sellers/v1/marketplaceParticipations"
WAIT_S = 10.0


@pytest.fixture
def amazon() -> Iterator[Amazon]:
    running = start_amazon()
    yield running
    running.sim.stop()


@pytest.fixture
def listener() -> Iterator[CallbackListener]:
    with CallbackListener(timeout_s=60) as running:
        yield running


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    opened = Workspace.open(tmp_path / "data", MemorySecretStore())
    eu_workspace(opened).save()
    yield opened
    opened.close()


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


class Flow:
    """One app session: its attempts, and the browser run of a consent through the listener."""

    def __init__(self, amazon: Amazon, listener: CallbackListener, now: datetime) -> None:
        self.amazon = amazon
        self.listener = listener
        self.now = now
        self.attempts = ConsentAttempts()
        # The simulator redirects straight to the listener (its loopback convenience).
        self.app = app_credentials(redirect_uri=listener.url)

    def browse(self, target: ConsentTarget, state: str | None = None) -> str:
        """Open the consent URL as the browser would; returns the query the listener got."""
        attempt = self.attempts.start(target, now=self.now, port=self.listener.port)
        url = consent_url(
            self.app, self.amazon.sim.endpoints, target.marketplace, state or attempt.state
        )
        page = requests.get(url, timeout=WAIT_S)
        assert page.status_code == 200
        assert "You can close this tab and return to SP Connect" in page.text
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Cache-Control"] == "no-store"
        query = self.listener.wait(timeout=WAIT_S)
        assert query is not None
        return query

    def complete(
        self, query: str, *, secret: str | None = None, now: datetime | None = None
    ) -> ConsentResult:
        lwa = self.amazon.lwa() if secret is None else self.amazon.lwa(secret)
        with lwa, self.amazon.sellers() as sellers:
            return complete(
                self.attempts,
                parse_redirect(query),
                lwa=lwa,
                sellers=sellers,
                app=self.app,
                now=now or self.now,
            )


@pytest.fixture
def flow(amazon: Amazon, listener: CallbackListener, now: datetime) -> Flow:
    return Flow(amazon, listener, now)


def assert_no_secret(texts: list[str], *secrets: Secret) -> None:
    """Fails without quoting the secret (pytest would print both sides of an ``in`` check)."""
    for secret in secrets:
        if any(secret.reveal() in text for text in texts):
            pytest.fail("a secret value appeared in a log line or on the console")


# --- success -------------------------------------------------------------------------------------


def test_consent_end_to_end(
    flow: Flow,
    workspace: Workspace,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    query = flow.browse(uk_target())  # the "browser" (requests) logs the address: not ours
    code = parse_redirect(query).code
    caplog.set_level(logging.DEBUG)

    result = flow.complete(query)

    assert isinstance(result, Authorized)
    assert not result.needs_confirmation
    assert result.seller_id == SELLER
    assert result.authorization.source is AuthSource.CONSENT
    assert result.authorization.store_name == "Acme Europe"
    assert result.participations.marketplace_ids == {by_country(c).id for c in EU_CODES}
    covered = coverage(workspace.current, uk_target(), result)
    assert set(covered.channel_ids) == {c.lower() for c in EU_CODES}
    assert covered.not_covered == ()

    for change in authorization_change(workspace, result, covered, flow.now):
        workspace.apply(change)
    assert workspace.pending_channel_ids() == {c.lower() for c in EU_CODES}
    ref = workspace.current.authorizations[result.authorization.id].refresh_token_ref
    assert ref is not None
    assert workspace.current.channels["de"].health.result is CheckResult.OK
    workspace.save()
    assert workspace.secrets.get(ref) == result.refresh_token
    assert not workspace.is_dirty

    # The saved grant is a real one: the simulator refreshes it.
    with flow.amazon.lwa() as lwa:
        assert lwa.refresh(result.refresh_token, Region.EU).access_token
    # One code exchange, one participations call.
    assert flow.amazon.sim.count(TOKEN_PATH, status=200) == 2
    assert flow.amazon.sim.count(PARTICIPATIONS_PATH, status=200) == 1
    # No secret reached a log line or the console.
    out = capsys.readouterr()
    assert_no_secret([caplog.text, out.out, out.err], code, result.refresh_token)


def test_paste_back_gives_the_same_result(amazon: Amazon, now: datetime) -> None:
    """No listener: the person copies the address the browser ended on (the vendor page)."""
    attempts = ConsentAttempts()
    app = app_credentials(VENDOR_REDIRECT)
    attempt = attempts.start(uk_target(), now=now)
    url = consent_url(app, amazon.sim.endpoints, by_country("UK"), attempt.state)
    answer = requests.get(url, timeout=WAIT_S, allow_redirects=False)
    assert answer.status_code == 302
    address = answer.headers["Location"]
    assert address.startswith(VENDOR_REDIRECT + "?")

    with amazon.lwa() as lwa, amazon.sellers() as sellers:
        result = complete(
            attempts,
            parse_redirect(f'  "{address}"\n'),
            lwa=lwa,
            sellers=sellers,
            app=app,
            now=now + timedelta(minutes=2),
        )
    assert isinstance(result, Authorized)
    assert result.seller_id == SELLER


def test_unknown_seller_is_returned_for_confirmation(flow: Flow) -> None:
    result = flow.complete(flow.browse(uk_target(seller=None)))
    assert isinstance(result, Authorized)
    assert result.needs_confirmation
    assert result.seller_id == SELLER


def test_hybrid_app_records_the_mws_token(tmp_path: Path, now: datetime) -> None:
    amazon = start_amazon(hybrid=True)
    try:
        with CallbackListener(timeout_s=60) as listener:
            flow = Flow(amazon, listener, now)
            result = flow.complete(flow.browse(uk_target()))
        assert isinstance(result, Authorized)
        assert result.mws_auth_token is not None
        workspace = eu_workspace(Workspace.open(tmp_path / "data", MemorySecretStore()))
        covered = coverage(workspace.current, uk_target(), result)
        changes = authorization_change(workspace, result, covered, now)
        assert len(changes) == 1 + len(covered.channel_ids)
        for change in changes:
            workspace.apply(change)
        uk = workspace.current.channels["uk"]
        assert uk.mws_merchant_token == SELLER
        assert uk.mws_auth_token_ref is not None
        assert workspace.secret(uk.mws_auth_token_ref) == result.mws_auth_token
        workspace.close()
    finally:
        amazon.sim.stop()


def test_self_authorization_against_the_simulator(amazon: Amazon, now: datetime) -> None:
    token = amazon.sim.issue_refresh_token(SELLER, Region.EU, amazon.app.client_id)
    with amazon.lwa() as lwa, amazon.sellers() as sellers:
        result = self_authorize(
            Secret(f" {token.reveal()}\n"),
            uk_target(),
            lwa=lwa,
            sellers=sellers,
            app=app_credentials(),
            now=now,
            seller_id=SELLER,
        )
    assert result.authorization.source is AuthSource.SELF_AUTHORIZATION
    assert result.refresh_token == token
    assert result.authorization.marketplace_ids == {by_country(c).id for c in EU_CODES}


# --- refused, nothing applied --------------------------------------------------------------------


def _nothing_sent(amazon: Amazon) -> None:
    assert amazon.sim.count(TOKEN_PATH) == 0
    assert amazon.sim.count(PARTICIPATIONS_PATH) == 0


def test_wrong_state_is_refused(flow: Flow, workspace: Workspace) -> None:
    forged = "ForgedForgedForgedForgedForgedForgedForged0." + str(flow.listener.port)
    query = flow.browse(uk_target(), state=forged)
    with pytest.raises(ConsentRefused) as refused:
        flow.complete(query)
    assert refused.value.reason is RefusalReason.UNKNOWN
    _nothing_sent(flow.amazon)
    assert not workspace.is_dirty


def test_reused_state_is_refused(flow: Flow) -> None:
    query = flow.browse(uk_target())
    assert isinstance(flow.complete(query), Authorized)
    with pytest.raises(ConsentRefused, match="already used: start again") as refused:
        flow.complete(query)
    assert refused.value.reason is RefusalReason.USED
    assert flow.amazon.sim.count(TOKEN_PATH) == 1  # the code was not sent a second time


def test_expired_state_is_refused(flow: Flow) -> None:
    query = flow.browse(uk_target())
    with pytest.raises(ConsentRefused) as refused:
        flow.complete(query, now=flow.now + timedelta(minutes=10, seconds=1))
    assert refused.value.reason is RefusalReason.EXPIRED
    _nothing_sent(flow.amazon)


def test_expired_code_is_refused(flow: Flow, workspace: Workspace) -> None:
    query = flow.browse(uk_target())
    flow.amazon.clock.offset += 5 * 60 + 1  # Amazon's code lives 5 minutes
    with pytest.raises(CodeRejected) as rejected:
        flow.complete(query, now=flow.now + timedelta(minutes=5, seconds=1))
    assert "5 minutes" in str(rejected.value)
    assert flow.amazon.sim.count(PARTICIPATIONS_PATH) == 0
    assert not workspace.is_dirty
    with pytest.raises(ConsentRefused):  # and the attempt is used up
        flow.complete(query)


def test_replayed_redirect_finds_the_port_closed(flow: Flow) -> None:
    query = flow.browse(uk_target())
    assert flow.listener.closed
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{flow.listener.url}?{query}", timeout=WAIT_S)
    assert isinstance(flow.complete(query), Authorized)
    with pytest.raises(ConsentRefused):
        flow.complete(query)


def test_wrong_account_applies_nothing(flow: Flow, workspace: Workspace) -> None:
    flow.amazon.sim.auto_confirm_seller_id = OTHER
    result = flow.complete(flow.browse(uk_target()))
    assert isinstance(result, WrongAccount)
    assert result.expected_seller_id == SELLER
    assert result.returned_seller_id == OTHER
    assert OTHER in result.message
    # The other account's grant was obtained (the code had to be exchanged) but never used.
    assert flow.amazon.sim.count(TOKEN_PATH, status=200) == 1
    assert flow.amazon.sim.count(PARTICIPATIONS_PATH) == 0
    assert not workspace.is_dirty


def test_invalid_client_is_an_app_credentials_error(flow: Flow, workspace: Workspace) -> None:
    query = flow.browse(uk_target())
    with pytest.raises(AppCredentialsError) as refused:
        flow.complete(query, secret="amzn1.oa2-cs.v1.wrong")
    assert "The seller does not need to do anything" in str(refused.value)
    assert "amzn1.oa2-cs" not in str(refused.value) + repr(refused.value)
    assert flow.amazon.sim.count(TOKEN_PATH, status=401) == 1
    assert not workspace.is_dirty


def test_consent_for_another_app_redirect_is_not_accepted(amazon: Amazon, now: datetime) -> None:
    """A code issued for the vendor page, exchanged as if for the listener: invalid_grant."""
    attempts = ConsentAttempts()
    app = app_credentials(VENDOR_REDIRECT)
    attempt = attempts.start(uk_target(), now=now)
    url = consent_url(app, amazon.sim.endpoints, by_country("UK"), attempt.state)
    address = requests.get(url, timeout=WAIT_S, allow_redirects=False).headers["Location"]
    with amazon.lwa() as lwa, amazon.sellers() as sellers, pytest.raises(CodeRejected):
        complete(
            attempts,
            parse_redirect(address),
            lwa=lwa,
            sellers=sellers,
            app=app,
            now=now,
            redirect_uri="http://127.0.0.1:9/callback",
        )


# --- the listener ------------------------------------------------------------------------------

ANSWER = "state=s.1&selling_partner_id=A1&spapi_oauth_code=c"


def _get(listener: CallbackListener, target: str, **headers: str) -> requests.Response:
    return requests.get(
        f"http://127.0.0.1:{listener.port}{target}", headers=headers, timeout=WAIT_S
    )


def test_listener_binds_loopback_only(listener: CallbackListener) -> None:
    assert listener.url == f"http://127.0.0.1:{listener.port}/callback"
    assert listener._server.server_address[0] == "127.0.0.1"
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        CallbackListener(host="0.0.0.0")  # noqa: S104 - refused, which is the point


def test_listener_checks_the_host_header(listener: CallbackListener) -> None:
    for host in ("evil.example", f"evil.example:{listener.port}", "127.0.0.1", "127.0.0.1:1"):
        assert _get(listener, f"/callback?{ANSWER}", Host=host).status_code == 400
    assert listener.wait(timeout=0) is None  # not counted
    answer = _get(listener, f"/callback?{ANSWER}", Host=f"localhost:{listener.port}")
    assert answer.status_code == 200
    assert listener.wait(timeout=WAIT_S) == ANSWER


def test_listener_ignores_favicon_and_other_paths(listener: CallbackListener) -> None:
    assert _get(listener, "/favicon.ico").status_code == 404
    assert _get(listener, f"/other?{ANSWER}").status_code == 404
    assert _get(listener, "/callback").status_code == 400
    assert _get(listener, "/callback?state=s").status_code == 400
    assert listener.wait(timeout=0) is None
    assert _get(listener, f"/callback?{ANSWER}").status_code == 200
    assert listener.wait(timeout=WAIT_S) == ANSWER


def test_listener_accepts_exactly_one_request(listener: CallbackListener) -> None:
    results: list[str | None] = []
    done = threading.Event()
    with CallbackListener(timeout_s=60, on_result=lambda q: (results.append(q), done.set())) as own:
        first = _get(own, f"/callback?{ANSWER}")
        assert first.status_code == 200
        assert "You can close this tab and return to SP Connect" in first.text
        assert first.headers["Referrer-Policy"] == "no-referrer"
        assert first.headers["Cache-Control"] == "no-store"
        assert own.wait(timeout=WAIT_S) == ANSWER
        assert done.wait(WAIT_S)
        assert results == [ANSWER]
        with pytest.raises(requests.ConnectionError):
            _get(own, "/callback?state=other&spapi_oauth_code=x")
    assert results == [ANSWER]  # on_result is called once, cancel after the result is a no-op


def test_listener_accepts_an_explicit_error(listener: CallbackListener) -> None:
    assert _get(listener, "/callback?state=s.1&error=access_denied").status_code == 200
    query = listener.wait(timeout=WAIT_S)
    assert query is not None
    with pytest.raises(UserFacingError, match="did not authorize"):
        parse_redirect(query)


def test_listener_times_out() -> None:
    results: list[str | None] = []
    with CallbackListener(timeout_s=0.05, on_result=results.append) as own:
        assert own.wait(timeout=WAIT_S) is None
        assert own.closed
        assert results == [None]
        with pytest.raises(requests.ConnectionError):
            _get(own, f"/callback?{ANSWER}")


def test_listener_cancel(listener: CallbackListener) -> None:
    assert listener.wait(timeout=0.01) is None  # a short wait leaves it listening
    assert not listener.closed
    listener.cancel()
    assert listener.wait(timeout=WAIT_S) is None
    assert listener.closed


def test_listener_port_in_use() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ListenerUnavailable, match=f"port {port}") as refused:
            CallbackListener(port=port)
        assert "paste" in refused.value.next_step.lower()
    with CallbackListener() as first, pytest.raises(ListenerUnavailable):
        CallbackListener(port=first.port)


def test_listener_logs_no_query(
    caplog: pytest.LogCaptureFixture, listener: CallbackListener
) -> None:
    caplog.set_level(logging.DEBUG, logger="core")
    _get(listener, "/callback?state=s&selling_partner_id=A1&spapi_oauth_code=SECRETCODE123")
    assert listener.wait(timeout=WAIT_S) is not None
    assert caplog.records  # it did log, just not the query
    assert "SECRETCODE123" not in caplog.text


def test_app_without_redirect_uri_uses_the_first_registered(amazon: Amazon, now: datetime) -> None:
    attempts = ConsentAttempts()
    app = replace(AppCredentials(), application_id=amazon.app.application_id)
    attempt = attempts.start(uk_target(), now=now)
    url = consent_url(app, amazon.sim.endpoints, by_country("UK"), attempt.state)
    assert "redirect_uri" not in url
    answer = requests.get(url, timeout=WAIT_S, allow_redirects=False)
    assert answer.headers["Location"].startswith(VENDOR_REDIRECT + "?")


def test_a_guessed_request_does_not_use_up_the_listener() -> None:
    attempts = ConsentAttempts()
    with CallbackListener(timeout_s=60, expects=attempts.expects) as listener:
        attempt = attempts.start(
            ConsentTarget(("uk",), Region.EU, by_country("UK").id, SELLER, "Acme UK"),
            port=listener.port,
        )
        # A web page that guessed the port, with a made-up state: refused, and not counted.
        guess = requests.get(
            f"{listener.url}?state=made-up.{listener.port}&spapi_oauth_code=x",
            timeout=10,
        )
        assert guess.status_code == 400
        assert not listener.closed
        real = requests.get(
            f"{listener.url}?state={attempt.state}&spapi_oauth_code=code"
            f"&selling_partner_id={SELLER}",
            timeout=10,
        )
        assert real.status_code == 200
        assert listener.wait(10) is not None
        assert f"state={attempt.state}" in (listener.wait(0) or "")
