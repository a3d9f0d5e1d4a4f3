"""What the reauthorize dialog says, in plain words. No Qt here.

Every value that comes from the inventory or from Amazon (names, store names, Seller IDs) is
HTML-escaped: the dialog shows these strings as rich text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from urllib.parse import urlsplit

from core.amazon.attempts import ATTEMPT_LIFETIME, Attempt
from core.amazon.consent import Authorized, ConsentTarget, WrongAccount
from core.domain import dates, marketplaces
from core.domain.errors import UserFacingError, ValidationError
from core.domain.inventory import Inventory
from core.domain.marketplaces import EndpointProfile, Endpoints
from core.services.consent.coverage import Coverage
from core.services.consent.identity import Doubt, NeedsConfirmation, known_account

#: Amazon's spapi_oauth_code lives five minutes: "Website authorization workflow", Step 4, in
#: Amazon's archived SP-API developer guide,
#: https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md
CODE_MINUTES = 5
LINK_MINUTES = int(ATTEMPT_LIFETIME.total_seconds() // 60)
PASTE_TITLE = "Finish by pasting"  # the hand-off page tells sellers to look for this name


@dataclass(frozen=True, slots=True)
class ExpectedAccount:
    """The account the consent should come from, as far as the inventory knows."""

    seller_id: str | None
    store_name: str = ""

    @property
    def text(self) -> str:
        if self.seller_id is None:
            return "unknown"
        store = f" ({self.store_name})" if self.store_name else ""
        return f"Seller ID {self.seller_id}{store}"


def expected_account(inventory: Inventory, target: ConsentTarget) -> ExpectedAccount:
    known = known_account(inventory, target)  # what Amazon's answer is compared with, too
    if known.seller_id is None:
        return ExpectedAccount(None)
    return ExpectedAccount(known.seller_id, known.store_name)


def host_of(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or url
    return f"{host}:{parts.port}" if parts.port else host


def countdown(remaining: timedelta) -> str:
    seconds = max(int(remaining.total_seconds()), 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _b(text: str) -> str:
    return f"<b>{escape(text)}</b>"


def _items(lines: Iterable[str]) -> str:
    return (
        "<ul style='margin-top:2px; margin-bottom:2px'>"
        + "".join(f"<li>{line}</li>" for line in lines)
        + "</ul>"
    )


# --- the first page ---------------------------------------------------------------------------


def instructions_html(target: ConsentTarget, account: ExpectedAccount, endpoints: Endpoints) -> str:
    market = target.marketplace
    site = host_of(market.seller_central)
    steps = [
        f"Sign in to Seller Central for {escape(market.country)} at {_b(site)}. SP Connect "
        "opens the right page for you.",
    ]
    if account.seller_id is not None:
        store = f" ({escape(account.store_name)})" if account.store_name else ""
        steps.append(
            "In Seller Central's account switcher (top of the page), select the account with "
            f"Seller ID {_b(account.seller_id)}{store}."
        )
    else:
        steps.append(
            "In Seller Central's account switcher (top of the page), select the account that "
            f"sells in {escape(market.country)}. SP Connect does not know its Seller ID yet, so "
            "it will show you the account Amazon returns, for you to confirm."
        )
    steps.append(
        "Click <b>Confirm</b> on Amazon's page. SP Connect then receives Amazon's answer by "
        f"itself; if it does not, copy the address your browser shows and use {_b(PASTE_TITLE)} "
        "below."
    )
    html = "<ol style='margin-left:-20px'>" + "".join(f"<li>{s}</li>" for s in steps) + "</ol>"
    if endpoints.profile is EndpointProfile.SIMULATOR and endpoints.consent_base:
        html += (
            "<p><i>Demo:</i> SP Connect's Amazon simulator at "
            f"{escape(host_of(endpoints.consent_base))} stands in for Seller Central. Nothing "
            "reaches Amazon.</p>"
        )
    elif endpoints.profile is EndpointProfile.SANDBOX:
        html += "<p><i>Sandbox:</i> the app is set to use Amazon's sandbox (test data).</p>"
    return html


SWITCHER_WARNING = (
    "<b>Important:</b> Amazon authorizes whichever account is selected in Seller Central's "
    "account switcher when you click Confirm, even if you meant another one. Check the Seller "
    "ID before you confirm."
)


def link_tip(attempt: Attempt | None) -> str:
    """The Copy link tooltip: the link is not for sharing, and it expires (with the attempt)."""
    when = (
        f"It expires at {dates.day_time(attempt.expires_at)}"
        if attempt is not None
        else f"It expires {LINK_MINUTES} minutes after it is made"
    )
    return (
        "Copy the consent link for the person who will confirm in Seller Central (you, or the "
        "seller you are helping), and nobody else: whoever confirms through it authorizes the "
        f"account selected there. It holds no password or token. {when} and works once."
    )


def listener_text(listening: bool, error: UserFacingError | None) -> str:
    if listening:
        return "SP Connect is ready to receive Amazon's answer on this computer."
    if error is not None:
        return f"{error.message} After confirming, use {PASTE_TITLE} below."
    return f"SP Connect is not listening for Amazon's answer: use {PASTE_TITLE} below."


# --- waiting ----------------------------------------------------------------------------------


def waiting_html(account: ExpectedAccount) -> str:
    if account.seller_id is not None:
        which = f"select the account with Seller ID {_b(account.seller_id)}"
    else:
        which = "select the account these channels sell with"
    return (
        f"In your browser, sign in to Seller Central, {which} in the account switcher, then "
        "click <b>Confirm</b>. This window updates by itself when Amazon's answer arrives."
    )


def countdown_text(remaining: timedelta | None) -> str:
    if remaining is None:
        return ""
    if remaining <= timedelta(0):
        return (
            "<b>This link has expired.</b> Click Open in browser or Copy link for a new one "
            "(the old link no longer works)."
        )
    return (
        f"<b>This link works for {countdown(remaining)} more.</b> Once you click Confirm, "
        f"Amazon's answer is only good for {CODE_MINUTES} minutes: finish soon after."
    )


# --- results ----------------------------------------------------------------------------------


def _channel_name(inventory: Inventory, channel_id: str) -> str:
    channel = inventory.channels.get(channel_id)
    if channel is None:
        return channel_id
    return channel.name or channel.marketplace.label


def _countries(ids: Iterable[str]) -> str:
    known = [m for m in marketplaces.MARKETPLACES if m.id in set(ids)]
    return ", ".join(m.country for m in known) or "none"


def authorized_html(
    target: ConsentTarget,
    result: Authorized,
    covered: Coverage,
    inventory: Inventory,
    *,
    applied: bool,
) -> str:
    auth = result.authorization
    store = f" ({escape(auth.store_name)})" if auth.store_name else ""
    parts = [
        f"<p>Amazon authorized Seller ID {_b(auth.seller_id)}{store} in "
        f"{escape(auth.region.display_name)}.</p>",
        f"<p><b>Marketplaces covered:</b> {escape(_countries(auth.marketplace_ids))}.</p>",
    ]
    verb = "now use" if applied else "will use"
    names = [escape(_channel_name(inventory, c)) for c in covered.channel_ids]
    parts.append(f"<p><b>Channels that {verb} the new authorization:</b></p>" + _items(names))
    if covered.not_covered:
        lines = [
            f"{escape(_channel_name(inventory, c))}: {escape(reason)}"
            for c, reason in covered.not_covered
        ]
        parts.append(
            "<p><b>Not covered by this authorization</b> (they keep their old state):</p>"
            + _items(lines)
        )
    if applied:
        parts.append(
            "<p>These channels now show <b>Unsaved</b>. <b>Nothing is saved yet:</b> click "
            "<b>Save</b> in the main window to keep the new authorization (Undo or Revert drops "
            "it).</p>"
        )
    else:
        parts.append(
            f"<p>SP Connect did not know which account {escape(target.label)} belongs to. Check "
            "this Seller ID against Seller Central (Settings &gt; Account Info &gt; Merchant "
            "Token) before you use it. Nothing changes until you click <b>Use this account</b>, "
            "and nothing is saved until you click Save in the main window.</p>"
        )
    return "".join(parts)


def wrong_account_html(result: WrongAccount, account: ExpectedAccount) -> str:
    expected = escape(account.text if account.seller_id else result.expected_seller_id)
    returned = escape(result.returned_seller_id)
    if result.store_name:
        returned += f" ({escape(result.store_name)})"
    return (
        f"<p>{escape(result.message)}</p>"
        f"<p><b>Authorized:</b> Seller ID {returned}<br><b>Expected:</b> {expected}</p>"
        f"<p><b>Next step:</b> {escape(result.next_step)}</p>"
        "<p>Amazon's grant for the other account was not kept. If that account should not use "
        "this app, remove the app in that account's Seller Central (Manage Your Apps).</p>"
    )


def error_html(exc: BaseException) -> str:
    if isinstance(exc, ValidationError) and exc.errors:
        lines = _items(escape(e.message) for e in exc.errors)
        return f"<p>Nothing was changed.</p>{lines}<p><b>Next step:</b> {escape(exc.next_step)}</p>"
    if isinstance(exc, UserFacingError):
        step = f"<p><b>Next step:</b> {escape(exc.next_step)}</p>" if exc.next_step else ""
        return f"<p>{escape(exc.message)}</p>{step}<p>Nothing was changed.</p>"
    return (
        "<p>Something went wrong inside SP Connect while checking Amazon's answer. Nothing was "
        "changed.</p><p><b>Next step:</b> Try again; if it happens again, send the log to "
        "support.</p>"
    )


# --- asking the person to confirm ------------------------------------------------------------


def confirm_title(result: NeedsConfirmation) -> str:
    if result.looks_like_another_account:
        return "This may not be the expected account: check before you confirm"
    return "Is this the right account?"


def _doubt_line(doubt: Doubt, result: NeedsConfirmation, label: str) -> str:
    claimed = escape(result.claimed_seller_id)
    if doubt is Doubt.OTHER_STORE_NAME:
        return (
            f"Amazon reports the store {_b(result.store_name or '(no name)')}, but the last "
            f"authorization of Seller ID {claimed} was for the store "
            f"{_b(result.expected_store_name)}. It is probably another seller's account."
        )
    if doubt is Doubt.MARKETPLACES_MISSING:
        missing = escape(_countries(result.missing_marketplace_ids))
        return (
            f"Amazon does not list {missing} for this account, although {escape(label)} sells "
            "there."
        )
    if doubt is Doubt.NO_STORE_NAME:
        return (
            f"SP Connect has no store name on record for Seller ID {claimed}, so it cannot "
            "tell whether this is that account."
        )
    return f"SP Connect did not know which account {escape(label)} belongs to."


def confirm_html(result: NeedsConfirmation, covered: Coverage, inventory: Inventory) -> str:
    """What Amazon reports, what was expected, why SP Connect asks, and what Confirm does."""
    target = result.target
    label = target.label if target is not None else "these channels"
    store = result.store_name or "(no store name)"
    expected = result.known
    if expected.seller_id is None:
        expected_text = "unknown"
    else:
        known_store = f", store {expected.store_name}" if expected.store_name else ""
        expected_text = f"Seller ID {expected.seller_id}{known_store}"
    expected_text += f", selling in {_countries(expected.marketplace_ids)}"
    names = [escape(_channel_name(inventory, c)) for c in covered.channel_ids]
    return "".join(
        [
            f"<p><b>Amazon reports:</b> the store {_b(store)}, selling in "
            f"{escape(_countries(result.marketplace_ids))}.</p>",
            f"<p><b>The answer names:</b> Seller ID {_b(result.claimed_seller_id)}. Anyone who "
            "forwarded or pasted Amazon's answer could have changed this part, so SP Connect "
            "checks the store and marketplaces Amazon reports instead.</p>",
            f"<p><b>Expected:</b> {escape(expected_text)}.</p>",
            "<p><b>Why SP Connect asks:</b></p>",
            _items(_doubt_line(d, result, label) for d in result.doubts),
            "<p><b>Channels that will use this authorization if you confirm:</b></p>"
            + _items(names or ["none"]),
            "<p>Check the store name in Seller Central (Settings &gt; Account Info). Click "
            "<b>Confirm</b> only if this is the account you meant: nothing changes until then, "
            "and nothing is saved until you click Save in the main window. <b>Cancel</b> "
            "changes nothing.</p>",
        ]
    )
