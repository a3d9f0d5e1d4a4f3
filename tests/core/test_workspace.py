"""The unit of work: pending changes, undo, revert, Save and what a failed Save keeps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from core.domain import changes as ch
from core.domain.errors import (
    ReadOnlyError,
    SecretStoreError,
    StoreError,
    ValidationError,
)
from core.domain.inventory import AppCredentials, AppStatus, CheckResult, Health
from core.domain.secret import Secret
from core.domain.secret_refs import (
    new_client_secret_ref,
    new_mws_auth_token_ref,
    new_refresh_token_ref,
)
from core.services.workspace import Workspace, WorkspaceEvent
from core.storage.keychain import MemorySecretStore, UnavailableSecretStore
from tests.core.factories import (
    CA,
    DE,
    JP,
    NOW,
    OTHER_SELLER,
    SELLER,
    UK,
    US,
    authorization,
    channel,
    company,
)
from tests.leaks import ExpectedWarnings

MWS_TOKEN = "amzn.mws.4ea38b7b-f563-7709-4bae-87aea0123456"


@pytest.fixture
def secrets() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture
def ws(tmp_path: Path, secrets: MemorySecretStore) -> Iterator[Workspace]:
    w = Workspace.open(tmp_path, secrets)
    w.apply(ch.add_company(company()))
    w.apply(ch.add_channel(channel()))
    w.apply(ch.add_channel(channel("ch2", marketplace_id=CA, name="Acme CA")))
    w.save()
    yield w
    w.close()


def reopen(ws: Workspace, tmp_path: Path) -> Workspace:
    secrets = ws.secrets
    ws.close()
    return Workspace.open(tmp_path, secrets)


def new_grant(ws: Workspace, aid: str = "a1", seller: str = SELLER) -> ch.Change:
    auth = authorization(aid, seller, ref=new_refresh_token_ref(ws.namespace, aid))
    return ch.set_authorization(auth, Secret(f"Atzr|token-{aid}"), ["ch1", "ch2"])


def test_a_change_is_pending_until_save(ws: Workspace, tmp_path: Path) -> None:
    ws.apply(ch.edit_channel(replace(ws.current.channels["ch1"], name="Acme USA")))
    assert ws.is_dirty
    assert ws.pending_channel_ids() == {"ch1"}
    assert ws.saved.channels["ch1"].name == "Acme US"
    ws.save()
    assert not ws.is_dirty
    assert ws.pending_channel_ids() == frozenset()
    again = reopen(ws, tmp_path)
    assert again.current.channels["ch1"].name == "Acme USA"
    again.close()


def test_undo_drops_the_last_change_only(ws: Workspace) -> None:
    ws.apply(ch.edit_channel(replace(ws.current.channels["ch1"], name="One")))
    ws.apply(ch.edit_channel(replace(ws.current.channels["ch2"], name="Two")))
    undone = ws.undo()
    assert undone is not None
    assert ws.current.channels["ch1"].name == "One"
    assert ws.current.channels["ch2"].name == "Acme CA"
    assert ws.pending_channel_ids() == {"ch1"}
    ws.undo()
    assert not ws.is_dirty
    assert ws.undo() is None


def test_revert_drops_everything(ws: Workspace) -> None:
    before = ws.current
    ws.apply(ch.remove_channel("ch2"))
    ws.apply(ch.add_company(company("c2", "Other")))
    ws.revert()
    assert not ws.is_dirty
    assert ws.current.channels == before.channels
    assert ws.current.companies == before.companies


def test_a_refused_change_leaves_no_trace(ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="already has a channel in Canada"):
        ws.apply(ch.add_channel(channel("ch3", marketplace_id=CA)))
    assert not ws.is_dirty
    assert "ch3" not in ws.current.channels


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda: ch.add_channel(channel("x", marketplace_id="A1NOTAMARKET")), "not an Amazon"),
        (lambda: ch.add_channel(channel("x", marketplace_id=DE, seller_id="a1-b2")), "capital"),
        (lambda: ch.add_company(company("x", "")), "Enter the company's name"),
        (lambda: ch.add_company(company("x", "Kid", parent="nope")), "does not exist"),
    ],
)
def test_bad_input_is_refused_in_plain_words(ws: Workspace, change: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ws.apply(change())  # type: ignore[operator]
    assert not ws.is_dirty


def test_unified_parents_cannot_form_a_cycle(ws: Workspace) -> None:
    ws.apply(ch.add_company(company("c2", "Child", parent="c1")))
    ws.apply(ch.add_company(company("c3", "Other parent")))
    # c1 is a parent, so it cannot become c2's child (that would be a cycle)...
    with pytest.raises(ValidationError, match="itself a unified child"):
        ws.apply(ch.edit_company(replace(ws.current.companies["c1"], parent_id="c2")))
    # ...nor anyone's child while it has children of its own.
    with pytest.raises(ValidationError, match="unified parent of other companies"):
        ws.apply(ch.edit_company(replace(ws.current.companies["c1"], parent_id="c3")))
    # ...nor can a third company hang below the child.
    with pytest.raises(ValidationError, match="itself a unified child"):
        ws.apply(ch.add_company(company("c4", "Grandchild", parent="c2")))
    with pytest.raises(ValidationError, match="its own unified parent"):
        ws.apply(ch.edit_company(replace(ws.current.companies["c1"], parent_id="c1")))


def test_an_unusual_seller_id_is_a_warning_not_a_refusal(ws: Workspace) -> None:
    ws.apply(ch.add_channel(channel("ch3", marketplace_id=UK, seller_id="B123")))
    assert ws.current.channels["ch3"].seller_id == "B123"


def test_a_new_authorization_marks_every_channel_it_covers(ws: Workspace) -> None:
    ws.apply(new_grant(ws))
    assert ws.pending_channel_ids() == {"ch1", "ch2"}
    ws.save()
    assert {c.authorization_id for c in ws.current.channels.values()} == {"a1"}
    ref = ws.current.authorizations["a1"].refresh_token_ref
    assert ref is not None
    assert ws.secrets.get(ref) == Secret("Atzr|token-a1")


def test_an_authorization_for_another_region_is_refused(ws: Workspace) -> None:
    ws.apply(ch.add_channel(channel("jp", marketplace_id=JP)))
    auth = authorization("a9", ref=new_refresh_token_ref(ws.namespace, "a9"))
    with pytest.raises(ValidationError, match="one region"):
        ws.apply(ch.set_authorization(auth, Secret("Atzr|x"), ["jp"]))


def test_roll_back_restores_the_previous_authorization(ws: Workspace, tmp_path: Path) -> None:
    ws.apply(new_grant(ws, "a1"))
    ws.save()
    ws.apply(new_grant(ws, "a2", OTHER_SELLER))  # the wrong account, saved by mistake
    ws.save()
    assert ws.current.authorizations["a2"].previous_id == "a1"
    ws.apply(ch.roll_back_authorization(["ch1", "ch2"]))
    assert ws.pending_channel_ids() == {"ch1", "ch2"}
    ws.save()
    again = reopen(ws, tmp_path)
    assert again.current.channels["ch1"].authorization_id == "a1"
    ref = again.current.authorizations["a1"].refresh_token_ref
    assert ref is not None
    assert again.secret(ref) == Secret("Atzr|token-a1")  # history kept its token
    with pytest.raises(ValidationError, match="no earlier authorization"):
        again.apply(ch.roll_back_authorization(["ch1"]))
    again.close()


def test_removing_the_last_channel_of_a_grant_removes_its_tokens(ws: Workspace) -> None:
    ws.apply(new_grant(ws, "a1"))
    ws.save()
    ws.apply(new_grant(ws, "a2"))
    ws.save()
    assert len(ws.secrets.names()) == 2  # type: ignore[attr-defined]
    ws.apply(ch.remove_company("c1"))
    ws.save()
    assert ws.current.authorizations == {}
    assert ws.secrets.names() == frozenset()  # type: ignore[attr-defined]


def test_a_parent_with_children_cannot_be_removed(ws: Workspace) -> None:
    ws.apply(ch.add_company(company("c2", "Child", parent="c1")))
    with pytest.raises(ValidationError, match="remove them or make them independent"):
        ws.apply(ch.remove_company("c1"))


def test_mws_records_keep_the_token_in_the_keychain(ws: Workspace, tmp_path: Path) -> None:
    ref = new_mws_auth_token_ref(ws.namespace, "ch1")
    ws.apply(ch.set_mws_records("ch1", SELLER, Secret(MWS_TOKEN), AppStatus.ACTIVE, new_ref=ref))
    ws.save()
    assert ws.current.channels["ch1"].has_mws
    assert ws.secret(ref) == Secret(MWS_TOKEN)
    with pytest.raises(ValidationError, match=r"amzn\.mws\."):
        ws.apply(
            ch.set_mws_records("ch1", SELLER, Secret("not-a-token"), AppStatus.ACTIVE, new_ref="x")
        )
    ws.apply(
        ch.set_mws_records("ch1", SELLER, None, AppStatus.DISABLED, new_ref=None, clear_token=True)
    )
    ws.save()
    assert ws.secrets.get(ref) is None  # the cleared token left the keychain too


def test_a_new_client_secret_replaces_the_old_entry(ws: Workspace) -> None:
    app = AppCredentials(application_id="amzn1.sp.solution.0bf296b5-1111")
    first = new_client_secret_ref(ws.namespace)
    ws.apply(ch.set_app_credentials(app, Secret("cs-1"), new_ref=first))
    ws.save()
    second = new_client_secret_ref(ws.namespace)
    ws.apply(ch.set_app_credentials(ws.current.app, Secret("cs-2"), new_ref=second))
    ws.save()
    assert ws.secrets.get(first) is None
    assert ws.secret(second) == Secret("cs-2")


def test_saving_without_a_keychain_refuses_and_keeps_everything(tmp_path: Path) -> None:
    missing = UnavailableSecretStore(SecretStoreError("No keychain was found.", "Install one."))
    ws = Workspace.open(tmp_path, missing)
    ws.apply(ch.add_company(company()))
    with pytest.raises(SecretStoreError, match="Nothing was saved") as caught:
        ws.save()
    assert caught.value.next_step == "Install one."
    assert ws.is_dirty
    assert "c1" in ws.current.companies
    ws.close()


def test_a_failed_save_keeps_every_pending_change(
    ws: Workspace, tmp_path: Path, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("core.storage", r"readonly database")
    ws.apply(new_grant(ws))
    ws.apply(ch.edit_channel(replace(ws.current.channels["ch1"], name="Renamed")))
    assert ws.store is not None
    ws.store._conn.execute("PRAGMA query_only=ON")  # the disk refuses writes from here on
    with pytest.raises(StoreError, match="still pending"):
        ws.save()
    assert ws.is_dirty
    assert len(ws.pending) == 2
    assert ws.secrets.names() == frozenset()  # type: ignore[attr-defined]
    ws.store._conn.execute("PRAGMA query_only=OFF")
    ws.save()  # and the same changes save once the disk is back
    again = reopen(ws, tmp_path)
    assert again.current.channels["ch1"].name == "Renamed"
    again.close()


def test_a_read_only_workspace_refuses_changes(ws: Workspace, tmp_path: Path) -> None:
    second = Workspace.open(tmp_path, MemorySecretStore(), read_only=True)
    assert second.read_only
    with pytest.raises(ReadOnlyError):
        second.apply(ch.add_company(company("c9", "Nine")))
    second.close()


def test_listeners_hear_which_rows_changed(ws: Workspace) -> None:
    events: list[WorkspaceEvent] = []
    ws.changed.connect(events.append)
    ws.apply(ch.edit_channel(replace(ws.current.channels["ch1"], name="X")))
    ws.apply(ch.add_company(company("c2", "Two")))
    ws.undo()
    assert events[0].channels == {"ch1"}
    assert not events[0].structure
    assert events[1].companies == {"c2"}
    assert events[1].structure
    # Undo names what changed back: the company is gone, the channel is still pending.
    assert events[2].companies == {"c2"}
    assert events[2].channels == {"ch1"}
    assert events[2].structure
    ws.revert()
    assert events[3].channels == {"ch1"}
    assert not ws.pending_channel_ids()


def test_a_save_names_the_rows_whose_unsaved_mark_goes(ws: Workspace) -> None:
    ws.apply(ch.edit_channel(replace(ws.current.channels["ch1"], name="X")))
    events: list[WorkspaceEvent] = []
    ws.changed.connect(events.append)
    ws.save()
    assert [(e.channels, e.structure, e.reset) for e in events] == [({"ch1"}, False, False)]


def test_health_is_recorded_at_once_without_a_pending_change(ws: Workspace, tmp_path: Path) -> None:
    failed = Health().after(CheckResult.FAILED, NOW, "Amazon did not answer")
    events: list[WorkspaceEvent] = []
    ws.changed.connect(events.append)
    ws.record_health({"ch1": failed, "gone": failed})
    assert not ws.is_dirty
    assert [e.channels for e in events] == [{"ch1"}]  # one event per batch; unknown skipped
    again = reopen(ws, tmp_path)
    assert again.current.channels["ch1"].health == failed
    again.close()


def test_load_sample_into_an_empty_inventory_only(ws: Workspace) -> None:
    from core.domain.inventory import Inventory

    with pytest.raises(ValidationError, match="not empty"):
        ws.apply(ch.replace_all(Inventory(), {}, NOW))
    assert US in {c.marketplace_id for c in ws.current.channels.values()}


def test_a_new_authorization_clears_the_old_grants_check_results(ws: Workspace) -> None:
    ws.record_health({"ch1": Health().after(CheckResult.NEEDS_REAUTHORIZATION, NOW, "revoked")})
    ws.apply(new_grant(ws))
    assert ws.current.channels["ch1"].health == Health()
    verified = Health().after(CheckResult.OK, NOW)
    auth = authorization("a2", ref=new_refresh_token_ref(ws.namespace, "a2"))
    ws.apply(ch.set_authorization(auth, Secret("Atzr|2"), ["ch1"], health=verified))
    assert ws.current.channels["ch1"].health == verified


def test_the_status_bar_says_where_data_and_secrets_live(
    ws: Workspace, tmp_path: Path, secrets: MemorySecretStore
) -> None:
    from core.services.view.storage import data_label, secrets_label

    assert secrets_label(ws).text == f"Secrets: {secrets.description}"
    assert "never in the inventory file" in secrets_label(ws).tooltip
    shown = data_label(ws, home=tmp_path)
    assert shown.text == "Data: ~/inventory.sqlite3"
    assert shown.tooltip == str(tmp_path / "inventory.sqlite3")
    problem = SecretStoreError("No keychain was found.", "Install GNOME Keyring.")
    without = Workspace(ws.current, UnavailableSecretStore(problem))
    assert secrets_label(without).text == "Secrets: unavailable, saving is off"
    assert "Install GNOME Keyring." in secrets_label(without).tooltip
