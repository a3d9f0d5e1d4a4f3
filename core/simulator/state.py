"""What the simulated Amazon knows: accounts, apps, codes, grants and tokens, and the scenarios.

Everything lives in :class:`SimulatedAmazon` behind locks, so tests and the demo may change
scenarios while requests are being served. Time comes from an injectable clock (seconds, like
:func:`time.time`), so a test can let a code expire without waiting five minutes.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.simulator.faults import Faults
from core.simulator.model import (
    ACCESS_TOKEN_LIFETIME_S,
    CODE_LIFETIME_S,
    DEFAULT_BURST,
    DEFAULT_RATE,
    AccountKey,
    SimApp,
    SimSeller,
)
from core.simulator.request_log import RequestLog
from core.simulator.usage_plan import UsagePlan


@dataclass(slots=True)
class _Code:
    client_id: str
    account: AccountKey
    redirect_uri: str
    issued_at: float
    used: bool = False
    named: bool = True  # the consent link named redirect_uri (not Amazon's default)


@dataclass(slots=True)
class _Grant:
    client_id: str
    account: AccountKey
    revoked: bool = False


@dataclass(slots=True)
class _AccessToken:
    grant: _Grant
    issued_at: float


@dataclass(slots=True)
class Issued:
    """What a confirmed consent hands to the redirect: the code, and for hybrid apps the token."""

    code: str = field(repr=False)
    mws_auth_token: str | None = field(repr=False)


@dataclass(slots=True)
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)


def _token(prefix: str) -> str:
    # About 390 characters, like Amazon's. Amazon allows up to 2048 bytes: "Connecting to the
    # Selling Partner API", Step 1, in Amazon's archived SP-API developer guide,
    # https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md
    return prefix + secrets.token_urlsafe(288)


def _code() -> str:
    alphabet = string.ascii_letters
    return "AN" + "".join(secrets.choice(alphabet) for _ in range(18))


class SimulatedAmazon(RequestLog):
    """The state of the simulated Amazon and the scenarios that change it. Thread-safe."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        global_rate: float | None = None,
        global_burst: int | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self.clock = clock
        self._sellers: dict[AccountKey, SimSeller] = {}
        self._apps: dict[str, SimApp] = {}
        self._selected: AccountKey | None = None
        self._auto_confirm = False
        self._auto_confirm_seller_id: str | None = None
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, _Grant] = {}
        self._access: dict[str, _AccessToken] = {}
        self._mws_tokens: dict[tuple[str, AccountKey], str] = {}
        self._expired_secrets: set[str] = set()
        #: The Sellers API usage plan (token buckets).
        self.usage_plan = UsagePlan(lambda: self.clock(), rate, burst, global_rate, global_burst)
        #: Slow answers, dropped connections, server errors, throttled token calls.
        self.faults = Faults()
        RequestLog.__init__(self)

    # --- accounts and apps -------------------------------------------------------------------

    def add_seller(self, seller: SimSeller) -> SimSeller:
        """Adds an account the simulated person is logged in to (replaces the same key)."""
        with self._lock:
            self._sellers[seller.key] = seller
            return seller

    def register_app(self, app: SimApp) -> SimApp:
        with self._lock:
            self._apps[app.application_id] = app
            return app

    @property
    def sellers(self) -> tuple[SimSeller, ...]:
        with self._lock:
            return tuple(self._sellers.values())

    @property
    def apps(self) -> tuple[SimApp, ...]:
        with self._lock:
            return tuple(self._apps.values())

    def app(self, application_id: str) -> SimApp | None:
        with self._lock:
            return self._apps.get(application_id)

    def app_by_client_id(self, client_id: str) -> SimApp | None:
        with self._lock:
            return next((a for a in self._apps.values() if a.client_id == client_id), None)

    def account(self, key: AccountKey) -> SimSeller | None:
        with self._lock:
            return self._sellers.get(key)

    def find_account(self, seller_id: str, region: Region | None = None) -> SimSeller | None:
        with self._lock:
            return next(
                (
                    s
                    for s in self._sellers.values()
                    if s.seller_id == seller_id and region in (None, s.region)
                ),
                None,
            )

    def account_from_form(self, value: str) -> SimSeller | None:
        seller_id, _, region = value.partition(":")
        try:
            return self.account((seller_id, Region(region)))
        except ValueError:
            return None

    # --- what the simulated person does on the consent page ---------------------------------

    def select_account(self, seller_id: str | None, region: Region | None = None) -> None:
        """The account pre-selected in the switcher (``None``: the first one)."""
        with self._lock:
            if seller_id is None:
                self._selected = None
                return
            seller = self.find_account(seller_id, region)
            if seller is None:
                raise KeyError(f"no simulated account {seller_id} {region or ''}".strip())
            self._selected = seller.key

    @property
    def selected_seller_id(self) -> str | None:
        seller = self.selected_account()
        return seller.seller_id if seller else None

    @selected_seller_id.setter
    def selected_seller_id(self, seller_id: str | None) -> None:
        self.select_account(seller_id)

    def selected_account(self) -> SimSeller | None:
        with self._lock:
            if self._selected in self._sellers:
                return self._sellers[self._selected]
            return next(iter(self._sellers.values()), None)

    @property
    def auto_confirm(self) -> bool:
        """The consent page confirms at once (for headless browser tests)."""
        with self._lock:
            return self._auto_confirm

    @auto_confirm.setter
    def auto_confirm(self, value: bool) -> None:
        with self._lock:
            self._auto_confirm = value

    @property
    def auto_confirm_seller_id(self) -> str | None:
        """The account auto-confirm picks (``None``: the selected account)."""
        with self._lock:
            return self._auto_confirm_seller_id

    @auto_confirm_seller_id.setter
    def auto_confirm_seller_id(self, value: str | None) -> None:
        with self._lock:
            self._auto_confirm_seller_id = value

    def auto_confirm_account(self) -> SimSeller | None:
        with self._lock:
            if self._auto_confirm_seller_id is not None:
                return self.find_account(self._auto_confirm_seller_id)
            return self.selected_account()

    # --- codes, grants and tokens -------------------------------------------------------------

    def issue_code(
        self, app: SimApp, seller: SimSeller, redirect_uri: str, *, named: bool = True
    ) -> Issued:
        """A confirmed consent: a fresh single-use code (and a stable MWS token for hybrids).

        ``named``: the consent link carried ``redirect_uri`` (otherwise Amazon used the app's
        first registered one); the exchange must then name the same one.
        """
        with self._lock:
            code = _code()
            self._codes[code] = _Code(
                app.client_id, seller.key, redirect_uri, self.clock(), named=named
            )
            mws = None
            if app.hybrid:
                mws = self._mws_tokens.setdefault(
                    (app.client_id, seller.key), f"amzn.mws.{uuid.uuid4()}"
                )
            return Issued(code, mws)

    def client_ok(self, client_id: str, client_secret: str) -> SimApp | None:
        """The app, if the client id and secret match and the secret has not expired."""
        with self._lock:
            app = self.app_by_client_id(client_id)
            if app is None or client_id in self._expired_secrets:
                return None
            if not secrets.compare_digest(
                app.client_secret.reveal().encode(), client_secret.encode()
            ):
                return None
            return app

    def redeem_code(self, app: SimApp, code: str, redirect_uri: str | None) -> Tokens | None:
        """Tokens for a live, unused code of this app, or ``None`` (``invalid_grant``)."""
        with self._lock:
            issued = self._codes.get(code)
            if issued is None or issued.used or issued.client_id != app.client_id:
                return None
            # Used even when refused below: a code is never good for a second try.
            issued.used = True
            if self.clock() - issued.issued_at > CODE_LIFETIME_S:
                return None
            # OAuth 2.0 (RFC 6749, section 4.1.3): when the authorization request named a
            # redirect_uri, the token request must name the same one. Whether Amazon also
            # refuses an exchange that leaves it out is UNVERIFIED; the simulator is strict so
            # that SP Connect never relies on leniency.
            if redirect_uri is None and issued.named:
                return None
            if redirect_uri is not None and redirect_uri != issued.redirect_uri:
                return None
            refresh = _token("Atzr|")
            grant = _Grant(app.client_id, issued.account)
            self._grants[refresh] = grant
            return Tokens(self._new_access_token(grant), refresh)

    def refresh(self, app: SimApp, refresh_token: str) -> str | None:
        """A new access token for a live grant of this app, or ``None`` (``invalid_grant``)."""
        with self._lock:
            grant = self._grants.get(refresh_token)
            if grant is None or grant.revoked or grant.client_id != app.client_id:
                return None
            return self._new_access_token(grant)

    def _new_access_token(self, grant: _Grant) -> str:
        token = _token("Atza|")
        issued_at = self.clock()
        if self.faults.take_expired_token():
            issued_at -= ACCESS_TOKEN_LIFETIME_S  # as if it had been issued an hour ago
        self._access[token] = _AccessToken(grant, issued_at)
        return token

    def access_token_expired(self, token: str) -> bool:
        """Whether ``token`` is a real access token of a live grant, only past its hour."""
        with self._lock:
            access = self._access.get(token)
            if access is None or access.grant.revoked:
                return False
            return self.clock() - access.issued_at >= ACCESS_TOKEN_LIFETIME_S

    def access_token_owner(self, token: str) -> tuple[str, SimSeller] | None:
        """(client id, account) of a live access token; ``None`` if unknown, expired or revoked."""
        with self._lock:
            access = self._access.get(token)
            if access is None or access.grant.revoked:
                return None
            if self.clock() - access.issued_at >= ACCESS_TOKEN_LIFETIME_S:
                return None
            seller = self._sellers.get(access.grant.account)
            return (access.grant.client_id, seller) if seller else None

    def issue_refresh_token(self, seller_id: str, region: Region, client_id: str) -> Secret:
        """A refresh token as if the seller self-authorized the app in Seller Central."""
        token = _token("Atzr|")
        self.adopt_refresh_token(Secret(token), seller_id, region, client_id)
        return Secret(token)

    def adopt_refresh_token(
        self, token: Secret, seller_id: str, region: Region, client_id: str
    ) -> None:
        """Accepts an existing refresh token (for example the demo inventory's) as a live grant."""
        with self._lock:
            self._grants[token.reveal()] = _Grant(client_id, (seller_id, region))

    # --- scenarios ------------------------------------------------------------------------------

    def revoke(
        self, seller_id: str, region: Region | None = None, client_id: str | None = None
    ) -> int:
        """The seller removes the app in Manage Your Apps: its grants stop working. Returns how
        many grants were revoked."""
        with self._lock:
            hits = [
                g
                for g in self._grants.values()
                if g.account[0] == seller_id
                and region in (None, g.account[1])
                and client_id in (None, g.client_id)
            ]
            for grant in hits:
                grant.revoked = True
            return len(hits)

    def revoke_refresh_token(self, token: Secret | str) -> None:
        value = token.reveal() if isinstance(token, Secret) else token
        with self._lock:
            grant = self._grants.get(value)
            if grant is not None:
                grant.revoked = True

    def expire_client_secret(self, client_id: str | None = None, expired: bool = True) -> None:
        """The app's client secret expires (not rotated in 180 days): token calls get 401."""
        with self._lock:
            ids = [client_id] if client_id else [a.client_id for a in self._apps.values()]
            for cid in ids:
                if expired:
                    self._expired_secrets.add(cid)
                else:
                    self._expired_secrets.discard(cid)

    # --- usage plan (rate limits) ------------------------------------------------------------

    def set_rate_limits(
        self,
        rate: float | None = None,
        burst: int | None = None,
        *,
        global_rate: float | None = None,
        global_burst: int | None = None,
    ) -> None:
        """Change the Sellers API usage plan (per seller-and-app pair, optionally also per app).
        Every bucket starts full again."""
        plan = self.usage_plan
        plan.configure(rate or plan.rate, burst or plan.burst, global_rate, global_burst)

    def relax_rate_limits(self) -> None:
        """A usage plan no test or demo will reach (1000 requests a second)."""
        self.set_rate_limits(1000.0, 1000)
