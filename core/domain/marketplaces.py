"""Amazon reference data: marketplaces, regions and endpoints, in one place.

Sources:

* the regional SP-API hosts: https://developer-docs.amazon.com/sp-api/docs/sp-api-endpoints; the
  sandbox hosts: "Selling Partner API sandbox endpoints" in Amazon's archived SP-API developer
  guide ("the developer guide"),
  https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md
* the marketplace ids and codes: https://developer-docs.amazon.com/sp-api/docs/marketplace-ids;
* the Seller Central sites: "Seller Central URLs" in the developer guide. The sites for IE, BE,
  ZA, EG and SA are not in that table and come from third-party lists only, so they are flagged
  ``site_verified=False`` (they are still to be checked against
  https://developer-docs.amazon.com/sp-api/docs/seller-central-urls).

UNVERIFIED and therefore configurable through :class:`Endpoints`:

* the LWA token host: Amazon's SP-API documentation uses ``api.amazon.com`` for every region;
  other Amazon LWA products document ``api.amazon.co.uk`` / ``api.amazon.co.jp``. Whether SP-API
  refresh tokens from EU or FE must use those is unverified, so the token URL can be overridden
  per region;
* the United Kingdom's country code: Amazon's marketplace page says ``UK``, the developer guide
  and ISO 3166 say ``GB``. :func:`by_country` accepts both.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from urllib.parse import urlsplit


class Region(StrEnum):
    """An SP-API region. Authorizations are regional: one grant per seller per region."""

    NA = "NA"
    EU = "EU"
    FE = "FE"

    @property
    def display_name(self) -> str:
        return _REGION_TITLES[self]


_REGION_TITLES = {
    Region.NA: "North America",
    Region.EU: "Europe",
    Region.FE: "Far East",
}


@dataclass(frozen=True, slots=True)
class Marketplace:
    """One Amazon marketplace and the Seller Central site where its sellers sign in."""

    id: str
    country: str
    code: str  # Amazon's code as listed on the marketplace-ids page ("UK" for the United Kingdom)
    region: Region
    seller_central: str
    site_verified: bool = True

    @property
    def label(self) -> str:
        """For example ``United States (US)``."""
        return f"{self.country} ({self.code})"


def _m(
    region: Region, country: str, code: str, mid: str, site: str, verified: bool = True
) -> Marketplace:
    return Marketplace(mid, country, code, region, site, verified)


_NA, _EU, _FE = Region.NA, Region.EU, Region.FE
_SC_EU = "https://sellercentral-europe.amazon.com"

MARKETPLACES: tuple[Marketplace, ...] = (
    _m(_NA, "Canada", "CA", "A2EUQ1WTGCTBG2", "https://sellercentral.amazon.ca"),
    _m(_NA, "United States", "US", "ATVPDKIKX0DER", "https://sellercentral.amazon.com"),
    _m(_NA, "Mexico", "MX", "A1AM78C64UM0Y8", "https://sellercentral.amazon.com.mx"),
    _m(_NA, "Brazil", "BR", "A2Q3Y263D00KWC", "https://sellercentral.amazon.com.br"),
    _m(_EU, "Ireland", "IE", "A28R8C7NBKEWEA", "https://sellercentral.amazon.ie", False),
    _m(_EU, "Spain", "ES", "A1RKKUPIHCS9HS", _SC_EU),
    _m(_EU, "United Kingdom", "UK", "A1F83G8C2ARO7P", _SC_EU),
    _m(_EU, "France", "FR", "A13V1IB3VIYZZH", _SC_EU),
    _m(_EU, "Belgium", "BE", "AMEN7PMS3EDWL", "https://sellercentral.amazon.com.be", False),
    _m(_EU, "Netherlands", "NL", "A1805IZSGTT6HS", "https://sellercentral.amazon.nl"),
    _m(_EU, "Germany", "DE", "A1PA6795UKMFR9", _SC_EU),
    _m(_EU, "Italy", "IT", "APJ6JRA9NG5V4", _SC_EU),
    _m(_EU, "Sweden", "SE", "A2NODRKZP88ZB9", "https://sellercentral.amazon.se"),
    _m(_EU, "South Africa", "ZA", "AE08WJ6YKNBMC", "https://sellercentral.amazon.co.za", False),
    _m(_EU, "Poland", "PL", "A1C3SOZRARQ6R3", "https://sellercentral.amazon.pl"),
    _m(_EU, "Egypt", "EG", "ARBP9OOSHTCHU", "https://sellercentral.amazon.eg", False),
    _m(_EU, "Turkey", "TR", "A33AVAJ2PDY3EV", "https://sellercentral.amazon.com.tr"),
    _m(_EU, "Saudi Arabia", "SA", "A17E79C6D8DWNP", "https://sellercentral.amazon.sa", False),
    _m(_EU, "United Arab Emirates", "AE", "A2VIGQ35RCS4UG", "https://sellercentral.amazon.ae"),
    _m(_EU, "India", "IN", "A21TJRUUN4KGV", "https://sellercentral.amazon.in"),
    _m(_FE, "Singapore", "SG", "A19VAU5U5O7RUS", "https://sellercentral.amazon.sg"),
    _m(_FE, "Australia", "AU", "A39IBJ37TRP1C6", "https://sellercentral.amazon.com.au"),
    _m(_FE, "Japan", "JP", "A1VC38T7YXB528", "https://sellercentral.amazon.co.jp"),
)

BY_ID: Mapping[str, Marketplace] = MappingProxyType({m.id: m for m in MARKETPLACES})
_CODE_ALIASES = {"GB": "UK"}
_BY_CODE: Mapping[str, Marketplace] = MappingProxyType({m.code: m for m in MARKETPLACES})


def get(marketplace_id: str) -> Marketplace:
    """The marketplace with this id; ``KeyError`` if Amazon has none such."""
    return BY_ID[marketplace_id]


def by_country(code: str) -> Marketplace:
    """The marketplace for a country code; accepts ``UK`` and ``GB`` for the United Kingdom."""
    key = code.strip().upper()
    return _BY_CODE[_CODE_ALIASES.get(key, key)]


def find(text: str) -> Marketplace | None:
    """A marketplace from an id, a country code or a country name, or ``None``."""
    key = text.strip()
    if key in BY_ID:
        return BY_ID[key]
    try:
        return by_country(key)
    except KeyError:
        pass
    lowered = key.casefold()
    return next((m for m in MARKETPLACES if m.country.casefold() == lowered), None)


def in_region(region: Region) -> tuple[Marketplace, ...]:
    return tuple(m for m in MARKETPLACES if m.region is region)


# --- endpoints -----------------------------------------------------------------------------

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"  # noqa: S105 - a URL, not a password

SP_API_HOSTS: Mapping[Region, str] = MappingProxyType(
    {
        Region.NA: "https://sellingpartnerapi-na.amazon.com",
        Region.EU: "https://sellingpartnerapi-eu.amazon.com",
        Region.FE: "https://sellingpartnerapi-fe.amazon.com",
    }
)
SANDBOX_HOSTS: Mapping[Region, str] = MappingProxyType(
    {
        Region.NA: "https://sandbox.sellingpartnerapi-na.amazon.com",
        Region.EU: "https://sandbox.sellingpartnerapi-eu.amazon.com",
        Region.FE: "https://sandbox.sellingpartnerapi-fe.amazon.com",
    }
)


class EndpointProfile(StrEnum):
    AMAZON = "amazon"
    SANDBOX = "sandbox"
    SIMULATOR = "simulator"


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where the app talks to Amazon. The one place every URL comes from.

    ``token_urls`` overrides the LWA token URL per region (see the module docstring for why
    that is configurable); ``consent_base`` replaces every Seller Central site (the simulator
    serves one consent page for all marketplaces).
    """

    profile: EndpointProfile = EndpointProfile.AMAZON
    token_url: str = LWA_TOKEN_URL
    sp_api: Mapping[Region, str] = field(default_factory=lambda: SP_API_HOSTS)
    token_urls: Mapping[Region, str] = field(default_factory=dict)
    consent_base: str | None = None

    def __post_init__(self) -> None:
        # Secrets travel to these addresses: Amazon's profiles over HTTPS only, the simulator
        # (plain HTTP) on this computer only. See :func:`url_problem`.
        urls = [self.token_url, *self.sp_api.values(), *self.token_urls.values()]
        for url in [*urls, *([self.consent_base] if self.consent_base else [])]:
            problem = url_problem(self.profile, url)
            if problem:
                raise ValueError(problem)

    def lwa_token_url(self, region: Region) -> str:
        return self.token_urls.get(region, self.token_url)

    def seller_central(self, marketplace: Marketplace) -> str:
        return self.consent_base or marketplace.seller_central

    def sp_api_host(self, region: Region) -> str:
        return self.sp_api[region]

    @classmethod
    def amazon(cls) -> Endpoints:
        return cls()

    @classmethod
    def sandbox(cls) -> Endpoints:
        return cls(profile=EndpointProfile.SANDBOX, sp_api=SANDBOX_HOSTS)

    @classmethod
    def simulator(cls, base_url: str) -> Endpoints:
        """Every endpoint on one local simulator, for demo mode and tests."""
        base = base_url.rstrip("/")
        return cls(
            profile=EndpointProfile.SIMULATOR,
            token_url=f"{base}/auth/o2/token",
            sp_api=MappingProxyType(dict.fromkeys(Region, base)),
            consent_base=base,
        )

    def with_token_url(self, region: Region, url: str) -> Endpoints:
        return replace(self, token_urls={**self.token_urls, region: url})

    def with_sp_api(self, hosts: Mapping[Region, str]) -> Endpoints:
        """The SP-API endpoint of the given regions replaced (the others kept)."""
        return replace(self, sp_api=MappingProxyType({**self.sp_api, **hosts}))


def is_loopback_host(host: str) -> bool:
    """This computer: ``localhost``, ``127.0.0.0/8`` or ``::1`` (never a name that merely
    starts with them)."""
    name = host.strip().lower().strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def url_problem(profile: EndpointProfile, url: str) -> str:
    """Why ``url`` cannot be an endpoint of ``profile`` (``""`` when it can).

    Amazon's profiles carry the real client secret and refresh tokens: HTTPS only. The
    simulator is plain HTTP, so it runs on this computer only: a "simulator" anywhere else
    would receive secrets in the clear.
    """
    parts = urlsplit(url.strip())
    if profile is EndpointProfile.SIMULATOR:
        if parts.scheme not in ("http", "https") or not is_loopback_host(parts.hostname or ""):
            return "The simulator runs on this computer only (127.0.0.1, localhost or ::1)."
        return ""
    if parts.scheme != "https" or not parts.hostname:
        return "Amazon's endpoints are reached over https:// only."
    return ""
