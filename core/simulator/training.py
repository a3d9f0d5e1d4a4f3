"""The demo set-up of the simulator: the demo app, the demo inventory's sellers, and a runner.

``python -m core.simulator`` (or ``python main.py simulator``) runs :func:`serve_forever`: a
simulator with :data:`DEMO_APP` and one account per seller and region of the demo inventory
(:mod:`core.domain.samples`), so every demo channel can be reauthorized in training.

For ``main.py --demo``, pass the demo inventory and its secrets to :func:`demo_simulator`: it
then also registers the inventory's own app and accepts the inventory's refresh tokens (except
those the demo shows as expired or needing reauthorization), so *Test connection* works on the
demo as it is, with only the endpoint pointed at the simulator.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TextIO

from core.domain import marketplaces
from core.domain.inventory import Channel, CheckResult, Inventory
from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.simulator import pages
from core.simulator.model import SimApp, SimSeller
from core.simulator.server import Simulator

DEMO_APPLICATION_ID = "amzn1.sp.solution.bbc528a7-fa4c-4c03-af90-9e5c063d9fb1"
DEMO_CLIENT_ID = "amzn1.application-oa2-client.5350436f6e6e65637453696d44656d6f"
#: A fake, public value: the simulator's demo app is not a real Amazon app.
DEMO_CLIENT_SECRET = "amzn1.oa2-cs.v1.simulator-demo-secret"  # noqa: S105
DEMO_REDIRECT_URI = "https://connect.example.com/spapi/return"  # core.domain.samples.REDIRECT_URI

DEMO_APP = SimApp(
    application_id=DEMO_APPLICATION_ID,
    client_id=DEMO_CLIENT_ID,
    client_secret=Secret(DEMO_CLIENT_SECRET),
    redirect_uris=(DEMO_REDIRECT_URI,),
    name="SP Connect (demo)",
    loopback_redirects=True,
)


def demo_sellers(inventory: Inventory | None = None) -> list[SimSeller]:
    """One simulated account per seller and region of the (demo) inventory.

    Store names and marketplaces come from the inventory's authorizations and channels; a
    channel without a Seller ID counts for its (unified parent) company's seller in the region,
    as the reauthorization plan folds it in.
    """
    if inventory is None:
        # Imported here: core.domain.samples is the demo's data, not something the simulator needs
        # to run.
        from core.domain.samples import demo_inventory

        inventory, _ = demo_inventory(datetime.now(UTC), "simulator")
    names: dict[str, str] = {}
    markets: dict[tuple[str, Region], list[str]] = {}
    store: dict[tuple[str, Region], str] = {}
    for auth in inventory.authorizations.values():
        key = (auth.seller_id, auth.region)
        markets.setdefault(key, []).extend(sorted(auth.marketplace_ids))
        if auth.store_name:
            store.setdefault(key, auth.store_name)
            names.setdefault(auth.seller_id, auth.store_name)
    for channel in inventory.channels.values():
        seller_id = channel.seller_id or _parent_seller(inventory, channel)
        if seller_id is None:
            continue
        key = (seller_id, channel.region)
        markets.setdefault(key, []).append(channel.marketplace_id)
        company = inventory.companies.get(channel.company_id)
        fallback = inventory.root_of(company).name if company else seller_id
        store.setdefault(key, names.get(seller_id, fallback))
    return [
        SimSeller(seller_id, store.get((seller_id, region), seller_id), region, _unique(ids))
        for (seller_id, region), ids in markets.items()
    ]


def _parent_seller(inventory: Inventory, channel: Channel) -> str | None:
    """The Seller ID the channel's (unified parent) company uses in the channel's region."""
    company = inventory.companies.get(channel.company_id)
    if company is None:
        return None
    root = inventory.root_of(company)
    for other in inventory.channels.values():
        owner = inventory.companies.get(other.company_id)
        if owner is None or inventory.root_of(owner).id != root.id:
            continue
        if other.seller_id and other.region is channel.region:
            return other.seller_id
    return None


def _unique(ids: list[str]) -> list[str]:
    """Each id once, in the reference table's order (unknown ids last)."""
    order = {m.id: n for n, m in enumerate(marketplaces.MARKETPLACES)}
    return sorted(dict.fromkeys(ids), key=lambda i: order.get(i, len(order)))


def demo_simulator(
    port: int = 0,
    *,
    inventory: Inventory | None = None,
    secrets: Mapping[str, Secret] | None = None,
    clock: Callable[[], float] = time.time,
) -> Simulator:
    """A simulator (not started yet) with the demo app and the demo sellers.

    Args:
        port: The port on 127.0.0.1; 0 picks a free one.
        inventory: The demo inventory, if already made (otherwise :mod:`core.domain.samples` makes
        one). secrets: The inventory's secret values: with them its own app is registered and its
            live grants are accepted.
        clock: The simulator's clock.
    """
    sim = Simulator(port, clock=clock)
    sim.register_app(DEMO_APP)
    for seller in demo_sellers(inventory):
        sim.add_seller(seller)
    if inventory is not None and secrets is not None:
        _adopt_inventory(sim, inventory, secrets)
    return sim


def _adopt_inventory(sim: Simulator, inventory: Inventory, secrets: Mapping[str, Secret]) -> None:
    app = inventory.app
    secret = secrets.get(app.client_secret_ref or "")
    if not (app.application_id and app.lwa_client_id and secret):
        return
    sim.register_app(
        SimApp(
            application_id=app.application_id,
            client_id=app.lwa_client_id,
            client_secret=secret,
            redirect_uris=(app.redirect_uri or DEMO_REDIRECT_URI,),
            draft=app.draft,
            name="SP Connect (demo inventory)",
            loopback_redirects=True,
        )
    )
    now = datetime.now(UTC)
    refused = {
        c.authorization_id
        for c in inventory.channels.values()
        if c.health.result is CheckResult.NEEDS_REAUTHORIZATION
    }
    for auth in inventory.authorizations.values():
        token = secrets.get(auth.refresh_token_ref or "")
        if token is None or auth.expires_at <= now:
            continue  # unknown to the simulator: refreshing it gets invalid_grant
        sim.adopt_refresh_token(token, auth.seller_id, auth.region, app.lwa_client_id)
        if auth.id in refused:
            # The seller removed the app in Manage Your Apps: a real revocation, so a test
            # gets invalid_grant from the token endpoint as it would at Amazon.
            sim.revoke_refresh_token(token)


def guide_text(sim: Simulator) -> str:
    """What ``python -m core.simulator`` prints: where it runs and what to enter in SP Connect."""
    lines = [
        f"SP Connect's Amazon simulator is running at {sim.base_url}",
        "Nothing here is Amazon: accounts, tokens and pages are simulated.",
        "",
        "Demo app (App credentials in SP Connect, endpoint: the simulator address above):",
        f"  Application ID: {DEMO_APPLICATION_ID}",
        f"  LWA client ID:  {DEMO_CLIENT_ID}",
        f"  Client secret:  {DEMO_CLIENT_SECRET}  (a fake, public value)",
        f"  Redirect URI:   {DEMO_REDIRECT_URI}  (any http://127.0.0.1 address works too)",
        "",
        "Seller accounts you are logged in to (choose one on the consent page):",
    ]
    lines += [f"  {pages.account_label(s)}" for s in sim.sellers]
    lines += [
        "",
        "Try the consent page:",
        f"  {sim.consent_url(DEMO_APPLICATION_ID, 'try-me')}",
        "",
        "Press Ctrl+C to stop.",
    ]
    return "\n".join(lines)


def serve_forever(
    port: int = 0, *, out: TextIO | None = None, stop: threading.Event | None = None
) -> None:
    """Runs the demo simulator until Ctrl+C (or until ``stop`` is set)."""
    out = out if out is not None else sys.stdout
    stop = stop if stop is not None else threading.Event()
    sim = demo_simulator(port).start()
    try:
        print(guide_text(sim), file=out, flush=True)
        # A short wait in a loop: Ctrl+C reaches a waiting main thread on Windows too.
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("Stopped.", file=out)
    finally:
        sim.stop()
