"""The simulator's records: seller accounts, apps, the request log, and Amazon's lifetimes.

Amazon's numbers come from its archived SP-API developer guide ("the developer guide" below),
https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md
and from the Sellers API model,
https://github.com/amzn/selling-partner-api-models/blob/main/models/sellers-api-model/sellers.json
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.marketplaces import Region
from core.domain.secret import Secret

#: ``spapi_oauth_code`` lives five minutes (the developer guide, "Website authorization
#: workflow", Step 4; see the module docstring).
CODE_LIFETIME_S = 300.0
#: Access tokens live one hour (the developer guide, "Connecting to the Selling Partner API",
#: Step 1).
ACCESS_TOKEN_LIFETIME_S = 3600
#: getMarketplaceParticipations' default usage plan (the Sellers API model).
DEFAULT_RATE = 0.016
DEFAULT_BURST = 15

#: An account is one seller in one region: "Authorizations are regional" (the developer guide,
#: "Constructing an OAuth authorization URI").
AccountKey = tuple[str, Region]


@dataclass(frozen=True, slots=True)
class SimSeller:
    """A seller account the simulated person can pick in the consent page's account switcher.

    One account per seller and region: authorizations are regional (see :data:`AccountKey`).
    """

    seller_id: str
    store_name: str
    region: Region
    marketplace_ids: Sequence[str]
    suspended_marketplace_ids: frozenset[str] = frozenset()
    #: Listed by getMarketplaceParticipations with ``isParticipating: false``.
    not_participating_ids: frozenset[str] = frozenset()

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
    never does: it accepts only registered HTTPS URIs, as an Amazon engineer confirmed in
    https://github.com/amzn/selling-partner-api-docs/issues/26. ``sellers_role`` off simulates
    an app without a role that allows the Sellers API (a 403 that is not a token problem).
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
