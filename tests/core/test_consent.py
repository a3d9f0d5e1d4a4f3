"""Consent: URL building, single-use state, parsing what came back, coverage (no network)."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from core.amazon import attempts as attempts_module
from core.amazon import consent
from core.amazon.consent import (
    ATTEMPT_LIFETIME,
    Authorized,
    ConsentAttempts,
    ConsentRefused,
    ConsentTarget,
    RefusalReason,
    WrongAccount,
    consent_url,
    parse_redirect,
    port_from_state,
)
from core.amazon.http import NeedsReauthorization
from core.amazon.lwa import TokenResponse
from core.amazon.sellers import Participations
from core.domain.errors import UserFacingError, ValidationError
from core.domain.inventory import (
    AppCredentials,
    AuthSource,
)
from core.domain.marketplaces import MARKETPLACES, Endpoints, Marketplace, Region, by_country
from core.domain.secret import Secret
from core.storage.resources import resource_path
from tests.core.factories import NOW
from tests.core.factories import participations as _participations

APP = AppCredentials(
    application_id="amzn1.sp.solution.0bf296b5-1111-2222-3333-444455556666",
    lwa_client_id="amzn1.application-oa2-client.0123456789abcdef",
)
SELLER = "A1EUROPESELLER7"
OTHER = "A2SOMEONEELSE99"
CODE = "ANcodeVALUEnotToBeShown"
URLSAFE = set(string.ascii_letters + string.digits + "-_")


def _target(
    channel_ids: tuple[str, ...] = ("uk",),
    region: Region = Region.EU,
    marketplace: str = "UK",
    seller: str | None = SELLER,
) -> ConsentTarget:
    return ConsentTarget(channel_ids, region, by_country(marketplace).id, seller, "Acme EU")


# --- consent_url -----------------------------------------------------------------------------


@pytest.mark.parametrize("marketplace", MARKETPLACES, ids=lambda m: m.code)
def test_consent_url_for_every_marketplace(marketplace: Marketplace) -> None:
    url = consent_url(APP, Endpoints.amazon(), marketplace, "st4te.1234")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == marketplace.seller_central
    assert parts.scheme == "https"
    assert parts.path == "/apps/authorize/consent"
    assert parse_qs(parts.query, strict_parsing=True) == {
        "application_id": [APP.application_id],
        "state": ["st4te.1234"],
    }


@pytest.mark.parametrize("marketplace", MARKETPLACES, ids=lambda m: m.code)
def test_consent_url_on_the_simulator(marketplace: Marketplace) -> None:
    endpoints = Endpoints.simulator("http://127.0.0.1:8123/")
    url = consent_url(APP, endpoints, marketplace, "s")
    assert url.startswith("http://127.0.0.1:8123/apps/authorize/consent?application_id=")


def test_consent_url_draft_app_adds_version_beta() -> None:
    url = consent_url(replace(APP, draft=True), Endpoints.amazon(), by_country("US"), "s")
    assert parse_qs(urlsplit(url).query)["version"] == ["beta"]
    assert "version" not in parse_qs(
        urlsplit(consent_url(APP, Endpoints(), by_country("US"), "s")).query
    )


def test_consent_url_redirect_uri_is_url_encoded() -> None:
    uri = "https://connect.example.com/spapi/return?x=1&y=a b"
    url = consent_url(replace(APP, redirect_uri=uri), Endpoints.amazon(), by_country("DE"), "s")
    assert f"redirect_uri={quote(uri, safe='')}" in url
    assert parse_qs(urlsplit(url).query)["redirect_uri"] == [uri]
    assert url.startswith("https://sellercentral-europe.amazon.com/apps/authorize/consent?")


def test_consent_url_without_application_id_is_refused() -> None:
    with pytest.raises(UserFacingError, match="application ID is missing"):
        consent_url(AppCredentials(), Endpoints.amazon(), by_country("US"), "s")


# --- attempts --------------------------------------------------------------------------------


def test_state_has_256_bits_and_is_unique() -> None:
    attempts = ConsentAttempts()
    states = [attempts.start(_target(), now=NOW).state for _ in range(1000)]
    assert len(set(states)) == 1000
    for state in states:
        assert len(state) >= 43
        assert set(state) <= URLSAFE


def test_state_carries_the_port_after_the_last_dot() -> None:
    attempt = ConsentAttempts().start(_target(), now=NOW, port=54321)
    random_part, _, port = attempt.state.rpartition(".")
    assert port == "54321"
    assert len(random_part) >= 43
    assert set(random_part) <= URLSAFE
    assert attempt.port == 54321
    assert port_from_state(attempt.state) == 54321
    assert port_from_state(ConsentAttempts().start(_target(), now=NOW).state) is None


@pytest.mark.parametrize("state", ["abc", "abc.", "abc.0", "abc.65536", "abc.12a", "a.b.١٢٣"])
def test_port_from_state_rejects_bad_suffixes(state: str) -> None:
    assert port_from_state(state) is None


def test_claim_returns_the_attempt_once() -> None:
    attempts = ConsentAttempts()
    attempt = attempts.start(_target(), now=NOW)
    assert attempts.claim(attempt.state, NOW + timedelta(minutes=1)) is attempt
    with pytest.raises(ConsentRefused, match="already used: start again") as refused:
        attempts.claim(attempt.state, NOW + timedelta(minutes=1))
    assert refused.value.reason is RefusalReason.USED
    assert refused.value.next_step


def test_claim_refuses_an_expired_attempt_and_uses_it_up() -> None:
    attempts = ConsentAttempts()
    attempt = attempts.start(_target(), now=NOW)
    assert attempt.expires_at == NOW + ATTEMPT_LIFETIME == NOW + timedelta(minutes=10)
    with pytest.raises(ConsentRefused, match="more than 10 minutes") as refused:
        attempts.claim(attempt.state, NOW + ATTEMPT_LIFETIME)
    assert refused.value.reason is RefusalReason.EXPIRED
    with pytest.raises(ConsentRefused) as again:
        attempts.claim(attempt.state, NOW)
    assert again.value.reason is RefusalReason.USED


def test_claim_just_before_expiry_works() -> None:
    attempts = ConsentAttempts()
    attempt = attempts.start(_target(), now=NOW)
    assert attempts.claim(attempt.state, NOW + ATTEMPT_LIFETIME - timedelta(seconds=1)) is attempt


@pytest.mark.parametrize("guess", ["", "x", "ü-not-ascii", "A" * 43])
def test_claim_refuses_an_unknown_state(guess: str) -> None:
    attempts = ConsentAttempts()
    attempt = attempts.start(_target(), now=NOW)
    with pytest.raises(ConsentRefused, match="does not belong") as refused:
        attempts.claim(guess, NOW)
    assert refused.value.reason is RefusalReason.UNKNOWN
    assert attempts.claim(attempt.state, NOW) is attempt  # a wrong guess does not burn it


def test_claim_refuses_a_near_miss_and_a_cancelled_attempt() -> None:
    attempts = ConsentAttempts()
    attempt = attempts.start(_target(), now=NOW, port=4000)
    with pytest.raises(ConsentRefused):
        attempts.claim(attempt.state[:-1] + "1", NOW)  # another port
    with pytest.raises(ConsentRefused):
        attempts.claim(attempt.state.upper(), NOW)
    attempts.cancel(attempt)
    assert attempts.live(NOW) == ()
    with pytest.raises(ConsentRefused, match="cancelled") as refused:
        attempts.claim(attempt.state, NOW)
    assert refused.value.reason is RefusalReason.CANCELLED


def test_claim_compares_every_attempt_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = ConsentAttempts()
    started = [attempts.start(_target(), now=NOW) for _ in range(5)]
    calls: list[tuple[bytes, bytes]] = []
    real = attempts_module.hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(attempts_module.hmac, "compare_digest", recording)
    assert attempts.claim(started[0].state, NOW) is started[0]
    # All five compared, although the first one matched: no early exit.
    assert len(calls) == 5
    assert all(given == started[0].state.encode() for _, given in calls)


def test_attempt_repr_hides_the_state() -> None:
    attempt = ConsentAttempts().start(_target(), now=NOW)
    assert attempt.state not in repr(attempt)


def test_live_lists_waiting_attempts_only() -> None:
    attempts = ConsentAttempts()
    first = attempts.start(_target(), now=NOW)
    second = attempts.start(_target(), now=NOW + timedelta(minutes=5))
    assert attempts.live(NOW + timedelta(minutes=6)) == (first, second)
    assert attempts.live(NOW + timedelta(minutes=11)) == (second,)


# --- parse_redirect --------------------------------------------------------------------------

STATE = "Zt1Vq3q8mOj8mW4Y0b9bW1l2yq3cXK2lq4N0x9hR0pE.51234"
QUERY = (
    f"state={STATE}&mws_auth_token=amzn.mws.4ea38b7b-f563-7709-4bae-87aea15c0c2d"
    f"&selling_partner_id={SELLER}&spapi_oauth_code={CODE}"
)


@pytest.mark.parametrize(
    "text",
    [
        f"https://connect.example.com/spapi/return?{QUERY}",
        f"http://127.0.0.1:51234/callback?{QUERY}",
        f"/callback?{QUERY}",
        QUERY,
        f"?{QUERY}",
        f"  \n\t https://connect.example.com/spapi/return?{QUERY} \n",
        f'"https://connect.example.com/spapi/return?{QUERY}"',
        f"'{QUERY}'",
        f"“https://connect.example.com/spapi/return?{QUERY}”",
        f"<https://connect.example.com/spapi/return?{QUERY}>",
        # An e-mail client wrapped the long line.
        f"https://connect.example.com/spapi/return?{QUERY[:40]}\n{QUERY[40:]}",
        f"https://connect.example.com/spapi/return?{QUERY}#ignored",
        f"https://connect.example.com/spapi/return?{QUERY.replace(SELLER, SELLER.lower())}",
    ],
    ids=[
        "pasted-address",
        "loopback-url",
        "loopback-path",
        "bare-query",
        "query-with-question-mark",
        "whitespace",
        "double-quotes",
        "single-quotes",
        "typographic-quotes",
        "angle-brackets",
        "wrapped-line",
        "fragment",
        "lower-case-seller",
    ],
)
def test_parse_redirect_accepts(text: str) -> None:
    params = parse_redirect(text)
    assert params.state == STATE
    assert params.code.reveal() == CODE
    assert params.selling_partner_id == SELLER
    assert params.mws_auth_token is not None
    assert params.mws_auth_token.reveal().startswith("amzn.mws.")


def test_parse_redirect_without_mws_token() -> None:
    params = parse_redirect(f"state=s.1&selling_partner_id={SELLER}&spapi_oauth_code=c")
    assert params.mws_auth_token is None


def test_the_text_the_hand_off_page_shows_parses() -> None:
    page = resource_path("handoff.html").read_text(encoding="utf-8")
    # The page shows window.location.href: the address Amazon returned to, as is.
    assert "field.value = window.location.href" in page
    assert parse_redirect(f"https://vendor.example/return?{QUERY}").state == STATE


def test_redirect_params_repr_shows_no_secret() -> None:
    params = parse_redirect(QUERY)
    text = repr(params) + str(params)
    assert CODE not in text
    assert "amzn.mws." not in text
    assert STATE not in text


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "That is not the address Amazon returned to"),
        ("hello there", "That is not the address Amazon returned to"),
        ("https://sellercentral.amazon.com/home", "That is not the address Amazon returned to"),
        (f"https://x/r?state={STATE}&selling_partner_id={SELLER}", "no authorization code"),
        (f"https://x/r?spapi_oauth_code=c&selling_partner_id={SELLER}", "no state"),
        (f"https://x/r?state={STATE}&spapi_oauth_code=c", "no Seller ID"),
        (f"state={STATE}&spapi_oauth_code=&selling_partner_id={SELLER}", "no authorization code"),
        (f"{QUERY}&state=other", "more than once"),
        (f"state={STATE}&spapi_oauth_code=c&selling_partner_id=A1<b>", "Seller ID"),
        (f"state=a%0Ab&spapi_oauth_code=c&selling_partner_id={SELLER}", "state"),
        (f"state={STATE}&error=access_denied", "did not authorize"),
        ("state=s&error=<script>", "did not authorize"),
    ],
)
def test_parse_redirect_refuses(text: str, match: str) -> None:
    with pytest.raises(UserFacingError, match=match) as refused:
        parse_redirect(text)
    assert refused.value.next_step
    assert "<script>" not in str(refused.value)
    assert "spapi_oauth_code=c" not in str(refused.value)


def test_parse_redirect_error_never_quotes_the_code() -> None:
    with pytest.raises(UserFacingError) as refused:
        parse_redirect(f"spapi_oauth_code={CODE}&selling_partner_id={SELLER}")
    assert CODE not in str(refused.value)
    assert CODE not in repr(refused.value)


# --- complete and self_authorize with fake clients -------------------------------------------


class FakeLwa:
    def __init__(self, refresh_token: str | None = "Atzr|new-refresh") -> None:  # noqa: S107
        self.calls: list[tuple[str, Any, Any, Region]] = []
        self._refresh = refresh_token

    def _tokens(self) -> TokenResponse:
        refresh = Secret(self._refresh) if self._refresh else None
        return TokenResponse(Secret("Atza|access"), refresh, 3600, "bearer", NOW)

    def exchange_code(self, code: Secret, redirect_uri: str, region: Region) -> TokenResponse:
        self.calls.append(("exchange", code.reveal(), redirect_uri, region))
        return self._tokens()

    def refresh(self, refresh_token: Secret, region: Region) -> TokenResponse:
        self.calls.append(("refresh", refresh_token.reveal(), None, region))
        if refresh_token.reveal() == "Atzr|revoked":
            raise NeedsReauthorization(status=400, code="invalid_grant")
        return self._tokens()


class FakeSellers:
    def __init__(self, participations: Participations) -> None:
        self.participations = participations
        self.calls: list[tuple[str, Region]] = []

    def marketplace_participations(self, access_token: Secret, region: Region) -> Participations:
        self.calls.append((access_token.reveal(), region))
        return self.participations


def _complete(
    target: ConsentTarget,
    returned: str = SELLER,
    participations: Participations | None = None,
    lwa: FakeLwa | None = None,
) -> tuple[consent.ConsentResult, FakeLwa, FakeSellers]:
    attempts = ConsentAttempts()
    attempt = attempts.start(target, now=NOW)
    params = parse_redirect(
        f"state={attempt.state}&selling_partner_id={returned}&spapi_oauth_code={CODE}"
    )
    lwa = lwa or FakeLwa()
    sellers = FakeSellers(participations or _participations("UK", "DE", "FR", "IT", "ES"))
    result = consent.complete(
        attempts,
        params,
        lwa=lwa,
        sellers=sellers,
        app=replace(APP, redirect_uri="https://connect.example.com/return"),
        now=NOW,
    )
    return result, lwa, sellers


def test_complete_success() -> None:
    result, lwa, sellers = _complete(_target())
    assert isinstance(result, Authorized)
    assert lwa.calls == [("exchange", CODE, "https://connect.example.com/return", Region.EU)]
    assert sellers.calls == [("Atza|access", Region.EU)]
    auth = result.authorization
    assert (auth.seller_id, auth.region, auth.source) == (SELLER, Region.EU, AuthSource.CONSENT)
    assert auth.refresh_token_ref is None
    assert auth.granted_at == NOW
    assert auth.store_name == "Acme Europe"
    assert auth.marketplace_ids == {by_country(c).id for c in ("UK", "DE", "FR", "IT", "ES")}
    assert result.refresh_token.reveal() == "Atzr|new-refresh"
    assert not result.needs_confirmation


def test_complete_wrong_account_uses_nothing() -> None:
    result, _, sellers = _complete(_target(), returned=OTHER)
    assert isinstance(result, WrongAccount)
    assert (result.expected_seller_id, result.returned_seller_id) == (SELLER, OTHER)
    assert sellers.calls == []  # the wrong account's grant is never used
    assert OTHER in result.message
    assert SELLER in result.message
    assert "Nothing was changed" in result.message
    assert SELLER in result.next_step


def test_complete_compares_normalized_seller_ids() -> None:
    result, _, _ = _complete(_target(seller=f"  {SELLER.lower()} "))
    assert isinstance(result, Authorized)


def test_complete_without_expected_seller_asks_for_confirmation() -> None:
    result, _, _ = _complete(_target(seller=None), returned=OTHER)
    assert isinstance(result, Authorized)
    assert result.needs_confirmation
    assert result.seller_id == OTHER


def test_complete_another_region_is_a_wrong_account() -> None:
    result, _, _ = _complete(_target(), participations=_participations("US", "CA"))
    assert isinstance(result, WrongAccount)
    assert result.region_mismatch
    assert "another region" in result.message


def test_complete_without_refresh_token_fails() -> None:
    with pytest.raises(UserFacingError, match="no refresh token"):
        _complete(_target(), lwa=FakeLwa(refresh_token=None))


def test_complete_refuses_before_any_call_on_a_bad_state() -> None:
    attempts = ConsentAttempts()
    attempts.start(_target(), now=NOW)
    lwa, sellers = FakeLwa(), FakeSellers(_participations("UK"))
    params = parse_redirect(f"state=forged&selling_partner_id={SELLER}&spapi_oauth_code={CODE}")
    with pytest.raises(ConsentRefused):
        consent.complete(attempts, params, lwa=lwa, sellers=sellers, app=APP, now=NOW)
    assert lwa.calls == []
    assert sellers.calls == []


def test_self_authorize_verifies_the_token() -> None:
    lwa, sellers = FakeLwa(), FakeSellers(_participations("UK", "DE"))
    result = consent.self_authorize(
        Secret("  Atzr|pasted \n"),
        _target(),
        lwa=lwa,
        sellers=sellers,
        app=APP,
        now=NOW,
        seller_id=SELLER.lower(),
    )
    assert lwa.calls == [("refresh", "Atzr|pasted", None, Region.EU)]
    assert result.authorization.source is AuthSource.SELF_AUTHORIZATION
    assert result.refresh_token.reveal() == "Atzr|pasted"
    assert result.authorization.seller_id == SELLER


@pytest.mark.parametrize(
    ("token", "seller", "match"),
    [
        ("Atzr|x", OTHER, "needs Seller ID"),
        ("Atza|access", SELLER, "access token"),
        ("   ", SELLER, "Paste the refresh token"),
        ("Atzr|x", "not a seller", "capital letters"),
    ],
)
def test_self_authorize_refuses(token: str, seller: str, match: str) -> None:
    lwa = FakeLwa()
    with pytest.raises(ValidationError, match=match):
        consent.self_authorize(
            Secret(token),
            _target(),
            lwa=lwa,
            sellers=FakeSellers(_participations("UK")),
            app=APP,
            now=NOW,
            seller_id=seller,
        )
    assert lwa.calls == []


def test_self_authorize_rejected_token_says_so() -> None:
    with pytest.raises(NeedsReauthorization, match="did not accept this refresh token"):
        consent.self_authorize(
            Secret("Atzr|revoked"),
            _target(),
            lwa=FakeLwa(),
            sellers=FakeSellers(_participations("UK")),
            app=APP,
            now=NOW,
            seller_id=SELLER,
        )


# --- resources ---------------------------------------------------------------------------------


def test_resource_path_finds_the_hand_off_page() -> None:
    path = resource_path("handoff.html")
    assert path.is_file()
    assert path.parent.name == "resources"


def test_resource_path_in_a_pyinstaller_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "handoff.html").write_text("x")
    monkeypatch.setattr("sys._MEIPASS", str(tmp_path), raising=False)
    assert resource_path("handoff.html") == tmp_path / "resources" / "handoff.html"


@pytest.mark.parametrize("name", ["../core/consent.py", "/etc/passwd", "", "C:/x", "missing.html"])
def test_resource_path_refuses(name: str) -> None:
    with pytest.raises((ValueError, FileNotFoundError)):
        resource_path(name)


def test_hand_off_page_rules() -> None:
    page = resource_path("handoff.html").read_text(encoding="utf-8")
    assert '<meta name="referrer" content="no-referrer">' in page
    assert "<noscript>" in page
    assert 'window.location.assign("http://127.0.0.1:" + port + "/callback" + query)' in page
    assert 'lastIndexOf(".")' in page
    # Nothing loaded from elsewhere, no fetch or frames (Chrome's Local Network Access).
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=", page)
    script = page.split("<script>")[1]
    for banned in ("fetch(", "XMLHttpRequest", "<iframe", "https://"):
        assert banned not in script
    assert script.count("http://") == 1  # the loopback address, nothing else
