"""The demo inventory (``main.py --demo``, training, tests) and the builder it shares.

:func:`demo_inventory` is a small, hand-written inventory of believable companies that shows
every badge and every case of the reauthorization plan; :mod:`core.domain.synthetic` makes large
ones for benchmarks with the same :class:`Builder`. Both return the fake secret values to put in
a (memory) secret store. Values come from a seeded random generator, so they are the same on
every run; the demo's ids are random (uuid4).
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from core.domain import dates, marketplaces, recovery
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
    Recovery,
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
class Builder:
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
            application_id=f"amzn1.sp.solution.{fake_uuid(self.rng)}",
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
        previous: Authorization | None = None,
    ) -> Authorization:
        auth_id = self.new_id()
        ref = new_refresh_token_ref(self.namespace, auth_id)
        self.secrets[ref] = Secret(fake_refresh_token(self.rng))
        granted = self.now + expires_in_days * _DAY - GRANT_LIFETIME
        auth = Authorization.new(
            seller_id,
            region,
            AuthSource.DEMO,
            ref,
            granted_at=granted,
            marketplace_ids=frozenset(marketplaces.by_country(c).id for c in codes),
            store_name=store_name,
            previous_id=previous.id if previous else None,
            auth_id=auth_id,
        )
        self.inventory.authorizations[auth.id] = auth
        return auth

    def confirm(self, auth: Authorization, in_days: int) -> Authorization:
        """Record the end date Seller Central shows: ``in_days`` local days from now."""
        day = dates.local_day(self.now) + in_days * _DAY
        confirmed = replace(auth, expires_at=dates.start_of_local_day(day), expiry_confirmed=True)
        self.inventory.authorizations[auth.id] = confirmed
        return confirmed

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
            self.secrets[mws_ref] = Secret(f"amzn.mws.{fake_uuid(self.rng)}")
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
            # Someone looked at Manage Your Apps a few days ago.
            app_status_checked_at=None if app_status is AppStatus.UNKNOWN else self.now - 4 * _DAY,
        )
        self.inventory.channels[channel.id] = channel
        return channel

    def ok(self, hours_ago: float = 3) -> Health:
        return Health().after(CheckResult.OK, self.now - hours_ago * _HOUR)

    def failing(self, result: CheckResult, since_hours: float, message: str) -> Health:
        since = self.now - since_hours * _HOUR
        # The last check that worked came some hours before the first failure.
        return Health(self.now - _HOUR / 2, result, since, message, since - 4 * _HOUR)


def demo_inventory(now: datetime, namespace: str) -> tuple[Inventory, dict[str, Secret]]:
    """The sample inventory for demo mode, training and tests.

    Args:
        now: The time the demo should look right at: expiries are counted from it.
        namespace: The secret store namespace of the demo inventory.

    Returns:
        The inventory and the fake secret value of every keychain entry it refers to.
    """
    b = Builder(now, namespace, random.Random(20240917))  # noqa: S311 - fake data, not secrets
    ok, active, disabled = b.ok, AppStatus.ACTIVE, AppStatus.DISABLED
    # The app's client secret is due for renewal in 27 days, so its warning shows.
    b.app(issued_days_ago=153)

    # Outdoor gear: one unified EU account for five marketplaces, ending in about 20 days.
    alpine = b.company("Alpine Trail Outfitters")
    eu_codes = ("UK", "DE", "FR", "IT", "ES")
    alpine_eu = b.authorization("A1ALPINETRAIL7Q", Region.EU, 19.5, eu_codes, "Alpine Trail EU")
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

    # Cosmetics: last week's US reauthorization picked another account (the wrong one was
    # selected); the grant it replaced is kept, so Roll back puts it back.
    bright = b.company("Brightside Beauty")
    right = b.authorization("A2BRIGHTSIDE6HB", Region.NA, 240, ("US",), "Brightside Beauty")
    wrong = b.authorization(
        "A1SUNNYDAYBEAU7", Region.NA, 358, ("US",), "Sunny Day Beauty", previous=right
    )
    b.channel(bright, "US", "A2BRIGHTSIDE6HB", wrong, app_status=active)
    bright_eu = b.authorization("A2BRIGHTSIDE6HB", Region.EU, 290, ("UK",), "Brightside Beauty")
    b.channel(bright, "UK", "A2BRIGHTSIDE6HB", bright_eu, mws=True, app_status=active)

    # Bike parts: a healthy North America account; one check failed, one hit the app's secret.
    summit = b.company("Summit Cycle Parts")
    summit_na = b.authorization("A1SUMMITCYCLE8R", Region.NA, 335, ("US", "CA", "MX"), "Summit")
    timeout = b.failing(CheckResult.FAILED, 3, "Amazon did not answer in time")
    b.channel(summit, "US", "A1SUMMITCYCLE8R", summit_na, app_status=active, health=timeout)
    # Reconnected two days ago after three days of failure: its checklist is half done.
    gap = Recovery(b.now - 120 * _HOUR, b.now - 48 * _HOUR, frozenset({recovery.APP_ACTIVE}))
    reconnected = replace(ok(26), recovery=gap)
    b.channel(summit, "CA", "A1SUMMITCYCLE8R", summit_na, app_status=active, health=reconnected)
    refused_app = b.failing(CheckResult.APP_CREDENTIALS, 2, "Client authentication failed")
    b.channel(summit, "MX", "A1SUMMITCYCLE8R", summit_na, health=refused_app)

    # Stationery: Seller Central shows the German grant ending in 5 days, far earlier than 365
    # days from the grant: the confirmed date wins, and it is urgent. A new UK channel nobody
    # has looked up the Seller ID for yet.
    maple = b.company("Maple & Moss Stationery")
    maple_eu = b.authorization("A2MAPLEMOSS5DE", Region.EU, 180, ("DE",), "Maple & Moss")
    maple_eu = b.confirm(maple_eu, 5)
    b.channel(maple, "DE", "A2MAPLEMOSS5DE", maple_eu, app_status=active)
    b.channel(maple, "UK", None, health=Health())

    # Food: legacy MWS in Germany and a Swedish channel never connected; the same seller.
    hive = b.company("Golden Hive Honey Co.")
    b.channel(hive, "DE", "A3GOLDENHIVE7DE", mws=True, app_status=disabled)
    b.channel(hive, "SE", "A3GOLDENHIVE7DE", health=Health())
    return b.inventory, b.secrets


def fake_uuid(rng: random.Random) -> str:
    """A random version-4 UUID in lower-case hex, drawn from ``rng``."""
    h = fake_hex_id(rng)
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


def fake_hex_id(rng: random.Random) -> str:
    # Like new_id(), but drawn from the seeded generator: uuid4 would cost a third of the time.
    return f"{rng.getrandbits(128):032x}"


def fake_refresh_token(rng: random.Random) -> str:
    """A made-up value shaped like an LWA refresh token."""
    return "Atzr|" + base64.urlsafe_b64encode(rng.randbytes(96)).decode().rstrip("=")
