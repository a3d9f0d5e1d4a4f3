"""A keychain opened when first needed: not by opening the inventory, once, and then the truth."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from core.domain import changes as ch
from core.domain.errors import SecretStoreError
from core.domain.secret import Secret
from core.domain.secret_refs import new_refresh_token_ref
from core.services.deferred_keychain import DeferredKeychain, secrets_known
from core.services.view.storage import secrets_label
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore, SecretStore, UnavailableSecretStore
from tests.core.factories import SELLER, authorization, channel, company

MISSING = SecretStoreError("No keychain was found on this computer.", "Install GNOME Keyring.")


class Opener:
    """Counts how often the real store is opened."""

    def __init__(self, store: SecretStore) -> None:
        self.store, self.calls = store, 0

    def __call__(self) -> SecretStore:
        self.calls += 1
        return self.store


def saved_inventory(folder: Path) -> None:
    ws = Workspace.open(folder, MemorySecretStore())
    ws.apply(ch.add_company(company()))
    ws.apply(ch.add_channel(channel()))
    ws.save()
    ws.close()


def new_grant(ws: Workspace) -> ch.Change:
    auth = authorization("a1", SELLER, ref=new_refresh_token_ref(ws.namespace, "a1"))
    return ch.set_authorization(auth, Secret("Atzr|token-a1"), ["ch1"])


def test_opening_the_inventory_leaves_the_keychain_closed_until_asked(tmp_path: Path) -> None:
    saved_inventory(tmp_path)
    memory = MemorySecretStore()
    opener = Opener(memory)
    ws = Workspace.open(tmp_path, DeferredKeychain(opener))
    try:
        assert opener.calls == 0
        assert not secrets_known(ws.secrets)
        assert ws.current.channels["ch1"].name  # the inventory is all there
        assert secrets_label(ws).text == "Secrets: asking the keychain…"

        assert ws.secrets_problem is None  # asking opens it
        assert opener.calls == 1
        assert secrets_known(ws.secrets)
        assert secrets_label(ws).text == f"Secrets: {memory.description}"

        ws.apply(new_grant(ws))
        ws.save()
        ref = ws.current.authorizations["a1"].refresh_token_ref
        assert ref is not None
        assert memory.get(ref) == Secret("Atzr|token-a1")  # kept in the real store
        assert ws.secrets.get(ref) == Secret("Atzr|token-a1")
        assert opener.calls == 1  # opened once
    finally:
        ws.close()


def test_a_save_first_opens_it_and_a_missing_keychain_keeps_the_changes(tmp_path: Path) -> None:
    saved_inventory(tmp_path)
    opener = Opener(UnavailableSecretStore(MISSING))
    ws = Workspace.open(tmp_path, DeferredKeychain(opener))
    try:
        ws.apply(new_grant(ws))
        assert opener.calls == 0  # a pending secret waits in memory
        with pytest.raises(SecretStoreError) as refused:
            ws.save()
        assert refused.value.message == (
            "Nothing was saved: No keychain was found on this computer. "
            "Your changes are still pending."
        )
        assert refused.value.next_step == "Install GNOME Keyring."
        assert ws.is_dirty
        assert opener.calls == 1
        label = secrets_label(ws)
        assert label.text == "Secrets: unavailable, saving is off"
        assert "Install GNOME Keyring." in label.tooltip
    finally:
        ws.close()


def test_callers_on_several_threads_open_it_once() -> None:
    opener = Opener(MemorySecretStore())
    deferred = DeferredKeychain(opener)
    start = threading.Barrier(4)
    seen: list[SecretStore] = []

    def ask() -> None:
        start.wait(timeout=10)
        seen.append(deferred.store())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert opener.calls == 1
    assert len(seen) == 4
    assert all(store is opener.store for store in seen)
