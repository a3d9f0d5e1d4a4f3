"""The simulated consent page: Amazon's link checks, the account switcher and the redirect."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import requests

from core.amazon.lwa import LwaClient
from core.amazon.sellers import SellersClient
from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.simulator import SimApp, SimSeller, Simulator
from tests.integration.simhelpers import (
    ACME_EU,
    ACME_NA,
    APP,
    DRAFT_APP,
    HYBRID_APP,
    OTHER_NA,
    REDIRECT,
    SECOND_REDIRECT,
    consent,
    location_base,
    redirect_query,
)

CONFIRM = "/apps/authorize/confirm"
MWS_TOKEN = re.compile(r"amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class _Form(HTMLParser):
    """Reads the consent form: hidden fields, account options, buttons, outside references."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.options: list[tuple[str, bool]] = []
        self.buttons: list[str] = []
        self.action = ""
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "option":
            self.options.append((a["value"], "selected" in a))
        elif tag == "button":
            self.buttons.append(a.get("value", ""))
        if tag in ("script", "link", "img", "iframe") or "src" in a:
            self.references.append(tag)


def _form(text: str) -> _Form:
    parser = _Form()
    parser.feed(text)
    return parser


def _open(sim: Simulator, browser: requests.Session, **params: str) -> requests.Response:
    application_id = params.pop("application_id", APP.application_id)
    return browser.get(sim.consent_url(application_id, "state-1", **params), allow_redirects=False)


def _md_code(answer: requests.Response) -> str:
    found = re.search(r"Error code: <span class='code'>(MD\d+)</span>", answer.text)
    assert found, answer.text
    return found.group(1)


# --- the page ----------------------------------------------------------------------------------


def test_consent_page_has_the_account_switcher_and_buttons(
    sim: Simulator, browser: requests.Session
) -> None:
    answer = _open(sim, browser, redirect_uri=SECOND_REDIRECT)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    form = _form(answer.text)
    assert form.action == CONFIRM
    assert form.hidden == {
        "application_id": APP.application_id,
        "state": "state-1",
        "redirect_uri": SECOND_REDIRECT,
        "version": "",
    }
    values = [v for v, _ in form.options]
    assert values == [ACME_NA.form_value, ACME_EU.form_value, OTHER_NA.form_value]
    assert [v for v, selected in form.options if selected] == [ACME_NA.form_value]
    assert form.buttons == ["confirm", "cancel"]
    assert form.references == []  # plain HTML, nothing fetched from elsewhere
    assert "Acme Europe (A2ACMEEU7QZ02, Europe: UK, DE, FR)" in answer.text
    assert "SIMULATOR" in answer.text


def test_selected_account_is_preselected(sim: Simulator, browser: requests.Session) -> None:
    sim.selected_seller_id = OTHER_NA.seller_id

    form = _form(_open(sim, browser).text)

    assert [v for v, selected in form.options if selected] == [OTHER_NA.form_value]


def test_values_are_escaped(sim: Simulator, browser: requests.Session) -> None:
    sim.add_seller(SimSeller("A1EVIL0000001", "<script>x</script>", Region.NA, []))
    answer = browser.get(sim.consent_url(APP.application_id, "'><b>"))

    assert "<script>x" not in answer.text
    assert _form(answer.text).hidden["state"] == "'><b>"


# --- Amazon's error codes ----------------------------------------------------------------------


def test_draft_app_without_version_beta_is_md1000(
    sim: Simulator, browser: requests.Session
) -> None:
    answer = _open(sim, browser, application_id=DRAFT_APP.application_id)
    assert _md_code(answer) == "MD1000"


def test_draft_app_with_version_beta_shows_the_page(
    sim: Simulator, browser: requests.Session
) -> None:
    answer = _open(sim, browser, application_id=DRAFT_APP.application_id, version="beta")

    assert answer.status_code == 200
    assert "draft app" in answer.text
    assert _form(answer.text).hidden["version"] == "beta"


def test_lwa_client_id_in_place_of_the_application_id_is_md1000(
    sim: Simulator, browser: requests.Session
) -> None:
    answer = _open(sim, browser, application_id=APP.client_id)

    assert _md_code(answer) == "MD1000"
    assert "LWA client ID" in answer.text


def test_unknown_application_is_md4100(sim: Simulator, browser: requests.Session) -> None:
    answer = _open(sim, browser, application_id="amzn1.sp.solution.unknown")

    assert _md_code(answer) == "MD4100"
    assert "Unable to find the application" in answer.text


def test_unregistered_redirect_uri_is_md5101(sim: Simulator, browser: requests.Session) -> None:
    answer = _open(sim, browser, redirect_uri="https://evil.example.com/steal")
    assert _md_code(answer) == "MD5101"


def test_redirect_uri_with_a_fragment_is_md5110(sim: Simulator, browser: requests.Session) -> None:
    answer = _open(sim, browser, redirect_uri=REDIRECT + "#top")
    assert _md_code(answer) == "MD5110"


def test_confirm_checks_the_link_again(sim: Simulator, browser: requests.Session) -> None:
    form = {"application_id": "amzn1.sp.solution.unknown", "action": "confirm"}
    answer = browser.post(sim.base_url + CONFIRM, data=form, allow_redirects=False)
    assert _md_code(answer) == "MD4100"


def test_loopback_redirects_only_where_the_app_allows_them(
    sim: Simulator, browser: requests.Session
) -> None:
    loopback = "http://127.0.0.1:49152/callback"
    assert _md_code(_open(sim, browser, redirect_uri=loopback)) == "MD5101"

    sim.register_app(
        SimApp(
            "amzn1.sp.solution.loop", "c", APP.client_secret, [REDIRECT], loopback_redirects=True
        )
    )
    answer = _open(sim, browser, application_id="amzn1.sp.solution.loop", redirect_uri=loopback)
    assert answer.status_code == 200


# --- confirm and cancel ------------------------------------------------------------------------


def test_confirm_redirects_with_code_state_and_seller(
    sim: Simulator, browser: requests.Session
) -> None:
    query = consent(sim, browser, seller=ACME_EU, state="a b&c=d/é", redirect_uri=REDIRECT)

    assert query["state"] == "a b&c=d/é"
    assert query["selling_partner_id"] == ACME_EU.seller_id
    assert re.fullmatch(r"AN[A-Za-z]{18}", query["spapi_oauth_code"])
    assert "mws_auth_token" not in query


def test_hybrid_app_also_gets_an_mws_auth_token(sim: Simulator, browser: requests.Session) -> None:
    first = consent(sim, browser, app=HYBRID_APP)
    again = consent(sim, browser, app=HYBRID_APP)
    other = consent(sim, browser, app=HYBRID_APP, seller=OTHER_NA)

    assert MWS_TOKEN.fullmatch(first["mws_auth_token"])
    assert first["mws_auth_token"] == again["mws_auth_token"]  # one per seller and app
    assert other["mws_auth_token"] != first["mws_auth_token"]
    assert first["spapi_oauth_code"] != again["spapi_oauth_code"]


def _confirm(sim: Simulator, browser: requests.Session, redirect_uri: str) -> requests.Response:
    form = {
        "application_id": APP.application_id,
        "state": "s",
        "redirect_uri": redirect_uri,
        "account": ACME_NA.form_value,
        "action": "confirm",
    }
    return browser.post(sim.base_url + CONFIRM, data=form, allow_redirects=False)


def test_without_redirect_uri_amazon_uses_the_first_registered(
    sim: Simulator, browser: requests.Session
) -> None:
    answer = _confirm(sim, browser, "")
    assert location_base(answer.headers["Location"]) == REDIRECT


def test_a_registered_redirect_uri_is_used(sim: Simulator, browser: requests.Session) -> None:
    answer = _confirm(sim, browser, SECOND_REDIRECT)
    assert location_base(answer.headers["Location"]) == SECOND_REDIRECT
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_redirect_keeps_an_existing_query(sim: Simulator, browser: requests.Session) -> None:
    with_query = "https://connect.example.com/spapi/return?tenant=7"
    sim.register_app(SimApp("amzn1.sp.solution.q", "cq", APP.client_secret, [with_query]))
    form = {
        "application_id": "amzn1.sp.solution.q",
        "account": ACME_NA.form_value,
        "action": "confirm",
        "state": "s",
    }
    answer = browser.post(sim.base_url + CONFIRM, data=form, allow_redirects=False)

    query = redirect_query(answer.headers["Location"])
    assert query["tenant"] == "7"
    assert query["selling_partner_id"] == ACME_NA.seller_id


def test_cancel_does_not_redirect(sim: Simulator, browser: requests.Session) -> None:
    form = {
        "application_id": APP.application_id,
        "state": "s",
        "account": ACME_NA.form_value,
        "action": "cancel",
    }
    answer = browser.post(sim.base_url + CONFIRM, data=form, allow_redirects=False)

    assert answer.status_code == 200
    assert "Location" not in answer.headers
    assert "Authorization cancelled" in answer.text


def test_auto_confirm_redirects_at_once(sim: Simulator, browser: requests.Session) -> None:
    sim.auto_confirm = True
    sim.auto_confirm_seller_id = OTHER_NA.seller_id

    answer = _open(sim, browser)

    assert answer.status_code == 302
    query = redirect_query(answer.headers["Location"])
    assert query["selling_partner_id"] == OTHER_NA.seller_id
    assert query["state"] == "state-1"


def test_auto_confirm_still_checks_the_link(sim: Simulator, browser: requests.Session) -> None:
    sim.auto_confirm = True
    assert _md_code(_open(sim, browser, application_id=DRAFT_APP.application_id)) == "MD1000"


def test_the_account_chosen_is_the_account_authorized(
    sim: Simulator, browser: requests.Session, lwa: LwaClient, sellers: SellersClient
) -> None:
    """The wrong-account story: the switcher, not the link, decides who is authorized."""
    query = consent(sim, browser, seller=OTHER_NA)
    tokens = lwa.exchange_code(Secret(query["spapi_oauth_code"]), "", Region.NA)
    result = sellers.marketplace_participations(tokens.access_token, Region.NA)

    assert query["selling_partner_id"] == OTHER_NA.seller_id
    assert result.store_name == "Other Shop"


def test_guide_page_lists_apps_and_accounts(sim: Simulator, browser: requests.Session) -> None:
    answer = browser.get(sim.base_url + "/")
    assert answer.status_code == 200
    for text in (APP.application_id, APP.client_id, ACME_EU.seller_id, "UK, DE, FR"):
        assert text in answer.text


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("POST", "/apps/authorize/consent", 405)],
)
def test_unknown_paths_and_methods(
    sim: Simulator, browser: requests.Session, method: str, path: str, status: int
) -> None:
    assert browser.request(method, sim.base_url + path).status_code == status
