"""Helpers for tests against the Amazon simulator: apps, accounts, a manual clock, a consent, an
inventory of sellers with live grants."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import requests

from core.domain.changes import replace_all
from core.domain.inventory import (
    AppCredentials,
    Authorization,
    AuthSource,
    Channel,
    Company,
    Inventory,
    utcnow,
)
from core.domain.marketplaces import EndpointProfile, Region
from core.domain.secret import Secret
from core.domain.secret_refs import new_client_secret_ref, new_refresh_token_ref
from core.services.workspace import Workspace
from core.simulator import SimApp, SimSeller, Simulator

US, CA, MX = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"
UK, DE, FR, JP = "A1F83G8C2ARO7P", "A1PA6795UKMFR9", "A13V1IB3VIYZZH", "A1VC38T7YXB528"

REDIRECT = "https://connect.example.com/spapi/return"
SECOND_REDIRECT = "https://connect.example.com/spapi/other"
CLIENT_SECRET = "amzn1.oa2-cs.v1.test-secret-0f9e8d7c6b5a"

APP = SimApp(
    application_id="amzn1.sp.solution.11111111-2222-4333-8444-555555555555",
    client_id="amzn1.application-oa2-client.0123456789abcdef0123456789abcdef",
    client_secret=Secret(CLIENT_SECRET),
    redirect_uris=[REDIRECT, SECOND_REDIRECT],
    name="Test App",
)
DRAFT_APP = SimApp(
    application_id="amzn1.sp.solution.aaaaaaaa-2222-4333-8444-555555555555",
    client_id="amzn1.application-oa2-client.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    client_secret=Secret("amzn1.oa2-cs.v1.draft-secret"),
    redirect_uris=[REDIRECT],
    draft=True,
    name="Draft App",
)
HYBRID_APP = SimApp(
    application_id="amzn1.sellerapps.app.bbbbbbbb-2222-4333-8444-555555555555",
    client_id="amzn1.application-oa2-client.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    client_secret=Secret("amzn1.oa2-cs.v1.hybrid-secret"),
    redirect_uris=[REDIRECT],
    hybrid=True,
    name="Hybrid App",
)

ACME_NA = SimSeller("A2ACMENA7QZ01", "Acme Store", Region.NA, [US, CA, MX])
ACME_EU = SimSeller("A2ACMEEU7QZ02", "Acme Europe", Region.EU, [UK, DE, FR])
OTHER_NA = SimSeller("A9OTHERNA0003", "Other Shop", Region.NA, [US])


class ManualClock:
    """A clock that moves only when told to (seconds, like ``time.time``)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Sleeps:
    """Stands in for ``time.sleep``: records each delay and (optionally) moves a clock."""

    clock: ManualClock | None = None
    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.clock is not None:
            self.clock.advance(seconds)


def consent(
    sim: Simulator,
    browser: requests.Session,
    *,
    app: SimApp = APP,
    seller: SimSeller = ACME_NA,
    state: str = "state-1",
    redirect_uri: str | None = None,
    version: str = "",
) -> dict[str, str]:
    """Opens the consent page, picks ``seller`` and confirms; returns the redirect's query."""
    params = {"version": version} if version else {}
    if redirect_uri is not None:
        params["redirect_uri"] = redirect_uri
    page = browser.get(sim.consent_url(app.application_id, state, **params))
    assert page.status_code == 200, page.text
    form = {
        "application_id": app.application_id,
        "state": state,
        "redirect_uri": redirect_uri or "",
        "version": version,
        "account": seller.form_value,
        "action": "confirm",
    }
    answer = browser.post(
        sim.base_url + "/apps/authorize/confirm", data=form, allow_redirects=False
    )
    assert answer.status_code == 302, answer.text
    return redirect_query(answer.headers["Location"])


def redirect_query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def location_base(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def load_granted_sellers(
    workspace: Workspace, sim: Simulator, count: int, *, app: SimApp = APP
) -> list[str]:
    """Load ``count`` EU sellers into an empty ``workspace`` and save: one company, one UK
    channel and one live grant (in the simulator) each, with ``app``'s credentials pointed at
    ``sim``. Returns the channel ids, in order."""
    secrets: dict[str, Secret] = {}
    inventory = Inventory()
    client_secret_ref = new_client_secret_ref(workspace.namespace)
    secrets[client_secret_ref] = app.client_secret
    inventory.app = AppCredentials(
        application_id=app.application_id,
        lwa_client_id=app.client_id,
        client_secret_ref=client_secret_ref,
        redirect_uri=app.redirect_uris[0],
        endpoint_profile=EndpointProfile.SIMULATOR,
        endpoint_url=sim.base_url,
    )
    channel_ids = []
    for n in range(count):
        seller = f"A{n:011d}GRANT"
        sim.add_seller(SimSeller(seller, f"Store {n}", Region.EU, [UK]))
        ref = new_refresh_token_ref(workspace.namespace, seller)
        secrets[ref] = sim.issue_refresh_token(seller, Region.EU, app.client_id)
        auth = Authorization.new(seller, Region.EU, AuthSource.IMPORT, ref, None, frozenset({UK}))
        company = Company(f"co{n}", f"Company {n}")
        channel = Channel(f"ch{n}", company.id, UK, f"Company {n} UK", seller, auth.id)
        inventory.companies[company.id] = company
        inventory.authorizations[auth.id] = auth
        inventory.channels[channel.id] = channel
        channel_ids.append(channel.id)
    workspace.apply(replace_all(inventory, secrets, utcnow()))
    workspace.save()
    return channel_ids
