"""Earlier authorizations: how many are kept, what pruning and a roll back remove, no orphans."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.domain import changes as ch
from core.domain import versions
from core.domain.errors import ValidationError
from core.domain.inventory import NO_HEALTH, CheckResult, Health, Inventory
from core.domain.secret import Secret
from core.domain.secret_refs import new_refresh_token_ref
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.core.factories import CA, NOW, OTHER_SELLER, SELLER, authorization, channel, company

LIMIT = versions.KEPT_EARLIER_VERSIONS


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.open(tmp_path, MemorySecretStore())
    w.apply(ch.add_company(company()))
    w.apply(ch.add_channel(channel()))
    w.apply(ch.add_channel(channel("ch2", marketplace_id=CA, name="Acme CA")))
    w.save()
    yield w
    w.close()


def grant(
    ws: Workspace, aid: str, seller: str = SELLER, ids: tuple[str, ...] = ("ch1", "ch2")
) -> ch.Change:
    auth = authorization(aid, seller, ref=new_refresh_token_ref(ws.namespace, aid))
    health = Health(NOW, CheckResult.OK)
    return ch.set_authorization(auth, Secret(f"Atzr|token-{aid}"), ids, health)


def rows(tmp_path: Path) -> set[str]:
    """The authorization ids in the database file, read with sqlite3 itself."""
    conn = sqlite3.connect(tmp_path / "inventory.sqlite3")
    try:
        return {r[0] for r in conn.execute("SELECT id FROM authorizations")}
    finally:
        conn.close()


def entries(ws: Workspace) -> frozenset[str]:
    store = ws.secrets
    assert isinstance(store, MemorySecretStore)
    return store.names()


def refs(ws: Workspace, ids: set[str]) -> set[str | None]:
    """The entry names the grants ``ids`` point at (each grant's entry name is fresh)."""
    return {ws.current.authorizations[i].refresh_token_ref for i in ids}


def chain_ids(inv: Inventory, channel_id: str = "ch1") -> list[str]:
    return [a.id for a in versions.history(inv, inv.channels[channel_id].authorization_id)]


def test_the_limit_keeps_at_least_three_earlier_versions() -> None:
    assert versions.KEPT_EARLIER_VERSIONS >= 3


def test_reauthorizations_beyond_the_limit_prune_rows_and_keychain_entries(
    ws: Workspace, tmp_path: Path
) -> None:
    made: list[str] = []
    for n in range(LIMIT + 3):
        aid = f"a{n}"
        ws.apply(grant(ws, aid))
        ws.save()
        made.append(aid)
        kept = made[-(LIMIT + 1) :]  # the grant in use and the earlier ones kept
        assert chain_ids(ws.current) == kept[::-1]
        assert rows(tmp_path) == set(kept)  # no orphan row
        assert set(entries(ws)) == refs(ws, set(kept))  # no orphan keychain entry
    oldest = ws.current.authorizations[made[-(LIMIT + 1)]]
    assert oldest.previous_id is None  # the last kept one forgets what was pruned


def test_every_kept_version_still_has_its_refresh_token(ws: Workspace) -> None:
    for n in range(LIMIT + 1):
        ws.apply(grant(ws, f"a{n}"))
        ws.save()
    for auth in versions.history(ws.current, "a" + str(LIMIT)):
        assert auth.refresh_token_ref is not None
        assert ws.secret(auth.refresh_token_ref) == Secret(f"Atzr|token-{auth.id}")


def test_a_roll_back_drops_the_grant_rolled_back_from_and_its_entry(
    ws: Workspace, tmp_path: Path
) -> None:
    ws.apply(grant(ws, "a1"))
    ws.save()
    ws.apply(grant(ws, "a2", OTHER_SELLER))  # the wrong account
    ws.save()
    ws.apply(ch.roll_back_authorization(["ch1"]))  # ch2 shares the grant: it moves too
    assert {c.authorization_id for c in ws.current.channels.values()} == {"a1"}
    assert all(c.health == NO_HEALTH for c in ws.current.channels.values())
    assert ws.pending_channel_ids() == {"ch1", "ch2"}
    ws.save()
    assert rows(tmp_path) == {"a1"}
    assert set(entries(ws)) == refs(ws, {"a1"})
    ref = ws.current.authorizations["a1"].refresh_token_ref
    assert ref is not None
    assert ws.secret(ref) == Secret("Atzr|token-a1")


def test_undo_of_a_roll_back_brings_the_grant_back(ws: Workspace) -> None:
    ws.apply(grant(ws, "a1"))
    ws.apply(grant(ws, "a2"))
    ws.save()
    ws.apply(ch.roll_back_authorization(["ch2"]))
    assert "a2" not in ws.current.authorizations
    ws.undo()
    assert not ws.is_dirty
    assert chain_ids(ws.current) == ["a2", "a1"]


def test_roll_back_twice_goes_two_versions_back_then_refuses(ws: Workspace) -> None:
    for aid in ("a1", "a2", "a3"):
        ws.apply(grant(ws, aid))
    ws.save()
    ws.apply(ch.roll_back_authorization(["ch1"]))
    ws.apply(ch.roll_back_authorization(["ch1"]))
    ws.save()
    assert chain_ids(ws.current) == ["a1"]
    assert set(entries(ws)) == refs(ws, {"a1"})
    with pytest.raises(ValidationError, match="no earlier authorization"):
        ws.apply(ch.roll_back_authorization(["ch1"]))


def test_a_new_grant_after_a_roll_back_starts_from_the_restored_one(ws: Workspace) -> None:
    ws.apply(grant(ws, "a1"))
    ws.apply(grant(ws, "a2"))
    ws.apply(ch.roll_back_authorization(["ch1"]))
    ws.apply(grant(ws, "a3"))
    ws.save()
    assert chain_ids(ws.current) == ["a3", "a1"]
    assert set(entries(ws)) == refs(ws, {"a1", "a3"})


def test_pruning_keeps_an_earlier_grant_another_chain_still_remembers() -> None:
    inv = Inventory()
    inv.companies["c1"] = company()
    inv.channels["ch1"] = channel(authorization_id="b")
    inv.channels["ch2"] = channel("ch2", marketplace_id=CA, authorization_id="x")
    # ch1: b -> a -> root; ch2: x -> root. Pruning ch1's chain to one earlier grant keeps root.
    inv.authorizations["root"] = authorization("root")
    inv.authorizations["a"] = authorization("a", previous_id="root")
    inv.authorizations["b"] = authorization("b", previous_id="a")
    inv.authorizations["x"] = authorization("x", previous_id="root")
    assert versions.prune(inv, "b", keep=1) == {"a"}
    assert set(inv.authorizations) == {"root", "a", "b", "x"}
    assert inv.authorizations["a"].previous_id is None
    # Once x no longer remembers root, nothing does: it goes with the next prune of x's chain.
    assert versions.prune(inv, "x", keep=0) == {"x", "root"}
    assert set(inv.authorizations) == {"a", "b", "x"}


def test_a_replaced_grant_outside_the_chain_does_not_stay_behind(
    ws: Workspace, tmp_path: Path
) -> None:
    ws.apply(grant(ws, "a1", ids=("ch1",)))
    ws.apply(grant(ws, "b1", ids=("ch2",)))
    ws.save()
    ws.apply(grant(ws, "a2"))  # one consent now covers both channels
    ws.save()
    assert chain_ids(ws.current, "ch2") == ["a2", "a1"]
    assert rows(tmp_path) == {"a1", "a2"}
    assert set(entries(ws)) == refs(ws, {"a1", "a2"})


def test_a_roll_back_of_a_channel_without_an_authorization_is_refused(ws: Workspace) -> None:
    error = ws.try_apply(ch.roll_back_authorization(["ch1"]))
    assert isinstance(error, ValidationError)
    assert not ws.is_dirty
