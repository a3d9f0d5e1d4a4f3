"""Roll back end to end: consents against the simulator, Saves into a real Secret Service.

Reauthorize and Save; reauthorize again, this time with another account the person confirms
(the NeedsConfirmation path); Roll back and Save: the first refresh token is the one in use
again, read back from GNOME Keyring. Then enough reauthorizations that the oldest versions are
pruned: their entries are gone from the Secret Service (read around SP Connect's own code) and
their rows from the SQLite file. Run by ``bash scripts/test`` in its private D-Bus session.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import keyring
import pytest
import requests

from core.amazon.attempts import ConsentTarget
from core.domain import versions
from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.services import rollback
from core.services.consent.identity import NeedsConfirmation
from core.services.consent.session import Authorized, ConsentSession
from core.services.workspace import Workspace
from core.storage.keychain import SERVICE_NAME, KeyringSecretStore
from tests.integration.consent_support import (
    OTHER,
    SELLER,
    Amazon,
    simulator_workspace,
    start_amazon,
    uk_target,
)

pytestmark = pytest.mark.keychain

CHANNELS = ("uk", "de", "fr", "it", "es")


def keychain_names() -> set[str]:
    """Every SP Connect entry in the real Secret Service, read around SP Connect's own code."""
    collection = keyring.get_keyring().get_preferred_collection()  # type: ignore[attr-defined]
    with closing(collection.connection):
        return {
            item.get_attributes()["username"]
            for item in collection.search_items({"service": SERVICE_NAME})
        }


def read_back(name: str) -> str | None:
    """One entry's value, straight from the Secret Service."""
    return keyring.get_password(SERVICE_NAME, name)


def grant_rows(folder: Path) -> set[str]:
    with closing(sqlite3.connect(folder / "inventory.sqlite3")) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM authorizations")}


@pytest.fixture
def amazon() -> Iterator[Amazon]:
    started = start_amazon()
    yield started
    started.sim.stop()


@pytest.fixture
def workspace(tmp_path: Path, amazon: Amazon) -> Iterator[Workspace]:
    store = KeyringSecretStore(timeout_s=10.0)
    opened = simulator_workspace(tmp_path / "data", amazon, store)
    namespace = opened.namespace
    yield opened
    opened.close()
    for name in keychain_names():  # leave the test keyring as it was
        if name.startswith(f"{namespace}/"):
            store.delete(name)


def reauthorize(ws: Workspace, target: ConsentTarget) -> Authorized:
    """One consent finished by pasting Amazon's answer; what the person confirms is applied and
    saved. Returns the grant (its refresh token is the simulator's)."""
    session = ConsentSession(ws, target, listen=False)
    try:
        answer = requests.get(session.link(), allow_redirects=False, timeout=20)
        check = session.finish(answer.headers["Location"])
        result = check.run()
        assert session.ended(check)
        if isinstance(result, NeedsConfirmation):  # shown to the person, who confirms
            result = result.authorized
        assert isinstance(result, Authorized)
        assert session.apply(result, session.coverage(result)) is None
    finally:
        session.close()
    ws.save()
    return result


def ref_of(ws: Workspace, channel_id: str) -> str:
    auth = ws.current.authorization_of(ws.current.channels[channel_id])
    assert auth is not None
    assert auth.refresh_token_ref is not None
    return auth.refresh_token_ref


def test_roll_back_restores_the_first_token_and_old_versions_leave_the_keychain(
    workspace: Workspace, amazon: Amazon, tmp_path: Path
) -> None:
    ws, data = workspace, tmp_path / "data"
    first = reauthorize(ws, uk_target())
    first_ref = ref_of(ws, "uk")
    assert read_back(first_ref) == first.refresh_token.reveal()

    # The person picks another account in Seller Central; with no Seller ID to hold it to, the
    # app shows what Amazon reports and the person confirms it (by mistake).
    amazon.sim.select_account(OTHER, Region.EU)
    wrong = reauthorize(ws, uk_target(None))
    assert wrong.authorization.seller_id == OTHER
    wrong_ref = ref_of(ws, "uk")
    assert ws.current.authorizations[wrong.authorization.id].previous_id is not None
    assert read_back(first_ref) == first.refresh_token.reveal()  # the replaced one is kept

    found = rollback.offer(ws.current, ["uk"])
    assert found.possible
    assert ws.try_apply(rollback.change(found)) is None
    ws.save()
    assert ref_of(ws, "uk") == first_ref
    assert read_back(first_ref) == first.refresh_token.reveal()  # active again
    assert ws.secret(first_ref) == first.refresh_token
    assert wrong_ref not in keychain_names()  # the grant rolled back from is gone
    assert wrong.authorization.id not in grant_rows(data)

    # Reauthorize the right account until the oldest versions fall off the limit.
    amazon.sim.select_account(SELLER, Region.EU)
    made = [first_ref]
    for _ in range(versions.KEPT_EARLIER_VERSIONS + 2):
        reauthorize(ws, uk_target())
        made.append(ref_of(ws, "uk"))
    kept = made[-(versions.KEPT_EARLIER_VERSIONS + 1) :]
    pruned = made[: len(made) - len(kept)]
    assert len(pruned) == 2
    assert first_ref in pruned
    names = keychain_names()
    assert set(kept) <= names
    assert not set(pruned) & names
    assert read_back(first_ref) is None
    chain = versions.history(ws.current, ws.current.channels["uk"].authorization_id)
    assert {a.refresh_token_ref for a in chain} == set(kept)
    assert grant_rows(data) == {a.id for a in chain}
    assert all(ws.current.channels[c].authorization_id == chain[0].id for c in CHANNELS)
    for auth in chain:  # every kept version still has its token
        assert auth.refresh_token_ref is not None
        assert ws.secret(auth.refresh_token_ref) == Secret(read_back(auth.refresh_token_ref) or "")
