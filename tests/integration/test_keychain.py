"""KeyringSecretStore against a real Secret Service (GNOME Keyring on a private D-Bus session).

Run by ``bash scripts/test`` inside ``dbus-run-session``; skipped anywhere else (see
``tests/conftest.py``). Every entry name carries a fresh uuid, and every test removes what it wrote.
"""

from __future__ import annotations

import concurrent.futures
import secrets
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator

import keyring
import pytest

from core.domain.errors import SecretStoreError
from core.domain.secret import Secret
from core.storage.keychain import SERVICE_NAME, KeyringSecretStore, thread_for
from tests.secret_service import SecretServiceDaemon

pytestmark = pytest.mark.keychain

NameFactory = Callable[[str], str]


@pytest.fixture
def store() -> KeyringSecretStore:
    return KeyringSecretStore(timeout_s=10.0)


@pytest.fixture
def entry_name(store: KeyringSecretStore) -> Iterator[NameFactory]:
    """Makes entry names unique to this run and test; removes the entries afterwards."""
    run = uuid.uuid4().hex
    made: list[str] = []

    def make(kind: str) -> str:
        name = f"test-{run}/{kind}/{len(made)}"
        made.append(name)
        return name

    yield make
    for name in made:
        store.delete(name)


def _keychain_lane_idle(timeout_s: float) -> bool:
    """Waits until every call queued on the keychain thread before now has finished.

    The thread is a long-lived daemon (one per backend), so it is not joined: a no-op queued
    behind the calls left hanging by a timeout returns once they have all returned.
    """
    marker = thread_for(keyring.get_keyring()).submit(lambda: None)
    try:
        marker.result(timeout=timeout_s)
    except concurrent.futures.TimeoutError:
        return False
    return True


def test_default_backend_is_the_secret_service(store: KeyringSecretStore) -> None:
    assert type(keyring.get_keyring()).__module__ == "keyring.backends.SecretService"
    assert store.description == "GNOME Keyring"
    assert store.persistent


def test_write_read_overwrite_delete(store: KeyringSecretStore, entry_name: NameFactory) -> None:
    name = entry_name("authorization")
    assert store.get(name) is None

    store.set(name, Secret("first-value"))
    assert store.get(name) == Secret("first-value")

    store.set(name, Secret("second-value"))
    assert store.get(name) == Secret("second-value")

    store.delete(name)
    assert store.get(name) is None
    store.delete(name)  # already gone: not an error
    assert store.get(name) is None


def test_deleting_an_entry_that_never_existed_is_a_no_op(
    store: KeyringSecretStore, entry_name: NameFactory
) -> None:
    name = entry_name("never-written")
    store.delete(name)
    assert store.get(name) is None


def test_the_value_is_in_the_secret_service_itself(
    store: KeyringSecretStore, entry_name: NameFactory
) -> None:
    name = entry_name("refresh-token")
    store.set(name, Secret("seen-by-libsecret"))
    # A different client (libsecret's secret-tool) finds it: it is in the daemon, not in memory.
    found = subprocess.run(
        ["secret-tool", "lookup", "service", SERVICE_NAME, "username", name],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    assert found.stdout == "seen-by-libsecret"


def test_entries_do_not_mix(store: KeyringSecretStore, entry_name: NameFactory) -> None:
    first, second = entry_name("refresh-token"), entry_name("refresh-token")
    store.set(first, Secret("one"))
    store.set(second, Secret("two"))
    store.delete(first)
    assert store.get(first) is None
    assert store.get(second) == Secret("two")


def test_a_long_refresh_token_round_trips(
    store: KeyringSecretStore, entry_name: NameFactory
) -> None:
    token = ("Atzr|" + secrets.token_urlsafe(2000))[:2000]
    assert len(token) == 2000
    name = entry_name("refresh-token")
    store.set(name, Secret(token))
    read = store.get(name)
    assert read is not None
    assert read.reveal() == token


def test_unicode_round_trips(store: KeyringSecretStore, entry_name: NameFactory) -> None:
    value = "pässwörd ☃ 鍵 🔑 \u200b end"
    name = entry_name("client-secret/ünïcödé")
    store.set(name, Secret(value))
    read = store.get(name)
    assert read is not None
    assert read.reveal() == value


def test_a_hung_keychain_times_out_and_recovers(
    secret_service: SecretServiceDaemon, entry_name: NameFactory
) -> None:
    name = entry_name("refresh-token")
    quick = KeyringSecretStore(timeout_s=1.0)
    quick.set(name, Secret("before"))

    attempts: list[Callable[[], object]] = [
        lambda: quick.set(name, Secret("while-frozen")),
        lambda: quick.get(name),
        lambda: quick.delete(name),
    ]
    with secret_service.frozen():
        for attempt in attempts:
            started = time.monotonic()
            with pytest.raises(SecretStoreError, match="did not answer within 1 seconds") as info:
                attempt()
            assert time.monotonic() - started < 5.0
            assert "Unlock your keychain" in info.value.next_step
            assert "while-frozen" not in str(info.value)

    # Thawed, the calls left hanging finish (in order, on the daemon's side) ...
    assert _keychain_lane_idle(timeout_s=20.0)
    # ... and the same store works again.
    quick.set(name, Secret("after"))
    assert quick.get(name) == Secret("after")
