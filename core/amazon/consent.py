"""Getting a new authorization: the consent URL, and checking what came back.

The flow (ARCHITECTURE.md, "Consent"), and where each step lives:

1. :class:`~core.amazon.attempts.ConsentAttempts` starts an
   :class:`~core.amazon.attempts.Attempt` for one :class:`~core.amazon.attempts.ConsentTarget`
   (one seller in one region): a fresh single-use ``state`` of 256 random bits (its format is
   documented in :mod:`core.amazon.attempts`), alive for 10 minutes. :func:`consent_url` builds
   Amazon's consent address with it.
2. Amazon sends the browser to the app's HTTPS redirect URI; the result reaches the app through
   the loopback listener (:mod:`core.amazon.listener`) or is pasted back. Either way the text goes
   through :func:`~core.amazon.redirect.parse_redirect`.
3. :func:`complete` checks it (state, then the code exchange, then the Seller ID, then the
   participations call) and returns either :class:`Authorized` or :class:`WrongAccount`. The
   Seller ID in the answer is only a claim: :mod:`core.services.consent.identity` compares what
   Amazon reports for the grant with what the inventory knows before anything is applied.
   :func:`self_authorize` does the same for a refresh token pasted from Seller Central. Nothing
   is applied here.
4. Which channels the new grant covers, and the pending change that gives it to them, belong to
   the inventory, not to Amazon's protocol: see :mod:`core.services.consent.coverage`. The
   person's side of all of this (the listener, the link, finishing, applying) is
   :class:`core.services.consent.session.ConsentSession`.

The names of :mod:`core.amazon.attempts` and :mod:`core.amazon.redirect` are importable from here
too.

The consent address and its parameters are Amazon's, from its archived SP-API developer guide
("the developer guide" below), "Constructing an OAuth authorization URI" and "Website
authorization workflow", Step 1:
https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from core.amazon.attempts import (
    ATTEMPT_LIFETIME,
    STATE_BYTES,
    Attempt,
    ConsentAttempts,
    ConsentRefused,
    ConsentTarget,
    RefusalReason,
    port_from_state,
)
from core.amazon.http import AmazonError, NeedsReauthorization
from core.amazon.lwa import LwaClient, TokenResponse
from core.amazon.redirect import QUOTES, RedirectParams, parse_redirect
from core.amazon.sellers import Participations, SellersClient
from core.domain import marketplaces
from core.domain.errors import FieldError, UserFacingError, ValidationError
from core.domain.inventory import AppCredentials, Authorization, AuthSource
from core.domain.marketplaces import Endpoints, Marketplace, Region
from core.domain.secret import Secret
from core.domain.validation import check_seller_id, normalize_seller_id

__all__ = [
    "ATTEMPT_LIFETIME",
    "CONSENT_PATH",
    "STATE_BYTES",
    "Attempt",
    "Authorized",
    "ConsentAttempts",
    "ConsentRefused",
    "ConsentResult",
    "ConsentTarget",
    "RedirectParams",
    "RefusalReason",
    "WrongAccount",
    "complete",
    "consent_url",
    "covered_marketplace_ids",
    "parse_redirect",
    "port_from_state",
    "self_authorize",
]

log = logging.getLogger(__name__)

CONSENT_PATH = "/apps/authorize/consent"

# --- the consent URL -------------------------------------------------------------------------


def consent_url(
    app: AppCredentials, endpoints: Endpoints, marketplace: Marketplace, state: str
) -> str:
    """Amazon's consent address for ``marketplace`` (the developer guide, see the module docstring).

    ``{Seller Central site}/apps/authorize/consent?application_id=...&state=...``, plus
    ``version=beta`` for a draft app and ``redirect_uri`` when the app has one (otherwise Amazon
    uses the first registered one). The site comes from ``endpoints`` (the simulator replaces
    every Seller Central site).

    The URL holds no password or token, but it is not for sharing: whoever opens it and clicks
    Confirm grants the app access to the account selected in their Seller Central, and the
    answer comes back to this attempt. Give it only to the person who will confirm, and only
    until the attempt expires (:attr:`~core.amazon.attempts.Attempt.expires_at`, 10 minutes
    after it started); then the answer is refused.
    """
    application_id = app.application_id.strip()
    if not application_id:
        raise UserFacingError(
            "The app's application ID is missing, so no consent link can be made.",
            "Open App credentials and enter the application ID from Developer Central.",
        )
    params = [("application_id", application_id), ("state", state)]
    if app.draft:
        params.append(("version", "beta"))
    if app.redirect_uri:
        params.append(("redirect_uri", app.redirect_uri))
    base = endpoints.seller_central(marketplace).rstrip("/")
    return f"{base}{CONSENT_PATH}?{urlencode(params, quote_via=quote, safe='')}"


# --- checking the answer ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Authorized:
    """A working new grant, checked and ready to become a pending change.

    ``authorization.refresh_token_ref`` is ``None``: the pending change gives it a fresh keychain
    entry name (:func:`core.services.consent.coverage.authorization_change`).
    ``needs_confirmation`` means no Seller ID was expected. Either way ``authorization.seller_id``
    is the answer's claim: whether the person must confirm the account first is decided by
    :func:`core.services.consent.identity.judge`, from what Amazon reports.
    """

    authorization: Authorization
    refresh_token: Secret
    mws_auth_token: Secret | None
    participations: Participations
    needs_confirmation: bool = False
    target: ConsentTarget | None = None

    @property
    def seller_id(self) -> str:
        return self.authorization.seller_id


@dataclass(frozen=True, slots=True)
class WrongAccount:
    """Amazon authorized another account than the one expected. Nothing was kept or applied.

    ``region_mismatch`` means the Seller ID matched but the grant covers none of the target
    region's marketplaces (the seller was signed in to another region's Seller Central).
    ``store_name`` is known only in that case: for another Seller ID the new grant is never used.
    """

    expected_seller_id: str
    returned_seller_id: str
    target: ConsentTarget
    store_name: str | None = None
    region_mismatch: bool = False

    @property
    def message(self) -> str:
        if self.region_mismatch:
            return (
                f"Amazon authorized Seller ID {self.returned_seller_id} in another region, not "
                f"in {self.target.region.display_name}. Nothing was changed."
            )
        return (
            f"Amazon authorized the account with Seller ID {self.returned_seller_id}, but "
            f"{self.target.label} needs Seller ID {self.expected_seller_id}. Nothing was changed."
        )

    @property
    def next_step(self) -> str:
        site = self.target.marketplace.seller_central
        return (
            f"Start again, sign in at {site} and select the account with Seller ID "
            f"{self.expected_seller_id} in Seller Central's account switcher before confirming."
        )


ConsentResult = Authorized | WrongAccount


def complete(
    attempts: ConsentAttempts,
    params: RedirectParams,
    *,
    lwa: LwaClient,
    sellers: SellersClient,
    app: AppCredentials,
    now: datetime,
    redirect_uri: str | None = None,
) -> ConsentResult:
    """Check a consent's answer (ARCHITECTURE.md, "Consent") and, if right, verify the new grant.

    In this order: (1) claim ``state`` (single use); (2) exchange the code, never retried;
    (3) compare ``selling_partner_id`` with the expected Seller ID: a mismatch returns
    :class:`WrongAccount` and the new grant is dropped unused; (4) getMarketplaceParticipations
    with the new access token. The exchange names the redirect URI the attempt's consent link
    named (:attr:`~core.amazon.attempts.Attempt.redirect_uri`); ``redirect_uri`` (default: the
    app's) is used only for an attempt that did not record one. Blocking: call it off the GUI
    thread.

    ``selling_partner_id`` is an unauthenticated query parameter: anyone who forwards or pastes
    the answer can edit it. A match in (3) is only a claim; the store name and marketplaces
    Amazon lists in (4) are what the caller compares with what it knows of the expected seller
    (:mod:`core.services.consent.identity`) before anything is applied.

    Raises:
        ConsentRefused: The state is unknown, used, cancelled or expired.
        AmazonError: From the exchange or the participations call (for example
            :class:`~core.amazon.http.CodeRejected`,
            :class:`~core.amazon.http.AppCredentialsError`).
    """
    attempt = attempts.claim(params.state, now)
    target = attempt.target
    uri = attempt.redirect_uri
    if uri is None:
        uri = app.redirect_uri if redirect_uri is None else redirect_uri
    tokens = lwa.exchange_code(params.code, uri, target.region)
    refresh = _refresh_token_of(tokens)
    returned = normalize_seller_id(params.selling_partner_id)
    expected = normalize_seller_id(target.expected_seller_id or "") or None
    if expected is not None and expected != returned:
        log.info("consent returned another account than expected: nothing applied")
        return WrongAccount(expected, returned, target)
    participations = sellers.marketplace_participations(tokens.access_token, target.region)
    if _region_mismatch(participations, target.region):
        return WrongAccount(expected or returned, returned, target, participations.store_name, True)
    authorization = _new_authorization(
        returned, target.region, AuthSource.CONSENT, participations, now
    )
    log.info("consent verified: %d marketplace(s) listed", len(participations.items))
    return Authorized(
        authorization, refresh, params.mws_auth_token, participations, expected is None, target
    )


def self_authorize(
    refresh_token: Secret,
    target: ConsentTarget,
    *,
    lwa: LwaClient,
    sellers: SellersClient,
    app: AppCredentials,
    now: datetime,
    seller_id: str,
) -> Authorized:
    """A refresh token the seller generated in Seller Central (private apps), verified first.

    Amazon's answers carry no Seller ID here, so ``seller_id`` is the one the person gives; it
    must match the target's expected Seller ID. A refresh and a participations call prove the
    token works for this app in this region before anything becomes pending.

    Raises:
        ValidationError: The Seller ID is malformed or not the expected one, or the text is not
            a refresh token.
        NeedsReauthorization: Amazon did not accept the token.
        AmazonError: Any other failure of the refresh or the participations call.
    """
    del app  # the client id and secret are in ``lwa``; kept for symmetry with complete()
    token = Secret(refresh_token.reveal().strip().strip(QUOTES))
    seller = normalize_seller_id(seller_id)
    errors = check_seller_id(seller)
    expected = normalize_seller_id(target.expected_seller_id or "") or None
    if expected is not None and seller != expected:
        errors.append(
            FieldError(
                "seller_id",
                f"{target.label} needs Seller ID {expected}, not {seller}. Generate the token "
                "while that account is selected in Seller Central.",
            )
        )
    value = token.reveal()
    if not value:
        errors.append(FieldError("refresh_token", "Paste the refresh token."))
    elif value.startswith("Atza|"):
        errors.append(
            FieldError(
                "refresh_token",
                "That is an access token (Atza|...), which lasts one hour. Paste the refresh "
                "token (Atzr|...) instead.",
            )
        )
    if [e for e in errors if not e.warning]:
        raise ValidationError(errors, "The self-authorization")
    try:
        tokens = lwa.refresh(token, target.region)
    except NeedsReauthorization as exc:
        raise NeedsReauthorization(
            "Amazon did not accept this refresh token for this app in "
            f"{target.region.display_name}.",
            "Copy the whole token again from Seller Central (Develop Apps > Authorize app), "
            "for this app and this region.",
            status=exc.status,
            code=exc.code,
            request_id=exc.request_id,
        ) from None
    participations = sellers.marketplace_participations(tokens.access_token, target.region)
    if _region_mismatch(participations, target.region):
        raise ValidationError(
            [
                FieldError(
                    "refresh_token",
                    f"This token is for another region, not {target.region.display_name}.",
                )
            ],
            "The self-authorization",
        )
    authorization = _new_authorization(
        seller, target.region, AuthSource.SELF_AUTHORIZATION, participations, now
    )
    return Authorized(authorization, token, None, participations, False, target)


def _refresh_token_of(tokens: TokenResponse) -> Secret:
    if tokens.refresh_token is None or not tokens.refresh_token:
        raise AmazonError(
            "Amazon confirmed the consent but sent no refresh token.",
            "Start the consent again; if it keeps happening, report it to SP Connect's support.",
        )
    return tokens.refresh_token


def _in_region(ids: Iterable[str], region: Region) -> frozenset[str]:
    return frozenset(
        i for i in ids if i in marketplaces.BY_ID and marketplaces.get(i).region is region
    )


def covered_marketplace_ids(participations: Participations, region: Region) -> frozenset[str]:
    """The marketplaces of ``region`` a grant covers: the ones Amazon lists as participating.

    The one rule for ``participation.isParticipating`` (the Sellers API model,
    https://github.com/amzn/selling-partner-api-models/blob/main/models/sellers-api-model/sellers.json):
    it is
    :attr:`~core.amazon.sellers.Participations.marketplace_ids`, narrowed to the region. The
    new authorization records these, so coverage and the participations shown agree.
    """
    return _in_region(participations.marketplace_ids, region)


def _region_mismatch(participations: Participations, region: Region) -> bool:
    """Amazon listed marketplaces, none of them in ``region`` (participating or not)."""
    listed = (p.marketplace_id for p in participations.items)
    return bool(participations.items) and not _in_region(listed, region)


def _new_authorization(
    seller: str,
    region: Region,
    source: AuthSource,
    participations: Participations,
    now: datetime,
) -> Authorization:
    return Authorization.new(
        seller,
        region,
        source,
        None,
        granted_at=now,
        marketplace_ids=covered_marketplace_ids(participations, region),
        store_name=participations.store_name,
    )
