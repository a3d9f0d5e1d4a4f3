"""The OS keychain, opened when it is first needed instead of while the window starts.

Opening the keychain imports :mod:`keyring` (with its dependencies, about 35 ms on the
reference machine) and asks the system which backend it has (on a desktop, a D-Bus round
trip). Nothing the window shows first needs it: the tree, the badges and the filter never read
a secret. The window therefore opens its inventory on a :class:`DeferredKeychain`; the status
bar says the keychain is being asked until it is known (:func:`secrets_known`), and the window
asks it on the database lane right after the inventory is shown. A Save, a Reveal or a test of
a connection that comes first opens it where it runs (on a lane, never the GUI thread).

Whether saving is possible is only decided once the keychain is known: every check of it goes
through :func:`secrets_unavailable`, which opens it first. Commands without a window open the
keychain as before (:func:`core.services.opening.open_workspace`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from core.domain.errors import SecretStoreError
from core.domain.secret import Secret
from core.storage.keychain import SecretStore, UnavailableSecretStore, open_keychain


class DeferredKeychain:
    """A :class:`~core.storage.keychain.SecretStore` that opens the real one on first use.

    ``opener`` makes the real store once (by default :func:`open_keychain`, which never raises:
    a missing or refused keychain becomes an :class:`UnavailableSecretStore` that says why).
    Thread-safe: the first caller opens it, the others wait for that one.
    """

    def __init__(self, opener: Callable[[], SecretStore] = open_keychain) -> None:
        self._opener = opener
        self._lock = threading.Lock()
        self._store: SecretStore | None = None

    @property
    def known(self) -> bool:
        """Whether the real store was opened (so asking about it costs nothing more)."""
        return self._store is not None

    def store(self) -> SecretStore:
        """The real store, opened now if it was not yet (blocking: call it on a lane)."""
        store = self._store
        if store is None:
            with self._lock:
                store = self._store
                if store is None:
                    store = self._store = self._opener()
        return store

    @property
    def description(self) -> str:
        return self.store().description

    @property
    def persistent(self) -> bool:
        return self.store().persistent

    def get(self, name: str) -> Secret | None:
        return self.store().get(name)

    def set(self, name: str, value: Secret) -> None:
        self.store().set(name, value)

    def delete(self, name: str) -> None:
        self.store().delete(name)


def secrets_unavailable(secrets: SecretStore) -> SecretStoreError | None:
    """Why ``secrets`` can keep nothing (so saving is off), or ``None``; opens a deferred one."""
    if isinstance(secrets, DeferredKeychain):
        secrets = secrets.store()
    return secrets.error if isinstance(secrets, UnavailableSecretStore) else None


def secrets_known(secrets: SecretStore) -> bool:
    """Whether asking about ``secrets`` answers at once (a deferred keychain not yet opened does
    not: it is asked on a lane)."""
    return not isinstance(secrets, DeferredKeychain) or secrets.known
