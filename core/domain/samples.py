"""Sample inventories: the demo (``main.py --demo``, training, tests) and large ones for benchmarks.

:func:`demo_inventory` is a small, hand-written inventory of believable companies that shows
every badge and every case of the reauthorization plan. :func:`generate_inventory` makes a large
synthetic one. Both return the fake secret values to put in a (memory) secret store. Values come
from a seeded random generator, so they are the same on every run; the demo's ids are random
(uuid4), the synthetic inventory's come from its seed too.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.domain import marketplaces
from core.domain.inventory import (
    GRANT_LIFETIME,
    AppCredentials,
    AppStatus,
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Company,
    Health,
    Inventory,
    new_id,
)
from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.domain.secret_refs import (
    new_client_secret_ref,
    new_mws_auth_token_ref,
    new_refresh_token_ref,
)

REDIRECT_URI = "https://connect.example.com/spapi/return"
_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)


@dataclass
class _Builder:
    """Collects records and their fake secrets while a sample inventory is put together."""

    now: datetime
    namespace: str
    rng: random.Random
    new_id: Callable[[], str] = new_id
    inventory: Inventory = field(default_factory=Inventory)
    secrets: dict[str, Secret] = field(default_factory=dict)

    def app(self, issued_days_ago: int) -> None:
        ref = new_client_secret_ref(self.namespace)
        self.secrets[ref] = Secret("amzn1.oa2-cs.v1." + self.rng.randbytes(32).hex())
        self.inventory.app = AppCredentials(
            application_id=f"amzn1.sp.solution.{_uuid(self.rng)}",
            lwa_client_id="amzn1.application-oa2-client." + self.rng.randbytes(16).hex(),
            client_secret_ref=ref,
            redirect_uri=REDIRECT_URI,
            secret_issued_at=self.now - issued_days_ago * _DAY,
        )

    def company(self, name: str, parent: Company | None = None, notes: str = "") -> Company:
        company = Company(self.new_id(), name, parent.id if parent else None, notes)
        self.inventory.companies[company.id] = company
        return company

    def authorization(
        self,
        seller_id: str,
        region: Region,
        expires_in_days: float,
        codes: tuple[str, ...] = (),
        store_name: str = "",
    ) -> Authorization:
        auth_id = self.new_id()
        ref = new_refresh_token_ref(self.namespace, auth_id)
        self.secrets[ref] = Secret(_refresh_token(self.rng))
        granted = self.now + expires_in_days * _DAY - GRANT_LIFETIME
        auth = Authorization.new(
            seller_id,
            region,
            AuthSource.DEMO,
            ref,
            granted_at=granted,
            marketplace_ids=frozenset(marketplaces.by_country(c).id for c in codes),
            store_name=store_name,
            auth_id=auth_id,
        )
        self.inventory.authorizations[auth.id] = auth
        return auth

    def channel(
        self,
        company: Company,
        code: str,
        seller_id: str | None,
        auth: Authorization | None = None,
        *,
        mws: bool = False,
        app_status: AppStatus = AppStatus.UNKNOWN,
        health: Health | None = None,
    ) -> Channel:
        market = marketplaces.by_country(code)
        channel_id = self.new_id()
        mws_ref = None
        if mws:
            mws_ref = new_mws_auth_token_ref(self.namespace, channel_id)
            self.secrets[mws_ref] = Secret(f"amzn.mws.{_uuid(self.rng)}")
        channel = Channel(
            id=channel_id,
            company_id=company.id,
            marketplace_id=market.id,
            name=f"{company.name} {market.code}",
            seller_id=seller_id,
            authorization_id=auth.id if auth else None,
            mws_merchant_token=seller_id if mws else None,
            mws_auth_token_ref=mws_ref,
            app_status=app_status,
            health=health if health is not None else self.ok(),
        )
        self.inventory.channels[channel.id] = channel
        return channel

    def ok(self, hours_ago: float = 3) -> Health:
        return Health(self.now - hours_ago * _HOUR, CheckResult.OK)

    def failing(self, result: CheckResult, since_hours: float, message: str) -> Health:
        return Health(self.now - _HOUR / 2, result, self.now - since_hours * _HOUR, message)


def demo_inventory(now: datetime, namespace: str) -> tuple[Inventory, dict[str, Secret]]:
    """The sample inventory for demo mode, training and tests.

    Args:
        now: The time the demo should look right at: expiries are counted from it.
        namespace: The secret store namespace of the demo inventory.

    Returns:
        The inventory and the fake secret value of every keychain entry it refers to.
    """
    b = _Builder(now, namespace, random.Random(20240917))  # noqa: S311 - fake data, not secrets
    ok, active, disabled = b.ok, AppStatus.ACTIVE, AppStatus.DISABLED
    # The app's client secret is due for renewal in 27 days, so its warning shows.
    b.app(issued_days_ago=153)

    # Outdoor gear: one unified EU account for five marketplaces, ending in 12 days.
    alpine = b.company("Alpine Trail Outfitters")
    eu_codes = ("UK", "DE", "FR", "IT", "ES")
    alpine_eu = b.authorization("A1ALPINETRAIL7Q", Region.EU, 11.5, eu_codes, "Alpine Trail EU")
    for code in eu_codes:
        b.channel(alpine, code, "A1ALPINETRAIL7Q", alpine_eu, app_status=active)
    alpine_na = b.authorization("A2ALPINEUSA9KX", Region.NA, 210, ("US",), "Alpine Trail")
    b.channel(alpine, "US", "A2ALPINEUSA9KX", alpine_na, app_status=active)

    # Kitchenware: legacy MWS in the US and Mexico, hybrid MWS/SP-API in Canada (another account).
    copper = b.company("Copper Pot Kitchenware", notes="Still on the old MWS connection.")
    b.channel(copper, "US", "A3COPPERPOT5NW", mws=True)
    b.channel(copper, "MX", "A3COPPERPOT5NW", mws=True)
    copper_ca = b.authorization("A1COPPERPOTCA3M", Region.NA, 325, ("CA",), "Copper Pot Canada")
    b.channel(copper, "CA", "A1COPPERPOTCA3M", copper_ca, mws=True, app_status=active)

    # Toys: Japan and Australia are separate Amazon accounts (two sellers, two consents).
    acorn = b.company("Little Acorn Toys")
    acorn_jp = b.authorization("A2LITTLEACORNJP", Region.FE, -9, ("JP",), "Little Acorn Japan")
    b.channel(acorn, "JP", "A2LITTLEACORNJP", acorn_jp, app_status=active)
    acorn_au = b.authorization("A3ACORNTOYSAU8", Region.FE, 165, ("AU",), "Little Acorn AU")
    refused = b.failing(
        CheckResult.NEEDS_REAUTHORIZATION, 50, "The connection was removed or disabled"
    )
    b.channel(acorn, "AU", "A3ACORNTOYSAU8", acorn_au, app_status=disabled, health=refused)

    # Home and garden: a parent with two unified children, all on the parent's expired grant.
    northwind = b.company("Northwind Home & Garden")
    outdoor = b.company("Northwind Outdoor Living", northwind, "Unified with Northwind.")
    pets = b.company("Northwind Pet Supplies", northwind, "Unified with Northwind.")
    nw_eu = b.authorization(
        "A1NORTHWINDHG4Z", Region.EU, -20, ("UK", "DE", "FR", "IT"), "Northwind Home"
    )
    b.channel(northwind, "UK", "A1NORTHWINDHG4Z", nw_eu, app_status=active)
    b.channel(northwind, "DE", "A1NORTHWINDHG4Z", nw_eu, app_status=active)
    b.channel(outdoor, "FR", "A1NORTHWINDHG4Z", nw_eu, app_status=active)
    b.channel(pets, "IT", None, nw_eu)  # no Seller ID of its own: the parent's grant covers it
    b.channel(pets, "ES", None)  # new, not connected yet: folds into the parent's consent

    # Cosmetics: the US grant came from another account (the wrong one was selected).
    bright = b.company("Brightside Beauty")
    wrong = b.authorization("A1SUNNYDAYBEAU7", Region.NA, 300, ("US",), "Sunny Day Beauty")
    b.channel(bright, "US", "A2BRIGHTSIDE6HB", wrong, app_status=active)
    bright_eu = b.authorization("A2BRIGHTSIDE6HB", Region.EU, 290, ("UK",), "Brightside Beauty")
    b.channel(bright, "UK", "A2BRIGHTSIDE6HB", bright_eu, mws=True, app_status=active)

    # Bike parts: a healthy North America account; one check failed, one hit the app's secret.
    summit = b.company("Summit Cycle Parts")
    summit_na = b.authorization("A1SUMMITCYCLE8R", Region.NA, 335, ("US", "CA", "MX"), "Summit")
    timeout = b.failing(CheckResult.FAILED, 3, "Amazon did not answer in time")
    b.channel(summit, "US", "A1SUMMITCYCLE8R", summit_na, app_status=active, health=timeout)
    b.channel(summit, "CA", "A1SUMMITCYCLE8R", summit_na, app_status=active, health=ok(26))
    refused_app = b.failing(CheckResult.APP_CREDENTIALS, 2, "Client authentication failed")
    b.channel(summit, "MX", "A1SUMMITCYCLE8R", summit_na, health=refused_app)

    # Stationery: a new UK channel nobody has looked up the Seller ID for yet.
    maple = b.company("Maple & Moss Stationery")
    maple_eu = b.authorization("A2MAPLEMOSS5DE", Region.EU, 180, ("DE",), "Maple & Moss")
    b.channel(maple, "DE", "A2MAPLEMOSS5DE", maple_eu, app_status=active)
    b.channel(maple, "UK", None, health=Health())

    # Food: legacy MWS in Germany and a Swedish channel never connected; the same seller.
    hive = b.company("Golden Hive Honey Co.")
    b.channel(hive, "DE", "A3GOLDENHIVE7DE", mws=True, app_status=disabled)
    b.channel(hive, "SE", "A3GOLDENHIVE7DE", health=Health())
    return b.inventory, b.secrets


# --- large synthetic inventories ---------------------------------------------------------------

_COMMON = tuple(
    marketplaces.by_country(c).id
    for c in ("US", "CA", "MX", "BR", "UK", "DE", "FR", "IT", "ES", "NL", "SE", "PL", "JP", "AU")
)
_ADJECTIVES = ("Blue", "Bright", "Cedar", "Copper", "Golden", "Harbor", "Maple", "North", "Red")
_NOUNS = ("Fox", "Hill", "Leaf", "Oak", "River", "Stone", "Trail", "Wave", "Willow")
_TRADES = ("Outfitters", "Kitchenware", "Toys", "Home", "Beauty", "Pets", "Tools", "Books")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_STATUSES = (AppStatus.ACTIVE, AppStatus.ACTIVE, AppStatus.UNKNOWN, AppStatus.DISABLED)

# (upper bound of a random draw, scenario): about 20% MWS only, 10% expiring, 5% expired...
_SCENARIOS = (
    (0.20, "mws"),
    (0.30, "expiring"),
    (0.35, "expired"),
    (0.38, "needs_reauthorization"),
    (0.40, "wrong_account"),
    (0.44, "check_failed"),
    (0.45, "app_credentials"),
    (0.50, "not_connected"),
    (0.60, "hybrid"),
    (1.00, "healthy"),
)


def generate_inventory(
    n_channels: int, now: datetime, namespace: str, seed: int = 0
) -> tuple[Inventory, dict[str, Secret]]:
    """A large synthetic inventory for benchmarks: about five channels per company.

    Each company-and-region gets one scenario (MWS only, expiring, expired, ...), one Seller ID
    and, when connected, one authorization shared by its channels. About one company in ten is
    a unified child of an earlier one and shares its parent's sellers and authorizations.

    Args:
        n_channels: Exactly how many channels to make.
        now: The time expiries are counted from.
        namespace: The secret store namespace.
        seed: Seeds every value and id, so the same seed gives the same inventory.

    Returns:
        The inventory and the fake secret value of every keychain entry it refers to.
    """
    rng = random.Random(seed)  # noqa: S311 - fake data, not secrets
    b = _Builder(now, namespace, rng, lambda: _hex_id(rng))
    b.app(issued_days_ago=rng.randrange(0, 200))
    inv = b.inventory
    # (company id, region) -> (seller, authorization or None), so children reuse the parent's.
    accounts: dict[tuple[str, Region], tuple[str, Authorization | None, str]] = {}
    roots: list[Company] = []
    made = 0
    number = 0
    while made < n_channels:
        number += 1
        name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {rng.choice(_TRADES)} {number:05d}"
        parent = rng.choice(roots) if roots and rng.random() < 0.1 else None
        company = b.company(name, parent)
        if parent is None:
            roots.append(company)
        count = min(rng.randint(3, 7), n_channels - made)
        for market_id in rng.sample(_COMMON, count):
            region = marketplaces.get(market_id).region
            key = (company.id, region)
            if key not in accounts:
                inherited = accounts.get((parent.id, region)) if parent else None
                accounts[key] = inherited or _account(b, region)
            seller, auth, scenario = accounts[key]
            _synthetic_channel(b, company, market_id, seller, auth, scenario)
        made += count
    return inv, b.secrets


def _account(b: _Builder, region: Region) -> tuple[str, Authorization | None, str]:
    draw = b.rng.random()
    scenario = next(name for bound, name in _SCENARIOS if draw < bound)
    seller = "A" + "".join(b.rng.choices(_ALNUM, k=13))
    if scenario in ("mws", "not_connected"):
        return seller, None, scenario
    if scenario == "expiring":
        expires_in = b.rng.uniform(0.5, 30)
    elif scenario == "expired":
        expires_in = -b.rng.uniform(1, 60)
    else:
        expires_in = b.rng.uniform(31, 364)
    auth_seller = seller
    if scenario == "wrong_account":
        auth_seller = "A" + "".join(b.rng.choices(_ALNUM, k=13))
    return seller, _bare_authorization(b, auth_seller, region, expires_in), scenario


def _bare_authorization(
    b: _Builder, seller: str, region: Region, expires_in_days: float
) -> Authorization:
    # A cheaper cousin of _Builder.authorization: no marketplace list, no store name.
    auth_id = b.new_id()
    # The version comes from the seeded id, so the same seed gives the same names.
    ref = new_refresh_token_ref(b.namespace, auth_id, version=auth_id[:12])
    b.secrets[ref] = Secret(_refresh_token(b.rng))
    granted = b.now + expires_in_days * _DAY - GRANT_LIFETIME
    auth = Authorization.new(seller, region, AuthSource.DEMO, ref, granted, auth_id=auth_id)
    b.inventory.authorizations[auth_id] = auth
    return auth


def _synthetic_channel(
    b: _Builder,
    company: Company,
    market_id: str,
    seller: str,
    auth: Authorization | None,
    scenario: str,
) -> None:
    rng = b.rng
    health = b.ok(rng.uniform(0, 48))
    if scenario == "needs_reauthorization":
        health = b.failing(CheckResult.NEEDS_REAUTHORIZATION, rng.uniform(1, 96), "invalid_grant")
    elif scenario == "check_failed":
        health = b.failing(CheckResult.FAILED, rng.uniform(0.1, 60), "Amazon did not answer")
    elif scenario == "app_credentials":
        health = b.failing(CheckResult.APP_CREDENTIALS, rng.uniform(0.1, 12), "invalid_client")
    # One not-connected channel in four has no Seller ID on record yet.
    no_seller = scenario == "not_connected" and rng.random() < 0.25
    mws = scenario in ("mws", "hybrid")
    channel_id = b.new_id()
    mws_ref = None
    if mws:
        mws_ref = new_mws_auth_token_ref(b.namespace, channel_id, version=channel_id[:12])
        b.secrets[mws_ref] = Secret(f"amzn.mws.{_uuid(rng)}")
    b.inventory.channels[channel_id] = Channel(
        id=channel_id,
        company_id=company.id,
        marketplace_id=market_id,
        name=f"{company.name} {marketplaces.get(market_id).code}",
        seller_id=None if no_seller else seller,
        authorization_id=auth.id if auth else None,
        mws_merchant_token=seller if mws else None,
        mws_auth_token_ref=mws_ref,
        app_status=rng.choice(_STATUSES),
        health=health,
    )


def _uuid(rng: random.Random) -> str:
    """A random version-4 UUID in lower-case hex, drawn from ``rng``."""
    h = _hex_id(rng)
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


def _hex_id(rng: random.Random) -> str:
    # Like new_id(), but drawn from the seeded generator: uuid4 would cost a third of the time.
    return f"{rng.getrandbits(128):032x}"


def _refresh_token(rng: random.Random) -> str:
    return "Atzr|" + base64.urlsafe_b64encode(rng.randbytes(96)).decode().rstrip("=")
