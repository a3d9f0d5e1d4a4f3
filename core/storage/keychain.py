"""Secrets: a wrapper that cannot print, and stores that keep them in the OS keychain.

Secrets (refresh tokens, the LWA client secret, MWS Authorization Tokens) live in three places
only: the OS keychain, memory (as :class:`Secret`), and the wire to Amazon. The database holds
entry *names* (references), never values.

Entry names are ``<namespace>/<kind>/<owner>/<version>``, built only by
:mod:`core.domain.secret_refs`: one secret per entry (Windows Credential Locker caps an entry at
about 2.5 KB), a fresh name for every new value so that a Save can write new entries before the
database points at them (see :mod:`core.storage.store`).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import importlib
import logging
import queue
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from core.domain.errors import KeychainNotAnswering, SecretStoreError
from core.domain.secret import Secret

log = logging.getLogger(__name__)

SERVICE_NAME = "SP Connect"
#: A keychain call that has not answered by then is treated as a locked or hung keychain. A
#: healthy Secret Service answers in milliseconds; the person must hear "unlock your keychain"
#: within 5 seconds (issue 8), and a call still stuck behind an unlock prompt finishes later on
#: the keychain thread, its entry journalled for clean-up.
DEFAULT_TIMEOUT_S = 4.0

T = TypeVar("T")


class SecretStore(Protocol):
    """Where secrets are kept. Every method may raise :class:`SecretStoreError`."""

    @property
    def description(self) -> str:
        """For the status bar, e.g. ``GNOME Keyring`` or ``memory only (demo)``."""
        ...

    @property
    def persistent(self) -> bool:
        """Whether values outlive this process."""
        ...

    def get(self, name: str) -> Secret | None: ...

    def set(self, name: str, value: Secret) -> None: ...

    def delete(self, name: str) -> None:
        """Remove an entry; removing one that does not exist is not an error."""
        ...


class MemorySecretStore:
    """Secrets in this process only: for tests and the demo. Nothing reaches the disk."""

    def __init__(self, description: str = "memory only") -> None:
        self._values: dict[str, Secret] = {}
        self._lock = threading.Lock()
        self._description = description

    @property
    def description(self) -> str:
        return self._description

    @property
    def persistent(self) -> bool:
        return False

    def get(self, name: str) -> Secret | None:
        with self._lock:
            return self._values.get(name)

    def set(self, name: str, value: Secret) -> None:
        with self._lock:
            self._values[name] = value

    def delete(self, name: str) -> None:
        with self._lock:
            self._values.pop(name, None)

    def names(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._values)


class UnavailableSecretStore:
    """Stands in when no keychain can be used; every call raises the reason."""

    def __init__(self, error: SecretStoreError) -> None:
        self.error = error

    @property
    def description(self) -> str:
        return "unavailable"

    @property
    def persistent(self) -> bool:
        return False

    def get(self, name: str) -> Secret | None:
        raise self.error

    def set(self, name: str, value: Secret) -> None:
        raise self.error

    def delete(self, name: str) -> None:
        raise self.error


# --- the OS keychain -------------------------------------------------------------------------

_FIX_LINUX = (
    "Install and unlock a keychain that provides the Secret Service (GNOME Keyring or KWallet), "
    "then restart SP Connect."
)

#: The backends that keep secrets in the operating system's own keychain, by qualified class
#: name, with the name the status bar shows. Anything else is refused, whatever it claims: a
#: custom ``PYTHON_KEYRING_BACKEND`` may write passwords to a plain file.
ALLOWED_BACKENDS: Mapping[str, str] = {
    "keyring.backends.SecretService.Keyring": "GNOME Keyring",
    "keyring.backends.libsecret.Keyring": "GNOME Keyring",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KWallet",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
}


def backend_name(backend: Any) -> str:
    """``module.Class`` of a keyring backend, as an allow-list names it."""
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def _refusal(backend: Any, allowed: Mapping[str, str]) -> str | None:
    """Why a keyring backend is unacceptable, or ``None`` if it is on the allow-list."""
    module = type(backend).__module__
    name = type(backend).__name__
    if module.startswith("keyring.backends.fail"):
        return "No keychain was found on this computer."
    if module.startswith("keyring.backends.null"):
        return "The keychain is switched off (the null keyring is configured)."
    if module.startswith("keyring.backends.chainer"):
        # The chainer reads from and may write to any of them: every one must be allowed.
        backends = list(getattr(backend, "backends", []))
        if not backends:
            return "No keychain was found on this computer."
        for inner in backends:
            reason = _refusal(inner, allowed)
            if reason:
                return reason
        return None
    if backend_name(backend) in allowed:
        return None
    if module.startswith("keyrings.alt") or "plaintext" in name.lower():
        return "The configured keychain stores passwords in a plain file, which SP Connect refuses."
    return (
        f"The configured keychain ({backend_name(backend)}) is not one SP Connect trusts to "
        "keep secrets; it accepts only the operating system's own keychain."
    )


def describe_backend(backend: Any, allowed: Mapping[str, str] = ALLOWED_BACKENDS) -> str:
    return allowed.get(backend_name(backend), type(backend).__name__)


class KeyringSecretStore:
    """Secrets in the OS keychain through :mod:`keyring`, one entry per secret.

    Accepts only the backends of :data:`ALLOWED_BACKENDS` (a test passes its own store in
    ``allowed``, explicitly), refusing the others with a message naming the fix, and bounds
    every call by ``timeout_s``: a locked Secret Service can otherwise wait forever on a
    password prompt nobody sees.

    Every call runs on the backend's one keychain thread (the keychain lane; see
    :mod:`core.services.lanes`), a daemon so that a keychain that never answers cannot keep the
    app from exiting. A call that times out is cancelled if it had not started yet; one that is
    stuck in the keychain holds the thread, so the calls behind it time out too, each with the
    same clear message, until the keychain answers again. The thread belongs to the backend,
    not the store: a store made later (the inventory opened again) queues behind a write that
    timed out but still runs, so its clean-up cannot delete that entry before it exists and
    drop the journal row that would have found it.
    """

    def __init__(
        self,
        backend: Any | None = None,
        service: str = SERVICE_NAME,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        *,
        allowed: Mapping[str, str] = ALLOWED_BACKENDS,
    ) -> None:
        keyring = importlib.import_module("keyring")
        self._backend = backend if backend is not None else keyring.get_keyring()
        self._service = service
        self._timeout_s = timeout_s
        self._allowed = allowed
        reason = _refusal(self._backend, allowed)
        if reason:
            raise SecretStoreError(f"Secrets cannot be kept safely: {reason}", _FIX_LINUX)
        self._thread = thread_for(self._backend, self)

    @property
    def description(self) -> str:
        return describe_backend(self._backend, self._allowed)

    @property
    def persistent(self) -> bool:
        return True

    def get(self, name: str) -> Secret | None:
        value = self._call("read", lambda: self._backend.get_password(self._service, name))
        return None if value is None else Secret(value)

    def set(self, name: str, value: Secret) -> None:
        self._call("write", lambda: self._backend.set_password(self._service, name, value.reveal()))

    def delete(self, name: str) -> None:
        errors = importlib.import_module("keyring.errors")

        def remove() -> None:
            # Already gone is fine: deleting is idempotent.
            with contextlib.suppress(errors.PasswordDeleteError):
                self._backend.delete_password(self._service, name)

        self._call("remove", remove)

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        future = self._thread.submit(fn)
        try:
            return future.result(timeout=self._timeout_s)
        except concurrent.futures.TimeoutError:
            future.cancel()  # still queued behind a stuck call: it never reaches the keychain
            failure = None
        except Exception as exc:
            failure = type(exc).__name__
        # Raised out here, not in the except blocks: keyring errors may quote their input, and
        # an exception raised there would keep the original as its context.
        if failure is None:
            raise KeychainNotAnswering(
                f"The keychain did not answer within {self._timeout_s:g} seconds "
                f"(trying to {what} a secret).",
                "Unlock your keychain (it may be waiting for its password), then try again.",
            ) from None
        log.warning("keychain %s failed: %s", what, failure)
        raise SecretStoreError(
            f"The keychain refused to {what} a secret ({failure}).",
            "Unlock your keychain and try again.",
        ) from None


class KeychainThread:
    """One daemon thread that runs keychain calls in order: the keychain lane.

    Not a ``ThreadPoolExecutor``: its threads are joined when Python exits, so a keychain call
    that never returns would keep the app from quitting. It ends with its owner
    (:meth:`end_with`: the backend it serves), after the calls already queued; otherwise every
    backend a store was made over would leave a thread parked on its queue for good.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[
            tuple[concurrent.futures.Future[Any], Callable[[], Any]] | None
        ] = queue.SimpleQueue()
        self._worker = threading.Thread(target=self._run, name="keychain", daemon=True)
        self._worker.start()

    def end_with(self, owner: object) -> None:
        """Stop once ``owner`` is gone (garbage collected), after what is already queued."""
        weakref.finalize(owner, self._queue.put, None)

    def submit(self, fn: Callable[[], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._queue.put((future, fn))
        return future

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            future, fn = item
            # Not kept past the call: a call closes over its store, which would never go.
            del item
            if future.set_running_or_notify_cancel():  # else cancelled: its caller gave up
                try:
                    future.set_result(fn())
                except BaseException as exc:  # handed to the caller, who words it
                    future.set_exception(exc)
            del future, fn


_threads: weakref.WeakKeyDictionary[Any, KeychainThread] = weakref.WeakKeyDictionary()
_threads_lock = threading.Lock()


def thread_for(backend: Any, store: object | None = None) -> KeychainThread:
    """The one keychain thread of ``backend``, shared by every store over it.

    It ends with the backend; one that cannot be weakly referenced gets a thread of its own,
    which ends with ``store`` (the store it serves).
    """
    with _threads_lock:
        try:
            thread = _threads.get(backend)
        except TypeError:  # not weakly referenceable: a thread of its own
            thread = KeychainThread()
            if store is not None:
                thread.end_with(store)
            return thread
        if thread is None:
            thread = _threads[backend] = KeychainThread()
            thread.end_with(backend)
        return thread


def open_keychain(
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> KeyringSecretStore | UnavailableSecretStore:
    """The OS keychain, or a store that explains why there is none."""
    try:
        return KeyringSecretStore(timeout_s=timeout_s)
    except SecretStoreError as exc:
        return UnavailableSecretStore(exc)


def configured_backend() -> tuple[str, str, str | None]:
    """The keyring backend SP Connect would use: its ``module.Class``, the name the status bar
    gives it, and why it is refused (``None`` when allowed). Reads and writes no entry."""
    backend = importlib.import_module("keyring").get_keyring()
    return backend_name(backend), describe_backend(backend), _refusal(backend, ALLOWED_BACKENDS)
