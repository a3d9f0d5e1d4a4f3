"""The demo simulator: the demo inventory's accounts, its grants, and the command-line runner."""

from __future__ import annotations

import io
import re
import threading
from datetime import UTC, datetime

import pytest
import requests

from core.amazon.http import NeedsReauthorization
from core.amazon.lwa import LwaClient
from core.amazon.sellers import SellersClient
from core.domain.inventory import CheckResult
from core.domain.samples import demo_inventory
from core.domain.secret import Secret
from core.simulator import (
    DEMO_APPLICATION_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    demo_sellers,
    demo_simulator,
    serve_forever,
)
from core.simulator.__main__ import main
from tests.integration.simhelpers import consent

NOW = datetime.now(UTC)


def test_every_demo_channel_with_a_seller_has_an_account() -> None:
    inventory, _ = demo_inventory(NOW, "demo")
    accounts = {(s.seller_id, s.region): s for s in demo_sellers(inventory)}

    for channel in inventory.channels.values():
        if channel.seller_id is None:
            continue
        account = accounts[(channel.seller_id, channel.region)]
        assert channel.marketplace_id in account.marketplace_ids, channel.name
    for auth in inventory.authorizations.values():
        account = accounts[(auth.seller_id, auth.region)]
        assert auth.marketplace_ids <= set(account.marketplace_ids)
        assert account.store_name


def test_channels_without_a_seller_id_fold_into_the_parents_account() -> None:
    inventory, _ = demo_inventory(NOW, "demo")
    accounts = {(s.seller_id, s.region): s for s in demo_sellers(inventory)}
    orphans = [c for c in inventory.channels.values() if c.seller_id is None]
    assert orphans
    for channel in orphans:
        company = inventory.companies[channel.company_id]
        root = inventory.root_of(company)
        sellers = {
            c.seller_id
            for c in inventory.channels.values()
            if c.seller_id
            and c.region is channel.region
            and inventory.root_of(inventory.companies[c.company_id]) == root
        }
        if sellers:
            assert any(
                channel.marketplace_id in accounts[(s, channel.region)].marketplace_ids
                for s in sellers
            )


def test_demo_app_consents_and_exchanges() -> None:
    with demo_simulator() as sim, requests.Session() as browser:
        app = sim.app(DEMO_APPLICATION_ID)
        assert app is not None
        seller = sim.sellers[0]
        query = consent(sim, browser, app=app, seller=seller, redirect_uri="")
        with LwaClient(sim.endpoints, DEMO_CLIENT_ID, Secret(DEMO_CLIENT_SECRET)) as lwa:
            tokens = lwa.exchange_code(Secret(query["spapi_oauth_code"]), "", seller.region)
        with SellersClient(sim.endpoints) as sellers:
            found = sellers.marketplace_participations(tokens.access_token, seller.region)
    assert found.store_name == seller.store_name
    assert query["selling_partner_id"] == seller.seller_id


def test_demo_inventory_grants_work_unless_the_demo_says_otherwise() -> None:
    inventory, secrets = demo_inventory(NOW, "demo")
    app = inventory.app
    assert app.client_secret_ref is not None
    refused = {
        c.authorization_id
        for c in inventory.channels.values()
        if c.health.result is CheckResult.NEEDS_REAUTHORIZATION
    }
    outcomes: dict[str, bool] = {}
    with (
        demo_simulator(inventory=inventory, secrets=secrets) as sim,
        LwaClient(
            sim.endpoints, app.lwa_client_id, secrets[app.client_secret_ref], attempts=1
        ) as lwa,
    ):
        for auth in inventory.authorizations.values():
            assert auth.refresh_token_ref is not None
            try:
                lwa.refresh(secrets[auth.refresh_token_ref], auth.region)
                outcomes[auth.id] = True
            except NeedsReauthorization:
                outcomes[auth.id] = False
    for auth in inventory.authorizations.values():
        expected = auth.id not in refused and auth.expires_at > NOW
        assert outcomes[auth.id] is expected, auth.store_name
    assert any(outcomes.values())
    assert not all(outcomes.values())


class _Output(io.StringIO):
    """Collects what the runner prints and says when the guide is complete."""

    def __init__(self) -> None:
        super().__init__()
        self.ready = threading.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if "Ctrl+C" in self.getvalue():
            self.ready.set()
        return written


def test_serve_forever_prints_the_guide_and_serves_until_stopped() -> None:
    out, stop = _Output(), threading.Event()
    runner = threading.Thread(target=serve_forever, kwargs={"out": out, "stop": stop})
    runner.start()
    try:
        assert out.ready.wait(10)
        text = out.getvalue()
        base = re.search(r"running at (http://127\.0\.0\.1:\d+)", text)
        assert base
        for value in (DEMO_APPLICATION_ID, DEMO_CLIENT_ID, "A1ALPINETRAIL7Q"):
            assert value in text
        with requests.Session() as session:
            assert session.get(base.group(1) + "/", timeout=5).status_code == 200
    finally:
        stop.set()
        runner.join(10)
    assert not runner.is_alive()
    with requests.Session() as session, pytest.raises(requests.ConnectionError):
        session.get(base.group(1) + "/", timeout=5)


def test_command_line_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert "--port" in capsys.readouterr().out
