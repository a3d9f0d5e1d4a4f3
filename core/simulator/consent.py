"""Amazon's consent flow: the consent page, its error codes, and the redirect with the code.

``GET /apps/authorize/consent`` checks the link the way Amazon does and shows the account
switcher with Confirm and Cancel; ``POST /apps/authorize/confirm`` sends the browser to the
redirect URI with ``spapi_oauth_code``, ``state``, ``selling_partner_id`` and, for hybrid apps,
``mws_auth_token``.

Sources: the link's parameters and the redirect are those of the "Website authorization
workflow" (Steps 1 and 3) in Amazon's archived SP-API developer guide ("the developer guide"),
https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md
and the error codes are those of https://developer-docs.amazon.com/sp-api/docs/authorization-errors
(see :data:`core.simulator.pages.MD_ERRORS`). The guide lists no parameters for a cancelled
consent, so whether Amazon redirects then (with ``error=``) is UNVERIFIED.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

from core.simulator import pages
from core.simulator.model import SimApp, SimSeller
from core.simulator.state import SimulatedAmazon
from core.simulator.wire import Request, Response, html_response, redirect

CONSENT_PATH = "/apps/authorize/consent"
CONFIRM_PATH = "/apps/authorize/confirm"
LWA_CLIENT_ID_PREFIX = "amzn1.application-oa2-client."
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _error(code: str, note: str | None = None) -> Response:
    # Amazon's HTTP status for these pages is UNVERIFIED; 400 lets a script notice them.
    return html_response(400, pages.error_page(code, note))


def _is_loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK_HOSTS


def _registered(app: SimApp, redirect_uri: str) -> bool:
    return redirect_uri in app.redirect_uris or (
        app.loopback_redirects and _is_loopback(redirect_uri)
    )


def check_link(amazon: SimulatedAmazon, params: Mapping[str, str]) -> tuple[SimApp, str] | Response:
    """The app and the redirect URI the consent will use, or Amazon's error page."""
    application_id = params.get("application_id", "")
    if application_id.startswith(LWA_CLIENT_ID_PREFIX):
        # amzn/selling-partner-api-docs#3479: the LWA client ID in place of the app id.
        return _error(
            "MD1000",
            "The link names the app's LWA client ID (amzn1.application-oa2-client...); "
            "it must name the application ID (amzn1.sp.solution... or amzn1.sellerapps.app...).",
        )
    app = amazon.app(application_id)
    if app is None:
        return _error("MD4100")
    if app.draft and params.get("version") != "beta":
        return _error("MD1000")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri:
        if not app.redirect_uris:
            return _error("MD5101", "The app has no registered redirect URI.")
        # Without redirect_uri Amazon uses the app's first registered one (the developer guide,
        # "Website authorization workflow", Step 1; see the module docstring).
        return app, app.redirect_uris[0]
    if "#" in redirect_uri:
        return _error("MD5110")
    if not _registered(app, redirect_uri):
        return _error("MD5101")
    return app, redirect_uri


def show(amazon: SimulatedAmazon, request: Request) -> Response:
    """``GET /apps/authorize/consent``: the consent page (or, with auto-confirm, the redirect)."""
    checked = check_link(amazon, request.query)
    if isinstance(checked, Response):
        return checked
    app, target = checked
    state = request.query.get("state")
    if amazon.auto_confirm:
        seller = amazon.auto_confirm_account()
        if seller is None:
            return html_response(400, pages.no_account_page())
        named = bool(request.query.get("redirect_uri"))
        return _redirect_with_code(amazon, app, seller, target, state, named)
    accounts = amazon.sellers
    if not accounts:
        return html_response(400, pages.no_account_page())
    hidden = {
        name: request.query.get(name, "")
        for name in ("application_id", "state", "redirect_uri", "version")
    }
    beta = request.query.get("version") == "beta"
    page = pages.consent_page(app, accounts, amazon.selected_account(), hidden, beta)
    return html_response(200, page)


def confirm(amazon: SimulatedAmazon, request: Request) -> Response:
    """``POST /apps/authorize/confirm``: Confirm redirects with a code; Cancel only says so."""
    form = request.form()
    checked = check_link(amazon, form)
    if isinstance(checked, Response):
        return checked
    app, target = checked
    if form.get("action") != "confirm":
        # Amazon documents no redirect for a cancelled consent (UNVERIFIED, see the module
        # docstring).
        return html_response(200, pages.cancelled_page(app))
    seller = amazon.account_from_form(form.get("account", ""))
    if seller is None:
        return html_response(400, pages.no_account_page())
    named = bool(form.get("redirect_uri"))
    return _redirect_with_code(amazon, app, seller, target, form.get("state") or None, named)


def _redirect_with_code(
    amazon: SimulatedAmazon,
    app: SimApp,
    seller: SimSeller,
    target: str,
    state: str | None,
    named: bool,
) -> Response:
    issued = amazon.issue_code(app, seller, target, named=named)
    # The order of Amazon's example (the developer guide, "Website authorization workflow",
    # Step 3).
    params: list[tuple[str, str]] = []
    if state is not None:
        params.append(("state", state))
    if issued.mws_auth_token is not None:
        params.append(("mws_auth_token", issued.mws_auth_token))
    params.append(("selling_partner_id", seller.seller_id))
    params.append(("spapi_oauth_code", issued.code))
    return redirect(add_query(target, params))


def add_query(uri: str, params: list[tuple[str, str]]) -> str:
    """``uri`` with ``params`` appended to whatever query it already has."""
    parts = urlsplit(uri)
    extra = urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))
