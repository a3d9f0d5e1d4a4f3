"""The banner's first sentence: the most urgent thing, in plain words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from core.domain.inventory import (
    CLIENT_SECRET_LIFETIME,
    GRANT_LIFETIME,
    AppCredentials,
    CheckResult,
    Health,
    Inventory,
)
from core.domain.samples import demo_inventory
from core.services.view.ends import next_end_today
from core.services.view.first_step import first_step
from core.services.view.rows import InventoryRows
from tests.core.factories import authorization, channel, company

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _utc(local_time_zone: Callable[[str], None]) -> None:
    local_time_zone("UTC0")


def at(day: date, hour: int = 15) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def inventory(*ends_in: int, secret_in: int | None = None, **health: CheckResult) -> Inventory:
    """One channel per entry of ``ends_in`` (days until its grant ends), named ch0, ch1, ..."""
    inv = Inventory()
    inv.companies["c1"] = company()
    for i, days in enumerate(ends_in):
        ends = at(TODAY + timedelta(days=days))
        auth = authorization(f"a{i}", granted=ends - GRANT_LIFETIME)
        inv.authorizations[auth.id] = auth
        result = health.get(f"ch{i}")
        checked = Health(NOW, result, NOW - timedelta(hours=1)) if result else Health()
        inv.channels[f"ch{i}"] = channel(f"ch{i}", authorization_id=auth.id, health=checked)
    if secret_in is not None:
        issued = at(TODAY + timedelta(days=secret_in)) - CLIENT_SECRET_LIFETIME
        inv.app = AppCredentials(secret_issued_at=issued)
    return inv


def sentence(inv: Inventory, now: datetime = NOW) -> str:
    rows = InventoryRows(inv, now)
    return first_step(rows.channels.values(), inv.app, now)


def test_expired_authorizations_come_first() -> None:
    inv = inventory(-1, -3, 5, 200, secret_in=20)
    assert sentence(inv) == "Reauthorize 2 channels: their authorizations have expired"
    one = inventory(-1, 200)
    assert sentence(one) == "Reauthorize 1 channel: its authorization has expired"


def test_expired_and_refused_together() -> None:
    inv = inventory(-1, 200, ch1=CheckResult.NEEDS_REAUTHORIZATION)
    assert sentence(inv) == (
        "Reauthorize 2 channels: 1 expired and 1 cannot reach Amazon without a new consent"
    )


def test_an_expired_client_secret_beats_everything() -> None:
    inv = inventory(-1, secret_in=-2)
    assert sentence(inv) == (
        "Renew the app's client secret now: it expired on 27 Feb 2026, so Amazon refuses "
        "every connection"
    )


def test_the_client_secret_by_its_date() -> None:
    assert sentence(inventory(200, secret_in=11)) == "Renew the app's client secret by 12 Mar 2026"
    assert sentence(inventory(200, secret_in=3)) == (
        "Renew the app's client secret by 4 Mar 2026 (in 3 days)"
    )
    # An urgent secret comes before channels that end later in the month, not before urgent ones
    # of its own rank: the secret is first at the same step, since it stops every channel.
    assert sentence(inventory(20, secret_in=3)).startswith("Renew the app's client secret")
    assert sentence(inventory(5, secret_in=20)).startswith("Reauthorize 1 channel by")


def test_authorizations_ending_soon_name_the_first_date() -> None:
    assert sentence(inventory(5, 6, 200)) == (
        "Reauthorize 2 channels by 6 Mar 2026: the first authorization ends in 5 days"
    )
    assert sentence(inventory(0, 200)) == (
        "Reauthorize 1 channel by 1 Mar 2026: its authorization ends today"
    )
    assert sentence(inventory(20, 25, 200)) == (
        "Plan to reauthorize 2 channels by 21 Mar 2026: the first authorization ends in 20 days"
    )


def test_failed_checks_and_all_healthy() -> None:
    assert sentence(inventory(200, 300, ch1=CheckResult.FAILED)) == (
        "Test 1 channel again later: its last check got no answer from Amazon"
    )
    assert sentence(inventory(200, 300, secret_in=100)) == "All connections are healthy"
    assert sentence(Inventory()) == ""


def test_the_app_credentials_refused() -> None:
    inv = inventory(200, 20, ch0=CheckResult.APP_CREDENTIALS)
    assert sentence(inv) == (
        "Update the app credentials in Amazon > App credentials: Amazon refuses them for 1 channel"
    )


def test_the_demo_starts_with_its_expired_grants() -> None:
    inv, _ = demo_inventory(NOW, "ns")
    assert sentence(inv).startswith("Reauthorize ")


def test_the_next_end_today_is_the_earliest_ahead() -> None:
    inv = inventory(0, 0, 5, secret_in=0)
    inv.authorizations["a1"] = replace(inv.authorizations["a1"], expires_at=at(TODAY, 11))
    rows = InventoryRows(inv, NOW)
    assert next_end_today(rows.channels.values(), inv.app, NOW) == at(TODAY, 11)
    later = at(TODAY, 12)
    rows = InventoryRows(inv, later)
    assert next_end_today(rows.channels.values(), inv.app, later) == at(TODAY, 15)
    assert next_end_today(rows.channels.values(), inv.app, at(TODAY, 16)) is None
