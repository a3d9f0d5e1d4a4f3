"""The domain: companies, channels, authorizations and app credentials.

Plain frozen dataclasses with no behaviour beyond derived properties; validation lives in
:mod:`core.domain.validation`, status in :mod:`core.domain.status`. Every datetime is
timezone-aware UTC.
Secrets never appear here: a record holds a *reference* (a keychain entry name, built by
:mod:`core.domain.secret_refs`) instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from core.domain import marketplaces
from core.domain.marketplaces import EndpointProfile, Marketplace, Region

#: Amazon asks sellers to re-authorize public apps every 365 days
#: (https://developer-docs.amazon.com/sp-api/docs/renew-authorizations).
GRANT_LIFETIME = timedelta(days=365)
#: The LWA client secret must be rotated every 180 days
#: (https://developer-docs.amazon.com/sp-api/docs/rotating-your-apps-lwa-credentials).
CLIENT_SECRET_LIFETIME = timedelta(days=180)


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class AppStatus(StrEnum):
    """The app's status as the seller sees it in Seller Central → Manage Your Apps."""

    UNKNOWN = "unknown"
    ACTIVE = "active"
    DISABLED = "disabled"


class CheckResult(StrEnum):
    """The outcome of the last connection test or consent attempt of a channel."""

    OK = "ok"
    NEEDS_REAUTHORIZATION = "needs_reauthorization"  # invalid_grant, revoked token
    WRONG_ACCOUNT = "wrong_account"  # consent returned another seller
    APP_CREDENTIALS = "app_credentials"  # invalid_client: the developer's side, not the seller's
    FAILED = "failed"  # network, throttling, Amazon error: try later


class AuthSource(StrEnum):
    CONSENT = "consent"  # website consent in the browser
    SELF_AUTHORIZATION = "self_authorization"  # refresh token pasted from Seller Central
    IMPORT = "import"
    DEMO = "demo"


@dataclass(frozen=True, slots=True)
class Company:
    """A business unit. ``parent_id`` makes it a unified child, authorized through the parent."""

    id: str
    name: str
    parent_id: str | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Recovery:
    """The after-reconnection checklist of a channel that had been failing for 36 hours or more.

    ``gap_start`` is when its checks began to fail, ``gap_end`` when the new consent succeeded:
    orders from that window may not have reached the seller's software. ``ticked`` holds the
    keys of the items done (:data:`core.domain.recovery.ITEMS`); ``dismissed`` archives it.
    """

    gap_start: datetime
    gap_end: datetime
    ticked: frozenset[str] = frozenset()
    dismissed: bool = False


@dataclass(frozen=True, slots=True)
class Health:
    """What the checks of a channel's connection found, and what was done after a long failure.

    ``last_ok_at`` is the last time a check (or a consent) worked; ``failing_since`` the first
    failure since then. ``recovery`` is the open checklist, kept across later checks.
    """

    checked_at: datetime | None = None
    result: CheckResult | None = None
    failing_since: datetime | None = None
    message: str = ""
    last_ok_at: datetime | None = None
    recovery: Recovery | None = None

    def after(self, result: CheckResult, at: datetime, message: str = "") -> Health:
        """The health after a new check: ``failing_since`` keeps the first failure's time."""
        if result is CheckResult.OK:
            return Health(at, result, None, message, at, self.recovery)
        since = self.failing_since or at
        return Health(at, result, since, message, self.last_ok_at, self.recovery)


NO_HEALTH = Health()


@dataclass(frozen=True, slots=True)
class Channel:
    """One company's presence in one Amazon marketplace."""

    id: str
    company_id: str
    marketplace_id: str
    name: str = ""
    seller_id: str | None = None  # expected Seller ID (merchant token = selling_partner_id)
    authorization_id: str | None = None
    mws_merchant_token: str | None = None  # legacy MWS record (not secret: it is the Seller ID)
    mws_auth_token_ref: str | None = None  # keychain entry of the MWS Authorization Token
    app_status: AppStatus = AppStatus.UNKNOWN
    health: Health = NO_HEALTH
    app_status_checked_at: datetime | None = None  # when the person looked (None: not checked)

    @property
    def marketplace(self) -> Marketplace:
        return marketplaces.get(self.marketplace_id)

    @property
    def region(self) -> Region:
        return self.marketplace.region

    @property
    def has_mws(self) -> bool:
        """Legacy MWS credentials are on record for this channel."""
        return self.mws_auth_token_ref is not None


@dataclass(frozen=True, slots=True)
class Authorization:
    """One SP-API grant: a refresh token for one seller in one region.

    ``expires_at`` is ``granted_at`` + 365 days unless a date seen in Seller Central was
    recorded (``expiry_confirmed``). ``previous_id`` points at the authorization this one
    replaced, which is kept as history for *Roll back*.
    """

    id: str
    seller_id: str
    region: Region
    granted_at: datetime
    expires_at: datetime
    source: AuthSource
    refresh_token_ref: str | None
    marketplace_ids: frozenset[str] = frozenset()
    expiry_confirmed: bool = False
    store_name: str = ""
    previous_id: str | None = None

    @classmethod
    def new(
        cls,
        seller_id: str,
        region: Region,
        source: AuthSource,
        refresh_token_ref: str | None,
        granted_at: datetime | None = None,
        marketplace_ids: frozenset[str] = frozenset(),
        store_name: str = "",
        previous_id: str | None = None,
        auth_id: str | None = None,
    ) -> Authorization:
        granted = granted_at or utcnow()
        return cls(
            id=auth_id or new_id(),
            seller_id=seller_id,
            region=region,
            granted_at=granted,
            expires_at=granted + GRANT_LIFETIME,
            source=source,
            refresh_token_ref=refresh_token_ref,
            marketplace_ids=marketplace_ids,
            store_name=store_name,
            previous_id=previous_id,
        )


@dataclass(frozen=True, slots=True)
class AppCredentials:
    """The SP-API application the seller authorizes, and where to reach Amazon."""

    application_id: str = ""
    lwa_client_id: str = ""
    client_secret_ref: str | None = None
    redirect_uri: str = ""
    draft: bool = False
    secret_issued_at: datetime | None = None
    endpoint_profile: EndpointProfile = EndpointProfile.AMAZON
    endpoint_url: str = ""  # the simulator's base URL when endpoint_profile is SIMULATOR

    @property
    def secret_expires_at(self) -> datetime | None:
        if self.secret_issued_at is None:
            return None
        return self.secret_issued_at + CLIENT_SECRET_LIFETIME


@dataclass(slots=True)
class Inventory:
    """A whole inventory, indexed by id. Values are immutable; the dicts are copied on write."""

    companies: dict[str, Company] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    authorizations: dict[str, Authorization] = field(default_factory=dict)
    app: AppCredentials = field(default_factory=AppCredentials)

    def copy(self) -> Inventory:
        return Inventory(
            dict(self.companies), dict(self.channels), dict(self.authorizations), self.app
        )

    def channels_of(self, company_id: str) -> Iterator[Channel]:
        return (c for c in self.channels.values() if c.company_id == company_id)

    def children_of(self, company_id: str) -> Iterator[Company]:
        return (c for c in self.companies.values() if c.parent_id == company_id)

    def authorization_of(self, channel: Channel) -> Authorization | None:
        if channel.authorization_id is None:
            return None
        return self.authorizations.get(channel.authorization_id)

    def root_of(self, company: Company) -> Company:
        """The company whose consent authorizes ``company``: its unified parent, or itself."""
        if company.parent_id is not None and company.parent_id in self.companies:
            return self.companies[company.parent_id]
        return company

    def secret_refs(self) -> set[str]:
        """Every keychain entry this inventory points at."""
        refs = {a.refresh_token_ref for a in self.authorizations.values() if a.refresh_token_ref}
        refs.update(c.mws_auth_token_ref for c in self.channels.values() if c.mws_auth_token_ref)
        if self.app.client_secret_ref:
            refs.add(self.app.client_secret_ref)
        return refs
