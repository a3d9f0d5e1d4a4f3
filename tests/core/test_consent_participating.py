"""Amazon edge case 5: coverage and the participations list agree on ``isParticipating``.

A marketplace getMarketplaceParticipations lists with ``participation.isParticipating: false``
is not covered by the new grant (the Sellers API model,
https://github.com/amzn/selling-partner-api-models/blob/main/models/sellers-api-model/sellers.json).
Against the project's simulator on 127.0.0.1; requests plays the browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from core.domain.marketplaces import Region, by_country
from core.services.consent.session import Authorized, Check, ConsentSession
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.integration.consent_support import (
    EU_CODES,
    SELLER,
    Amazon,
    remember_store,
    simulator_workspace,
    start_amazon,
    uk_target,
)

WAIT_S = 10.0
EU_IDS = {c.lower() for c in EU_CODES}


@pytest.fixture
def amazon() -> Iterator[Amazon]:
    running = start_amazon()
    yield running
    running.sim.stop()


@pytest.fixture
def workspace(tmp_path: Path, amazon: Amazon) -> Iterator[Workspace]:
    opened = simulator_workspace(tmp_path / "data", amazon, MemorySecretStore())
    yield opened
    opened.close()


def run(session: ConsentSession, check: Check[Any]) -> Any:
    result = check.run()
    assert session.ended(check)
    return result


def redirect_address(url: str) -> str:
    answer = requests.get(url, timeout=WAIT_S, allow_redirects=False)
    assert answer.status_code == 302
    return str(answer.headers["Location"])


def test_a_marketplace_amazon_lists_as_not_participating_is_not_covered(
    amazon: Amazon, workspace: Workspace
) -> None:
    de = by_country("DE").id
    seller = amazon.sim.account((SELLER, Region.EU))
    assert seller is not None
    amazon.sim.add_seller(replace(seller, not_participating_ids=frozenset({de})))
    remember_store(workspace)
    session = ConsentSession(workspace, uk_target(), listen=False)
    try:
        result = run(session, session.finish(redirect_address(session.link())))
        assert isinstance(result, Authorized)
        assert de not in result.authorization.marketplace_ids
        assert de not in result.participations.marketplace_ids  # the same rule in both places
        covered = session.coverage(result)
        assert "de" not in covered.channel_ids
        assert "de" in dict(covered.not_covered)
        assert session.apply(result, covered) is None
        assert workspace.pending_channel_ids() == EU_IDS - {"de"}
    finally:
        session.close()
