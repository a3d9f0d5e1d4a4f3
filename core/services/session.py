"""Which inventory a run of SP Connect works on: the user's own, another folder, or the demo.

``main.py`` resolves ``--demo`` / ``--data-dir`` into a :class:`Session` once, so the window and
every headless command (``plan``, later ``export``, ``check``...) open the same inventory the same
way. The demo lives in a fresh temporary folder with an in-memory secret store: it never touches
the user's data directory or keychain, and :meth:`Session.close` removes it.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.domain.changes import replace_all
from core.domain.errors import StoreLockedError
from core.domain.inventory import utcnow
from core.services.workspace import Workspace
from core.storage import paths
from core.storage.keychain import MemorySecretStore, SecretStore, open_keychain
from core.storage.store import DB_NAME

log = logging.getLogger(__name__)

#: The secret store's description in demo mode (shown in the status bar).
DEMO_SECRETS = "memory only (demo)"


@dataclass(slots=True)
class Session:
    """An open inventory and where it came from. Close it when done."""

    workspace: Workspace
    data_dir: Path
    demo: bool = False
    temp_dir: Path | None = None

    @property
    def data_file(self) -> Path:
        return self.data_dir / DB_NAME

    def close(self) -> None:
        """Close the inventory; a demo's temporary folder goes with it."""
        self.workspace.close()
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
            self.temp_dir = None


def open_session(
    data_dir: str | Path | None = None,
    *,
    demo: bool = False,
    secrets: SecretStore | None = None,
    now: datetime | None = None,
    read_only: bool = False,
) -> Session:
    """Open the inventory a run asked for.

    Args:
        data_dir: ``--data-dir``; ``None`` means ``$SPCONNECT_DATA_DIR`` or the user's folder.
        demo: Open the demo inventory in a temporary folder instead (``data_dir`` is ignored).
        secrets: The secret store; by default the OS keychain (or, in demo mode, memory).
        now: The time the demo's expiries are counted from.
        read_only: Open without taking the lock (for commands that only read).

    When another running copy holds the inventory, it is opened read-only (the workspace's
    ``read_only_reason`` says so). Raises the store's errors (``CorruptStoreError``...) as is.
    """
    if demo:
        return _open_demo(secrets or MemorySecretStore(DEMO_SECRETS), now or utcnow())
    folder = paths.data_dir(data_dir)
    store = secrets if secrets is not None else open_keychain()
    if read_only:
        return Session(Workspace.open(folder, store, read_only=True), folder)
    try:
        workspace = Workspace.open(folder, store)
    except StoreLockedError:
        log.info("inventory locked by another copy: opening it read-only")
        workspace = Workspace.open(folder, store, read_only=True)
    return Session(workspace, folder)


def _open_demo(secrets: SecretStore, now: datetime) -> Session:
    # Imported here: the sample data is only needed in demo mode.
    from core.domain.samples import demo_inventory

    folder = Path(tempfile.mkdtemp(prefix="spconnect-demo-"))
    try:
        workspace = Workspace.open(folder, secrets)
        try:
            inventory, values = demo_inventory(now, workspace.namespace)
            workspace.apply(replace_all(inventory, values, now))
            workspace.save()  # the demo starts clean: nothing pending
        except BaseException:
            workspace.close()
            raise
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Session(workspace, folder, demo=True, temp_dir=folder)
