"""The keychain lane's thread lives as long as the keychain backend it serves.

Stores over one backend share its thread (core/storage/keychain.py). A thread that outlived
its backend stayed parked on its queue for good: one more per backend a store was made over
(in the tests, one per test keyring).
"""

from __future__ import annotations

import functools
import threading

import pytest

from core.domain.secret import Secret
from core.storage.keychain import KeychainThread
from tests.core.test_secrets import DictKeyring, trusted

JOIN_S = 5.0


class Owner:
    """Stands for the store: anything the lane can be tied to."""


def _new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t not in before]


def test_a_keyring_store_takes_its_thread_with_it() -> None:
    before = set(threading.enumerate())
    store = trusted(DictKeyring())  # the backend goes with the store: nothing else holds it
    store.set("authorization/1/refresh-token/1", Secret("a value"))
    (thread,) = _new_threads(before)
    assert thread.name == "keychain"

    del store
    thread.join(JOIN_S)
    assert not thread.is_alive(), "the keychain thread outlived its KeyringSecretStore"


def test_the_keychain_thread_ends_with_its_owner() -> None:
    before = set(threading.enumerate())
    owner = Owner()
    lane = KeychainThread()
    lane.end_with(owner)
    assert lane.submit(lambda: "answered").result(JOIN_S) == "answered"
    (thread,) = _new_threads(before)
    assert thread.name == "keychain"

    del owner
    thread.join(JOIN_S)
    assert not thread.is_alive(), "the keychain thread outlived the store it served"


def test_a_call_queued_when_the_owner_goes_still_runs_first() -> None:
    before = set(threading.enumerate())
    owner = Owner()
    lane = KeychainThread()
    lane.end_with(owner)
    release = threading.Event()
    first = lane.submit(lambda: release.wait(JOIN_S))
    second = lane.submit(lambda: "after")
    (thread,) = _new_threads(before)
    del owner  # the end is queued behind both calls
    release.set()
    assert first.result(JOIN_S) is True
    assert second.result(JOIN_S) == "after"
    thread.join(JOIN_S)
    assert not thread.is_alive()


def test_the_thread_does_not_keep_its_owner_alive() -> None:
    """What the last call ran (a closure over the store) is let go once it has run."""
    before = set(threading.enumerate())
    owner = Owner()
    lane = KeychainThread()
    lane.end_with(owner)
    call = functools.partial(bool, owner)  # holds its owner, as a store's calls hold the store
    assert lane.submit(call).result(JOIN_S) is True
    (thread,) = _new_threads(before)
    del call, owner
    thread.join(JOIN_S)
    if thread.is_alive():
        pytest.fail("the keychain thread still holds the last call, and through it the store")
