"""The simulator's HTML pages: consent, Amazon's MD error pages, cancelled, and the guide.

Plain HTML with inline styles and no external resources. Each page says it is a simulator, so
nobody mistakes it for Amazon. Every value is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from core.domain import marketplaces
from core.simulator.model import SimApp, SimSeller

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; background: #f3f3f3; color: #111; margin: 0; }
header { background: #232f3e; color: #fff; padding: 12px 24px; font-size: 18px; }
header small { color: #ffb84d; margin-left: 12px; font-size: 13px; }
main { max-width: 640px; margin: 32px auto; background: #fff; padding: 24px 32px;
       border: 1px solid #ddd; border-radius: 8px; }
h1 { font-size: 22px; margin-top: 0; }
.note { background: #fff8e1; border-left: 4px solid #ffb84d; padding: 8px 12px; }
.code { font-family: monospace; font-size: 20px; font-weight: bold; }
label { display: block; font-weight: bold; margin: 16px 0 4px; }
select { width: 100%; font-size: 15px; padding: 6px; }
.buttons { margin-top: 24px; display: flex; gap: 12px; }
button { font-size: 15px; padding: 8px 24px; border-radius: 4px; border: 1px solid #a88734;
         cursor: pointer; }
button.confirm { background: #f0c14b; }
button.cancel { background: #fff; border-color: #888; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; font-size: 14px; }
code { background: #f6f6f6; padding: 1px 4px; }
"""

#: What each consent-page error code means, from
#: https://developer-docs.amazon.com/sp-api/docs/authorization-errors; MD4100 as developers
#: report it (https://github.com/amzn/selling-partner-api-docs/issues/1954), and MD1000 for an
#: LWA client ID in place of the application ID as in
#: https://github.com/amzn/selling-partner-api-docs/issues/3479. Amazon's own page shows only
#: the code; the simulator adds the explanation for support staff.
MD_ERRORS: Mapping[str, str] = {
    "MD1000": "The app is still a draft: its authorization link must include version=beta. "
    "(Amazon shows the same code when the link names the app's LWA client ID instead of its "
    "application ID.)",
    "MD4100": "Unable to find the application: no app has the application ID in the link.",
    "MD5101": "The redirect URI in the link is not one of the app's registered redirect URIs.",
    "MD5110": "The redirect URI contains a fragment (#), which is not allowed.",
}


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='referrer' content='no-referrer'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        "<header>Seller Central <small>SIMULATOR: not Amazon</small></header>"
        f"<main>{body}</main></body></html>\n"
    )


def marketplace_codes(seller: SimSeller) -> str:
    """For example ``UK, DE, FR`` (marketplaces SP Connect does not know are left out)."""
    ids = seller.marketplace_ids
    return ", ".join(marketplaces.BY_ID[m].code for m in ids if m in marketplaces.BY_ID)


def account_label(seller: SimSeller) -> str:
    """For example ``Alpine Trail EU (A1ALPINETRAIL7Q, Europe: UK, DE, FR)``."""
    codes = marketplace_codes(seller)
    where = f"{seller.region.display_name}: {codes}" if codes else seller.region.display_name
    return f"{seller.store_name} ({seller.seller_id}, {where})"


def consent_page(
    app: SimApp,
    accounts: Iterable[SimSeller],
    selected: SimSeller | None,
    hidden: Mapping[str, str],
    beta: bool,
) -> str:
    """Amazon's consent page: the account switcher, Confirm and Cancel."""
    options = "".join(
        f"<option value='{escape(s.form_value)}'{' selected' if s == selected else ''}>"
        f"{escape(account_label(s))}</option>"
        for s in accounts
    )
    fields = "".join(
        f"<input type='hidden' name='{escape(k)}' value='{escape(v)}'>" for k, v in hidden.items()
    )
    draft = (
        "<p class='note'>This is a test authorization of a draft app (version=beta).</p>"
        if beta
        else ""
    )
    body = (
        f"<h1>{escape(app.name)} is asking for access to your selling account</h1>"
        f"{draft}"
        "<form method='post' action='/apps/authorize/confirm'>"
        f"{fields}"
        "<label for='account'>Account you are authorizing</label>"
        f"<select id='account' name='account'>{options}</select>"
        "<p class='note'>Only the account selected here is authorized. "
        "Check that it is the store SP Connect asked for.</p>"
        f"<p>By clicking Confirm you allow {escape(app.name)} to access data of this account "
        "through the Selling Partner API.</p>"
        "<div class='buttons'>"
        "<button class='confirm' type='submit' name='action' value='confirm'>Confirm</button>"
        "<button class='cancel' type='submit' name='action' value='cancel'>Cancel</button>"
        "</div></form>"
    )
    return _page("Authorize " + app.name, body)


def error_page(code: str, note: str | None = None) -> str:
    """Amazon's consent error page, showing an MD error code."""
    explanation = note or MD_ERRORS.get(code, "")
    body = (
        "<h1>Sorry, this authorization cannot be completed</h1>"
        "<p>An error occurred when we tried to process your request.</p>"
        f"<p>Error code: <span class='code'>{escape(code)}</span></p>"
        f"<p class='note'>Simulator note: {escape(explanation)}</p>"
    )
    return _page(f"Error {code}", body)


def no_account_page() -> str:
    body = (
        "<h1>No selling account</h1>"
        "<p class='note'>Simulator note: no seller account is set up, so there is nothing to "
        "authorize. Add one with <code>Simulator.add_seller</code>.</p>"
    )
    return _page("No selling account", body)


def cancelled_page(app: SimApp) -> str:
    # Amazon documents no redirect for a cancelled consent (see core.simulator.consent):
    # whether it redirects with ``error=`` is UNVERIFIED, so the simulator only shows a page.
    body = (
        "<h1>Authorization cancelled</h1>"
        f"<p>You did not authorize {escape(app.name)}. Nothing was changed.</p>"
        "<p>You can close this tab. To try again, start from SP Connect.</p>"
    )
    return _page("Authorization cancelled", body)


def guide_page(base_url: str, apps: Iterable[SimApp], accounts: Iterable[SimSeller]) -> str:
    """The simulator's home page: what it is, its apps and accounts, a consent link to try."""
    app_rows = "".join(
        f"<tr><td>{escape(a.name)}</td><td><code>{escape(a.application_id)}</code></td>"
        f"<td><code>{escape(a.client_id)}</code></td>"
        f"<td>{'draft' if a.draft else 'published'}{', hybrid' if a.hybrid else ''}</td></tr>"
        for a in apps
    )
    account_rows = "".join(
        f"<tr><td>{escape(s.store_name)}</td><td><code>{escape(s.seller_id)}</code></td>"
        f"<td>{escape(marketplace_codes(s))}</td>"
        f"<td>{escape(s.region.display_name)}</td></tr>"
        for s in accounts
    )
    body = (
        "<h1>SP Connect's Amazon simulator</h1>"
        "<p>This local server plays Amazon for demos, training and tests: the consent page, "
        "the Login with Amazon token endpoint and the Sellers API. Nothing here is Amazon.</p>"
        f"<p>Address: <code>{escape(base_url)}</code></p>"
        "<h2>Apps</h2><table><tr><th>Name</th><th>Application ID</th><th>LWA client ID</th>"
        f"<th>State</th></tr>{app_rows}</table>"
        "<h2>Seller accounts you are logged in to</h2>"
        "<table><tr><th>Store</th><th>Seller ID</th><th>Marketplaces</th><th>Region</th></tr>"
        f"{account_rows}</table>"
    )
    return _page("Amazon simulator", body)
