"""The simulator's records: seller accounts, apps, the request log, and Amazon's lifetimes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.marketplaces import Region
from core.domain.secret import Secret

#: ``spapi_oauth_code`` lives five minutes (spapi-facts §4.3).
CODE_LIFETIME_S = 300.0
#: Access tokens live one hour (§4.2).
ACCESS_TOKEN_LIFETIME_S = 3600
#: getMarketplaceParticipations' default usage plan (§6.1).
DEFAULT_RATE = 0.016
DEFAULT_BURST = 15

#: An account is one seller in one region: authorizations are regional (§1.3).
AccountKey = tuple[str, Region]


@dataclass(frozen=True, slots=True)
class SimSeller:
    """A seller account the simulated person can pick in the consent page's account switcher.

    One account per seller and region: authorizations are regional (§1.3).
    """

    seller_id: str
    store_name: str
    region: Region
    marketplace_ids: Sequence[str]
    suspended_marketplace_ids: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "marketplace_ids", tuple(self.marketplace_ids))

    @property
    def key(self) -> AccountKey:
        return (self.seller_id, self.region)

    @property
    def form_value(self) -> str:
        """How the consent form names this account: ``<seller id>:<region>``."""
        return f"{self.seller_id}:{self.region.value}"


@dataclass(frozen=True, slots=True)
class SimApp:
    """An SP-API application as registered in the (simulated) Developer Central.

    ``loopback_redirects`` is a simulator-only convenience: it accepts any
    ``http://127.0.0.1:<port>/...`` redirect URI (the app's one-shot listener), which Amazon
    never does (it accepts only registered HTTPS URIs, spapi-facts §2.1). ``sellers_role`` off
    simulates an app without a role that allows the Sellers API (a 403 that is not a token
    problem).
    """

    application_id: str
    client_id: str
    client_secret: Secret
    redirect_uris: Sequence[str]
    draft: bool = False
    hybrid: bool = False
    name: str = "SP Connect"
    loopback_redirects: bool = False
    sellers_role: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "redirect_uris", tuple(self.redirect_uris))


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request the simulator saw: never a query string, body or header value."""

    method: str
    path: str
    status: int | None  # None: the connection was dropped without an answer
