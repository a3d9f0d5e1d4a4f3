"""Large synthetic inventories for benchmarks and scale tests.

Values and ids come from the seed, so the same seed gives the same inventory on every run.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from core.domain import marketplaces
from core.domain.inventory import (
    GRANT_LIFETIME,
    AppStatus,
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Company,
    Inventory,
)
from core.domain.marketplaces import Region
from core.domain.samples import Builder, fake_hex_id, fake_refresh_token, fake_uuid
from core.domain.secret import Secret
from core.domain.secret_refs import new_mws_auth_token_ref, new_refresh_token_ref

_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)


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
    b = Builder(now, namespace, rng, lambda: fake_hex_id(rng))
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


def _account(b: Builder, region: Region) -> tuple[str, Authorization | None, str]:
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
    b: Builder, seller: str, region: Region, expires_in_days: float
) -> Authorization:
    # A cheaper cousin of Builder.authorization: no marketplace list, no store name.
    auth_id = b.new_id()
    # The version comes from the seeded id, so the same seed gives the same names.
    ref = new_refresh_token_ref(b.namespace, auth_id, version=auth_id[:12])
    b.secrets[ref] = Secret(fake_refresh_token(b.rng))
    granted = b.now + expires_in_days * _DAY - GRANT_LIFETIME
    auth = Authorization.new(seller, region, AuthSource.DEMO, ref, granted, auth_id=auth_id)
    b.inventory.authorizations[auth_id] = auth
    return auth


def _synthetic_channel(
    b: Builder,
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
        b.secrets[mws_ref] = Secret(f"amzn.mws.{fake_uuid(rng)}")
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
