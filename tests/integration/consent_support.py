"""Shared set-up of the consent integration tests: a simulator, an app, an EU seller's inventory."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from core.amazon.consent import ConsentTarget
from core.amazon.lwa import LwaClient
from core.amazon.sellers import SellersClient
from core.domain import changes as ch
from core.domain.inventory import (
    AppCredentials,
    Authorization,
    AuthSource,
    Channel,
    Company,
    Inventory,
)
from core.domain.marketplaces import EndpointProfile, Region, by_country
from core.domain.secret import Secret
from core.domain.secret_refs import new_client_secret_ref, new_refresh_token_ref
from core.services.workspace import Workspace
from core.simulator import SimApp, SimSeller, Simulator
from core.storage.keychain import SecretStore

APPLICATION_ID = "amzn1.sp.solution.7e1f6c2a-0d4b-4a55-9e7c-1c0ffee00001"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
CLIENT_SECRET = "amzn1.oa2-cs.v1.integration-test-secret"
VENDOR_REDIRECT = "https://connect.example.com/spapi/return"

SELLER = "A1EUROPESELLER7"
OTHER = "A2SOMEONEELSE99"
EU_CODES = ("UK", "DE", "FR", "IT", "ES")


class SimClock:
    """The simulator's clock: real time plus an offset a test moves forward (no sleeping)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Amazon:
    sim: Simulator
    clock: SimClock
    app: SimApp

    def lwa(self, secret: str = CLIENT_SECRET) -> LwaClient:
        return LwaClient(self.sim.endpoints, CLIENT_ID, Secret(secret), attempts=1)

    def sellers(self) -> SellersClient:
        return SellersClient(self.sim.endpoints, attempts=1)


def start_amazon(*redirect_uris: str, hybrid: bool = False) -> Amazon:
    """A running simulator with the test app, the EU seller and another EU account."""
    clock = SimClock()
    sim = Simulator(clock=clock)
    app = sim.register_app(
        SimApp(
            application_id=APPLICATION_ID,
            client_id=CLIENT_ID,
            client_secret=Secret(CLIENT_SECRET),
            redirect_uris=redirect_uris or (VENDOR_REDIRECT,),
            hybrid=hybrid,
            loopback_redirects=True,
        )
    )
    sim.add_seller(
        SimSeller(SELLER, "Acme Europe", Region.EU, [by_country(c).id for c in EU_CODES])
    )
    sim.add_seller(SimSeller(OTHER, "Someone Else", Region.EU, [by_country("UK").id]))
    sim.relax_rate_limits()
    sim.select_account(SELLER, Region.EU)
    sim.auto_confirm = True
    sim.start()
    return Amazon(sim, clock, app)


def app_credentials(redirect_uri: str = VENDOR_REDIRECT) -> AppCredentials:
    return AppCredentials(
        application_id=APPLICATION_ID, lwa_client_id=CLIENT_ID, redirect_uri=redirect_uri
    )


def simulator_app(amazon: Amazon, redirect_uri: str = VENDOR_REDIRECT) -> AppCredentials:
    """The test app's credentials, pointed at the running simulator (as the demo's are)."""
    return replace(
        app_credentials(redirect_uri),
        endpoint_profile=EndpointProfile.SIMULATOR,
        endpoint_url=amazon.sim.base_url,
    )


def simulator_workspace(folder: Path, amazon: Amazon, secrets: SecretStore) -> Workspace:
    """A saved workspace in ``folder``: Acme's five EU channels, the app pointed at ``amazon``
    with its client secret in ``secrets``. A test then sees exactly what it leaves pending."""
    workspace = eu_workspace(Workspace.open(folder, secrets))
    ref = new_client_secret_ref(workspace.namespace)
    workspace.apply(
        ch.set_app_credentials(simulator_app(amazon), Secret(CLIENT_SECRET), new_ref=ref)
    )
    workspace.save()
    return workspace


def remember_store(workspace: Workspace, store_name: str = "Acme Europe") -> None:
    """Save an earlier grant of SELLER in Europe for the five channels, with the store name
    Amazon reported then: what SP Connect compares a new consent's answer with."""
    auth = Authorization.new(
        SELLER,
        Region.EU,
        AuthSource.CONSENT,
        None,
        granted_at=datetime(2026, 1, 5, tzinfo=UTC),
        marketplace_ids=frozenset(by_country(c).id for c in EU_CODES),
        store_name=store_name,
    )
    auth = replace(auth, refresh_token_ref=new_refresh_token_ref(workspace.namespace, auth.id))
    ids = [c.lower() for c in EU_CODES]
    workspace.apply(ch.set_authorization(auth, Secret("Atzr|an-earlier-grant"), ids))
    workspace.save()


def eu_changes() -> list[ch.Change]:
    """Acme with one channel in each of five EU marketplaces, all Seller ``SELLER``."""
    changes = [ch.add_company(Company("acme", "Acme"))]
    changes += [
        ch.add_channel(Channel(code.lower(), "acme", by_country(code).id, f"Acme {code}", SELLER))
        for code in EU_CODES
    ]
    return changes


def eu_workspace(workspace: Workspace) -> Workspace:
    for change in eu_changes():
        workspace.apply(change)
    return workspace


def eu_inventory() -> Inventory:
    inv = Inventory()
    for change in eu_changes():
        change.apply(inv)
    return inv


def uk_target(seller: str | None = SELLER) -> ConsentTarget:
    return ConsentTarget(("uk",), Region.EU, by_country("UK").id, seller, "Acme UK")
