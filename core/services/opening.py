"""Opening the person's own inventory (the demo is :mod:`core.services.demo`).

Every surface opens through here: the window on the database lane, the headless commands
directly. A second running copy gets the inventory read-only instead of a second writer.
"""

from __future__ import annotations

import logging
from pathlib import Path

from core.domain.errors import SecretStoreError, StoreLockedError
from core.services.workspace import Workspace
from core.storage import paths
from core.storage.keychain import SecretStore, UnavailableSecretStore, open_keychain

log = logging.getLogger(__name__)


def open_workspace(
    data_dir: str | Path | None = None,
    *,
    secrets: SecretStore | None = None,
    read_only: bool = False,
    keychain: bool = True,
) -> Workspace:
    """Open the person's own inventory (or the one in ``data_dir``).

    Args:
        data_dir: ``--data-dir``; ``None`` means ``$SPCONNECT_DATA_DIR`` or the user's folder.
        secrets: The secret store; by default the OS keychain.
        read_only: Open without taking the lock (for commands that only read).
        keychain: ``False`` for a command that reads no secret: the keychain is never woken.

    When another running copy holds the inventory, it is opened read-only
    (:attr:`Workspace.read_only_reason` says so). Raises the store's errors
    (``CorruptStoreError``...) as they are.
    """
    folder = paths.data_dir(data_dir)
    if secrets is not None:
        store: SecretStore = secrets
    elif keychain:
        store = open_keychain()
    else:
        store = UnavailableSecretStore(SecretStoreError("This command reads no secret."))
    if read_only:
        return Workspace.open(folder, store, read_only=True)
    try:
        return Workspace.open(folder, store)
    except StoreLockedError:
        log.info("inventory locked by another copy: opening it read-only")
        return Workspace.open(folder, store, read_only=True)
