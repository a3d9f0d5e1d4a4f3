"""Unit tests of core.storage.keychain: the Secret wrapper and the stores, without a real
keychain."""

from __future__ import annotations

import copy
import hmac
import json
import logging
import operator
import os
import pickle
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties

from core.domain.errors import SecretStoreError, UserFacingError
from core.domain.secret import Secret
from core.storage.keychain import (
    ALLOWED_BACKENDS,
    KeyringSecretStore,
    MemorySecretStore,
    SecretStore,
    UnavailableSecretStore,
    open_keychain,
)
from core.storage.store import ChangeSet, Store
from tests.core.factories import full_inventory
from tests.leaks import ExpectedWarnings

VALUE = "Atzr|IwEBIA-very-secret-refresh-token-0123456789"

#: Each store operation, named as the store's error messages name it.
OPERATIONS: dict[str, Callable[[SecretStore], object]] = {
    "read": lambda store: store.get("entry"),
    "write": lambda store: store.set("entry", Secret(VALUE)),
    "remove": lambda store: store.delete("entry"),
}


# --- test backends -------------------------------------------------------------------------
# keyring registers every KeyringBackend subclass; a priority that raises keeps these out of
# keyring's own detection (and so out of the real-keychain run, which imports this module too).


class _TestBackend(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend: never chosen by keyring's detection")

    def get_password(self, service: str, username: str) -> str | None:
        raise NotImplementedError

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError


class DictKeyring(_TestBackend):
    """An in-memory keyring that behaves like a real one (deleting a missing entry raises)."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[service, username] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.values[service, username]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("No such password!") from None


class FailingKeyring(_TestBackend):
    """Every call fails with an error that quotes the secret (as some backends' errors do)."""

    def __init__(self, error: type[Exception]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error(f"cannot read {username}: {VALUE}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error(f"cannot store {password!r} for {username}")

    def delete_password(self, service: str, username: str) -> None:
        raise self.error(f"cannot delete {username}: {VALUE}")


class BlockingKeyring(_TestBackend):
    """``set_password`` waits on an event, like a keychain waiting for a password prompt."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.release = threading.Event()
        self.calls: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        self.release.wait(30)


class StuckDictKeyring(DictKeyring):
    """A keychain whose writes hang until released, then finish (a prompt answered late)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(30)
        super().set_password(service, username, password)


class JsonFileKeyring(KeyringBackend):
    """A custom backend that keeps every password in a JSON file: what an allow-list refuses.

    Loadable by name through ``PYTHON_KEYRING_BACKEND`` (keyring reads its priority first), and
    never chosen by keyring's own detection: its priority raises unless it was named there.
    """

    file = Path(os.devnull)

    @properties.classproperty
    def priority(cls) -> float:
        if os.environ.get("PYTHON_KEYRING_BACKEND") != f"{__name__}.JsonFileKeyring":
            raise RuntimeError("test backend: only when named in PYTHON_KEYRING_BACKEND")
        return 1.0

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(self.file.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        values = self._load()
        values[f"{service}/{username}"] = password
        self.file.write_text(json.dumps(values), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        values = self._load()
        values.pop(f"{service}/{username}", None)
        self.file.write_text(json.dumps(values), encoding="utf-8")


def trusted(backend: Any, **kwargs: Any) -> KeyringSecretStore:
    """A store over a test backend, allowed explicitly (never by the product's detection)."""
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    allowed = {**ALLOWED_BACKENDS, name: type(backend).__name__}
    return KeyringSecretStore(backend=backend, allowed=allowed, **kwargs)


# A plain-text backend as keyrings.alt ships it (the package itself is not installed).
PlaintextKeyring: type[KeyringBackend] = type(
    "PlaintextKeyring", (DictKeyring,), {"__module__": "keyrings.alt.file"}
)


# --- Secret --------------------------------------------------------------------------------


def test_secret_never_shows_its_value() -> None:
    secret = Secret(VALUE)
    shown = [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        f"{secret!s}",
        f"{secret:>80}",
        format(secret, "s"),
        "{}".format(secret),  # noqa: UP032 (str.format is what is tested)
        "%s" % secret,  # noqa: UP031 (%-formatting is what is tested)
        "%r" % (secret,),  # noqa: UP031
        str([secret]),
        str({"token": secret}),
        repr((secret,)),
    ]
    for text in shown:
        assert VALUE not in text
        assert "Atzr" not in text
    assert repr(secret) == "Secret(••••••••)"


def test_secret_stays_hidden_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret(VALUE)
    log = logging.getLogger("tests.secrets")
    with caplog.at_level(logging.DEBUG, logger="tests.secrets"):
        log.info("token %s", secret)
        log.info("token %r", secret)
        log.info(f"token {secret}")
        log.info("tokens %s", {"refresh": secret})
        try:
            raise ValueError(f"bad token {secret}")
        except ValueError:
            log.exception("it failed")
    assert len(caplog.records) == 5
    assert VALUE not in caplog.text
    assert "••••••••" in caplog.text


def test_secret_stays_hidden_in_exceptions() -> None:
    secret = Secret(VALUE)
    with pytest.raises(ValueError, match="bad token") as info:
        raise ValueError("bad token", secret)
    assert VALUE not in str(info.value)
    assert VALUE not in repr(info.value)
    assert VALUE not in "".join(traceback.format_exception(info.value))


def test_secret_reveals_only_on_request() -> None:
    assert Secret(VALUE).reveal() == VALUE
    assert len(Secret(VALUE)) == len(VALUE)
    assert Secret(VALUE)
    assert not Secret("")


def test_secret_only_holds_text() -> None:
    with pytest.raises(TypeError):
        Secret(b"bytes")  # type: ignore[arg-type]


def test_secret_equality(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert Secret("abc") == Secret("abc")
    assert Secret("abc") != Secret("abd")
    assert Secret("abc") != Secret("abcd")
    assert Secret("ünï") == Secret("ünï")
    assert compared, "equality must go through hmac.compare_digest (constant time)"
    # A secret never equals its plain value: comparing them is a mistake, not a match.
    assert Secret("abc") != "abc"
    assert operator.eq("abc", Secret("abc")) is False


def test_secret_cannot_be_hashed() -> None:
    with pytest.raises(TypeError):
        hash(Secret(VALUE))
    with pytest.raises(TypeError):
        {Secret(VALUE)}


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_secret_cannot_be_pickled(protocol: int) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Secret(VALUE), protocol=protocol)


def test_secret_cannot_be_copied() -> None:
    with pytest.raises(TypeError):
        copy.copy(Secret(VALUE))
    with pytest.raises(TypeError):
        copy.deepcopy(Secret(VALUE))


def test_masked_shows_at_most_the_end_of_a_long_value() -> None:
    assert Secret("short-secret").masked() == "••••••••"
    assert Secret("x" * 15).masked() == "••••••••"
    assert Secret(VALUE).masked() == "••••••••6789"
    assert Secret(VALUE).masked(visible=2) == "••••••••89"
    assert VALUE[:-4] not in Secret(VALUE).masked()


# --- MemorySecretStore ---------------------------------------------------------------------


def test_memory_store_get_set_delete(memory_store: MemorySecretStore) -> None:
    assert memory_store.get("a/1") is None
    memory_store.set("a/1", Secret("one"))
    memory_store.set("a/1", Secret("one"))
    assert memory_store.get("a/1") == Secret("one")
    memory_store.set("a/1", Secret("uno"))
    assert memory_store.get("a/1") == Secret("uno")
    memory_store.set("a/2", Secret("two"))
    assert memory_store.names() == {"a/1", "a/2"}

    memory_store.delete("a/1")
    memory_store.delete("a/1")
    memory_store.delete("never/there")
    assert memory_store.get("a/1") is None
    assert memory_store.names() == {"a/2"}


def test_memory_store_describes_itself() -> None:
    assert not MemorySecretStore().persistent
    assert MemorySecretStore().description == "memory only"
    assert MemorySecretStore("memory only (demo)").description == "memory only (demo)"


# --- KeyringSecretStore: refusing unsafe backends ------------------------------------------


@pytest.fixture
def empty_chainer(monkeypatch: pytest.MonkeyPatch) -> KeyringBackend:
    monkeypatch.setattr(keyring.backends.chainer.ChainerBackend, "backends", [])
    return keyring.backends.chainer.ChainerBackend()  # type: ignore[no-untyped-call]


@pytest.fixture
def chainer_with_plaintext(monkeypatch: pytest.MonkeyPatch) -> KeyringBackend:
    monkeypatch.setattr(
        keyring.backends.chainer.ChainerBackend, "backends", [PlaintextKeyring(), DictKeyring()]
    )
    return keyring.backends.chainer.ChainerBackend()  # type: ignore[no-untyped-call]


@pytest.mark.parametrize(
    ("backend_fixture", "why"),
    [
        ("fail_backend", "No keychain was found"),
        ("null_backend", "null keyring"),
        ("plaintext_backend", "plain file"),
        ("empty_chainer", "No keychain was found"),
        ("chainer_with_plaintext", "plain file"),
    ],
)
def test_unsafe_backends_are_refused(
    request: pytest.FixtureRequest, backend_fixture: str, why: str
) -> None:
    backend = request.getfixturevalue(backend_fixture)
    with pytest.raises(SecretStoreError, match="Secrets cannot be kept safely") as info:
        KeyringSecretStore(backend=backend)
    error = info.value
    assert isinstance(error, UserFacingError)
    assert why in error.message
    # The message names the fix.
    assert "Secret Service" in error.next_step
    assert "GNOME Keyring or KWallet" in error.next_step
    assert error.next_step in str(error)


@pytest.fixture
def fail_backend() -> KeyringBackend:
    return keyring.backends.fail.Keyring()  # type: ignore[no-untyped-call]


@pytest.fixture
def null_backend() -> KeyringBackend:
    return keyring.backends.null.Keyring()  # type: ignore[no-untyped-call]


@pytest.fixture
def plaintext_backend() -> KeyringBackend:
    return PlaintextKeyring()


def test_the_default_backend_in_tests_is_refused() -> None:
    # conftest.py installs keyring's fail backend for every test not marked `keychain`.
    with pytest.raises(SecretStoreError, match="No keychain was found"):
        KeyringSecretStore()


def test_open_keychain_explains_a_missing_keychain() -> None:
    store = open_keychain()
    assert isinstance(store, UnavailableSecretStore)
    assert store.description == "unavailable"
    assert not store.persistent
    for operation in OPERATIONS.values():
        with pytest.raises(SecretStoreError, match="No keychain was found") as info:
            operation(store)
        assert "Secret Service" in info.value.next_step


# --- KeyringSecretStore: behaviour over an acceptable backend ------------------------------


@pytest.fixture
def dict_keyring() -> DictKeyring:
    return DictKeyring()


def test_keyring_store_round_trip(dict_keyring: DictKeyring) -> None:
    store = trusted(dict_keyring, service="SP Connect test")
    assert store.persistent
    assert store.description == "DictKeyring"
    assert store.get("authorization/1/refresh-token/1") is None

    store.set("authorization/1/refresh-token/1", Secret(VALUE))
    assert dict_keyring.values == {("SP Connect test", "authorization/1/refresh-token/1"): VALUE}
    assert store.get("authorization/1/refresh-token/1") == Secret(VALUE)

    store.set("authorization/1/refresh-token/1", Secret("newer"))
    assert store.get("authorization/1/refresh-token/1") == Secret("newer")

    store.delete("authorization/1/refresh-token/1")
    assert store.get("authorization/1/refresh-token/1") is None


def test_deleting_a_missing_entry_is_a_no_op(dict_keyring: DictKeyring) -> None:
    store = trusted(dict_keyring)
    store.delete("never/there")
    store.set("there", Secret("v"))
    store.delete("there")
    store.delete("there")
    assert dict_keyring.values == {}


@pytest.fixture(params=[keyring.errors.KeyringError, keyring.errors.KeyringLocked, RuntimeError])
def failing_keyring(request: pytest.FixtureRequest) -> FailingKeyring:
    return FailingKeyring(request.param)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_backend_errors_are_wrapped_without_the_secret(
    failing_keyring: FailingKeyring, operation: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = trusted(failing_keyring)
    with pytest.raises(SecretStoreError, match=f"refused to {operation} a secret") as info:
        OPERATIONS[operation](store)
    error = info.value
    # Not chained: the backend's message (which quotes the secret) is not in any traceback.
    assert error.__cause__ is None
    assert error.__context__ is None
    assert error.__suppress_context__
    assert failing_keyring.error.__name__ in str(error)
    assert "Unlock your keychain" in error.next_step
    for text in (str(error), repr(error), "".join(traceback.format_exception(error)), caplog.text):
        assert VALUE not in text
    assert f"keychain {operation} failed" in caplog.text


@pytest.fixture
def blocking_keyring() -> Iterator[BlockingKeyring]:
    backend = BlockingKeyring()
    yield backend
    backend.release.set()


def test_a_hung_keychain_times_out(blocking_keyring: BlockingKeyring) -> None:
    store = trusted(blocking_keyring, timeout_s=0.2)
    started = time.monotonic()
    with pytest.raises(SecretStoreError, match=r"did not answer within 0\.2 seconds") as info:
        store.set("entry", Secret(VALUE))
    assert time.monotonic() - started < 5.0
    assert "trying to write a secret" in info.value.message
    assert "Unlock your keychain" in info.value.next_step
    assert VALUE not in str(info.value)
    # The keychain lane is one thread: while the stuck call holds it, the next call times out
    # too (said as clearly) and, having never started, never reaches the keychain later.
    with pytest.raises(SecretStoreError, match="did not answer"):
        store.set("queued", Secret(VALUE))
    blocking_keyring.release.set()  # the keychain answers again
    assert store.get("entry") is None
    assert blocking_keyring.calls.count("set") == 1


# --- allowed by name --------------------------------------------------------------------------


@pytest.fixture
def json_file(tmp_path: Path) -> Iterator[Path]:
    JsonFileKeyring.file = tmp_path / "passwords.json"
    yield JsonFileKeyring.file
    JsonFileKeyring.file = Path(os.devnull)


def test_a_custom_backend_writing_a_json_file_is_refused(json_file: Path) -> None:
    keyring.set_keyring(JsonFileKeyring())  # type: ignore[no-untyped-call]
    with pytest.raises(SecretStoreError, match="Secrets cannot be kept safely") as caught:
        KeyringSecretStore()
    assert "JsonFileKeyring" in caught.value.message
    assert "not one SP Connect trusts" in caught.value.message
    assert "Secret Service" in caught.value.next_step
    assert not json_file.exists()


def test_a_json_file_backend_named_in_the_environment_is_refused_and_save_refuses(
    json_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", f"{__name__}.JsonFileKeyring")
    keyring.core.init_backend()
    assert type(keyring.get_keyring()) is JsonFileKeyring  # keyring itself accepted it
    secrets = open_keychain()
    assert isinstance(secrets, UnavailableSecretStore)
    assert "not one SP Connect trusts" in secrets.error.message
    inv = full_inventory()
    store = Store.open(tmp_path / "data")
    try:
        with pytest.raises(SecretStoreError, match="not one SP Connect trusts"):
            store.save(
                ChangeSet(companies=dict(inv.companies), app=inv.app),
                secrets,
                {ref: Secret(VALUE) for ref in inv.secret_refs()},
            )
        assert store.load().companies == {}
        assert store.journal() == {}
    finally:
        store.close()
    assert not json_file.exists()


def test_the_operating_systems_keychains_are_allowed_by_name() -> None:
    assert set(ALLOWED_BACKENDS) == {
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
    }


# --- a write that times out and finishes later ----------------------------------------------


@pytest.fixture
def stuck_keyring() -> Iterator[StuckDictKeyring]:
    backend = StuckDictKeyring()
    yield backend
    backend.release.set()


def test_a_late_write_keeps_its_journal_row_until_its_entry_is_gone(
    stuck_keyring: StuckDictKeyring, tmp_path: Path, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("core.storage", r"the keychain did not answer")
    inv = full_inventory()
    ref = inv.app.client_secret_ref
    assert ref is not None
    store = Store.open(tmp_path / "data")
    try:
        with pytest.raises(SecretStoreError, match="did not answer"):
            store.save(
                ChangeSet(app=inv.app), trusted(stuck_keyring, timeout_s=0.2), {ref: Secret(VALUE)}
            )
        assert store.journal() == {ref: "intended"}
        # The inventory is opened again in this process (after a restore, say) with a new store
        # over the same keychain while the write still hangs: its clean-up must not forget the
        # entry the hanging write is about to create.
        again = trusted(stuck_keyring, timeout_s=0.2)
        store.collect_orphans(again)
        assert store.journal() == {ref: "intended"}
        stuck_keyring.release.set()  # the keychain answers: the late write lands
        assert again.get(ref) == Secret(VALUE)
        assert store.collect_orphans(again) == 1
        assert stuck_keyring.values == {}
        assert store.journal() == {}
    finally:
        store.close()
