"""A consent's answer is a claim (issue 8, finding 1). Against the project's simulator on
127.0.0.1; requests plays the browser.

``selling_partner_id`` comes back as a plain query parameter: anyone who forwards or pastes the
address can edit it. What Amazon itself reports for the new grant (getMarketplaceParticipations:
the store name and the marketplaces) is compared with what the inventory knows of the expected
seller; when they differ, or nothing is known, the session asks before anything becomes pending.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from core.domain.marketplaces import Region, by_country
from core.services.consent import session as consent
from core.services.consent.session import Authorized, Check, ConsentSession
from core.services.workspace import Workspace
from core.simulator import SimSeller
from core.storage.keychain import MemorySecretStore
from tests.integration.consent_support import (
    EU_CODES,
    OTHER,
    SELLER,
    Amazon,
    remember_store,
    simulator_workspace,
    start_amazon,
    uk_target,
)

WAIT_S = 10.0
EU_IDS = {c.lower() for c in EU_CODES}
UK = by_country("UK").id


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


@pytest.fixture
def session(workspace: Workspace) -> Iterator[ConsentSession]:
    made = ConsentSession(workspace, uk_target(), listen=False)
    yield made
    made.close()


def run(session: ConsentSession, check: Check[Any]) -> Any:
    result = check.run()
    assert session.ended(check)
    return result


def redirect_address(url: str) -> str:
    """Where Amazon (the simulator) sends the browser after Confirm, without going there."""
    answer = requests.get(url, timeout=WAIT_S, allow_redirects=False)
    assert answer.status_code == 302
    return str(answer.headers["Location"])


def forged_answer(amazon: Amazon, session: ConsentSession) -> str:
    """The answer to a consent that OTHER confirmed, with its Seller ID edited to SELLER's."""
    amazon.sim.auto_confirm_seller_id = OTHER
    address = redirect_address(session.link())
    assert f"selling_partner_id={OTHER}" in address
    return address.replace(f"selling_partner_id={OTHER}", f"selling_partner_id={SELLER}")


# --- finding 1: the forwarded answer -----------------------------------------------------------


def test_a_forged_seller_id_asks_before_anything_is_pending(
    session: ConsentSession, workspace: Workspace, amazon: Amazon
) -> None:
    remember_store(workspace)
    result = run(session, session.finish(forged_answer(amazon, session)))
    assert not isinstance(result, Authorized), "another seller's grant was taken as SELLER's"
    assert isinstance(result, consent.NeedsConfirmation)
    assert result.store_name == "Someone Else"  # what Amazon reports, not what was claimed
    assert result.expected_store_name == "Acme Europe"
    assert result.claimed_seller_id == SELLER
    assert result.marketplace_ids == frozenset({UK})
    assert not workspace.is_dirty  # nothing pending until the person confirms


def test_an_answer_that_matches_what_is_known_needs_no_question(
    session: ConsentSession, workspace: Workspace
) -> None:
    remember_store(workspace, " acme  EUROPE ")  # spacing and case are not a difference
    result = run(session, session.finish(redirect_address(session.link())))
    assert isinstance(result, Authorized)
    assert session.apply(result, session.coverage(result)) is None
    assert workspace.pending_channel_ids() == EU_IDS


def test_with_nothing_to_compare_the_person_confirms_then_it_applies(
    session: ConsentSession, workspace: Workspace
) -> None:
    result = run(session, session.finish(redirect_address(session.link())))
    assert not isinstance(result, Authorized), "applied with nothing known to compare with"
    assert isinstance(result, consent.NeedsConfirmation)
    assert result.store_name == "Acme Europe"
    assert result.expected_store_name == ""
    assert not workspace.is_dirty
    confirmed = result.authorized  # the person confirmed
    assert session.apply(confirmed, session.coverage(confirmed)) is None
    assert workspace.pending_channel_ids() == EU_IDS
    assert workspace.current.authorizations[confirmed.authorization.id].store_name == (
        "Acme Europe"
    )


def test_a_target_marketplace_amazon_does_not_list_asks(
    session: ConsentSession, workspace: Workspace, amazon: Amazon
) -> None:
    remember_store(workspace, "Someone Else")  # the store name alone would pass
    amazon.sim.add_seller(
        SimSeller("A3NOUKSELLER001", "Someone Else", Region.EU, [by_country("DE").id])
    )
    amazon.sim.auto_confirm_seller_id = "A3NOUKSELLER001"
    address = redirect_address(session.link())
    forged = address.replace("selling_partner_id=A3NOUKSELLER001", f"selling_partner_id={SELLER}")
    result = run(session, session.finish(forged))
    assert isinstance(result, consent.NeedsConfirmation)
    assert result.missing_marketplace_ids == frozenset({UK})
    assert not workspace.is_dirty


def test_self_authorization_is_a_claim_too(
    session: ConsentSession, workspace: Workspace, amazon: Amazon
) -> None:
    remember_store(workspace)
    token = amazon.sim.issue_refresh_token(OTHER, Region.EU, amazon.app.client_id)
    result = run(session, session.self_authorize(token, SELLER))  # the typed ID is a claim
    assert isinstance(result, consent.NeedsConfirmation)
    assert result.store_name == "Someone Else"
    assert not workspace.is_dirty
