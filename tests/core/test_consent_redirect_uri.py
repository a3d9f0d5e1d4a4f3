"""Amazon edge case 3: the code exchange names the redirect URI the consent link named.

Amazon's token table lists ``redirect_uri`` for the ``authorization_code`` grant ("Website
authorization workflow", Step 4, in Amazon's archived SP-API developer guide); the simulator
refuses an exchange that leaves it out or changes it, as OAuth 2.0 (RFC 6749, 4.1.3) requires
when the authorization request carried one. The Amazon and sandbox profiles need one before a
consent starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from core.amazon.attempts import ConsentAttempts
from core.amazon.consent import Authorized, complete, consent_url, parse_redirect
from core.amazon.http import CodeRejected
from core.domain import changes as ch
from core.domain.errors import UserFacingError
from core.domain.marketplaces import EndpointProfile
from core.domain.secret import Secret
from core.domain.secret_refs import new_client_secret_ref
from core.services.consent.session import ConsentSession
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.integration.consent_support import (
    CLIENT_SECRET,
    VENDOR_REDIRECT,
    Amazon,
    app_credentials,
    simulator_app,
    simulator_workspace,
    start_amazon,
    uk_target,
)

WAIT_S = 10.0
LOOPBACK = "http://127.0.0.1:8765/callback"


@pytest.fixture
def amazon() -> Iterator[Amazon]:
    running = start_amazon(VENDOR_REDIRECT)
    yield running
    running.sim.stop()


def answer_to(url: str) -> str:
    answer = requests.get(url, timeout=WAIT_S, allow_redirects=False)
    assert answer.status_code == 302
    return str(answer.headers["Location"])


def consented_code(amazon: Amazon, redirect_uri: str) -> Secret:
    app = replace(simulator_app(amazon), redirect_uri=redirect_uri)
    url = consent_url(app, amazon.sim.endpoints, uk_target().marketplace, "s")
    return Secret(parse_qs(urlsplit(answer_to(url)).query)["spapi_oauth_code"][0])


@pytest.mark.parametrize("sent", ["", "https://connect.example.com/another"])
def test_the_simulator_refuses_an_exchange_without_the_links_redirect_uri(
    amazon: Amazon, sent: str
) -> None:
    code = consented_code(amazon, LOOPBACK)
    with amazon.lwa() as lwa, pytest.raises(CodeRejected):
        lwa.exchange_code(code, sent, uk_target().region)
    with amazon.lwa() as lwa:  # the same redirect URI as the link: accepted
        tokens = lwa.exchange_code(consented_code(amazon, LOOPBACK), LOOPBACK, uk_target().region)
    assert tokens.refresh_token is not None


def test_complete_sends_the_redirect_uri_its_attempt_named(amazon: Amazon) -> None:
    attempts = ConsentAttempts()
    now = datetime.now(UTC)
    attempt = attempts.start(uk_target(), now=now, redirect_uri=LOOPBACK)
    app = simulator_app(amazon)  # its own redirect URI is the vendor's page, not the link's
    link = consent_url(
        replace(app, redirect_uri=LOOPBACK),
        amazon.sim.endpoints,
        uk_target().marketplace,
        attempt.state,
    )
    params = parse_redirect(answer_to(link))
    with amazon.lwa() as lwa, amazon.sellers() as sellers:
        result = complete(attempts, params, lwa=lwa, sellers=sellers, app=app, now=now)
    assert isinstance(result, Authorized)


@pytest.mark.parametrize("profile", [EndpointProfile.AMAZON, EndpointProfile.SANDBOX])
def test_amazon_profiles_need_a_redirect_uri_before_a_consent_starts(
    tmp_path: Path, profile: EndpointProfile
) -> None:
    workspace = Workspace.open(tmp_path / "data", MemorySecretStore())
    try:
        app = replace(app_credentials(""), endpoint_profile=profile)
        ref = new_client_secret_ref(workspace.namespace)
        workspace.apply(ch.set_app_credentials(app, Secret(CLIENT_SECRET), new_ref=ref))
        session = ConsentSession(workspace, uk_target(), listen=False)
        problem = session.cannot_start()
        assert problem is not None
        assert "redirect URI" in problem.message
        assert "App credentials" in problem.next_step
        with pytest.raises(UserFacingError, match="redirect URI"):
            session.link()
        assert session.attempt is None  # refused before any link exists
        session.close()
    finally:
        workspace.close()


def test_the_simulator_profile_may_leave_it_to_the_listener(tmp_path: Path, amazon: Amazon) -> None:
    workspace = simulator_workspace(tmp_path / "data", amazon, MemorySecretStore())
    try:
        workspace.apply(ch.set_app_credentials(replace(workspace.current.app, redirect_uri="")))
        session = ConsentSession(workspace, uk_target())
        assert session.cannot_start() is None
        session.close()
    finally:
        workspace.close()
