"""Fixtures for tests that run the Amazon simulator on 127.0.0.1.

Each test gets its own simulator (a fresh Amazon), a manual clock it can move forward, and
clients whose retries sleep into a list instead of waiting.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from core.amazon.lwa import LwaClient
from core.amazon.sellers import SellersClient
from core.domain.secret import Secret
from core.simulator import Simulator
from tests.integration.simhelpers import (
    ACME_EU,
    ACME_NA,
    APP,
    CLIENT_SECRET,
    DRAFT_APP,
    HYBRID_APP,
    OTHER_NA,
    ManualClock,
    Sleeps,
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> Iterator[Simulator]:
    simulator = Simulator(clock=clock)
    for app in (APP, DRAFT_APP, HYBRID_APP):
        simulator.register_app(app)
    for seller in (ACME_NA, ACME_EU, OTHER_NA):
        simulator.add_seller(seller)
    with simulator:
        yield simulator


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    """What the person's browser does, without following redirects (we read them)."""
    with requests.Session() as session:
        yield session


@pytest.fixture
def lwa(sim: Simulator, sleeps: Sleeps) -> Iterator[LwaClient]:
    with LwaClient(sim.endpoints, APP.client_id, Secret(CLIENT_SECRET), sleep=sleeps) as client:
        yield client


@pytest.fixture
def sellers(sim: Simulator, sleeps: Sleeps) -> Iterator[SellersClient]:
    with SellersClient(sim.endpoints, sleep=sleeps) as client:
        yield client
