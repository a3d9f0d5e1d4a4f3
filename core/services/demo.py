"""The demo: a sample inventory in a temporary folder, and the Amazon simulator it talks to.

``main.py --demo`` (the window and every command) opens it with :func:`open_demo`. The demo
never touches the person's data folder or keychain: the inventory lives in a fresh temporary
folder with its secrets in memory, and :meth:`Workspace.close` deletes the folder and stops the
simulator.

With ``amazon=True`` (the default) the built-in simulator (:mod:`core.simulator`) starts on
127.0.0.1 for this inventory: it registers the demo app and the inventory's own app (with
loopback redirects), one account per seller and region, and accepts the inventory's live refresh
tokens (those the demo shows as expired or refused get ``invalid_grant``, as they would at
Amazon). The demo app is then pointed at the simulator (``endpoint_profile`` SIMULATOR), and that
is saved, so the demo opens with nothing pending and :func:`core.domain.endpoints.endpoints_for`
is the one rule everywhere: App credentials shows the simulator, and no demo request can reach
Amazon. The simulator's apps accept loopback redirect URIs, so a consent in the demo names the
loopback listener itself as its redirect URI (see :mod:`core.services.consent`).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from core.domain.changes import replace_all
from core.domain.endpoints import with_simulator
from core.domain.inventory import Inventory, utcnow
from core.domain.samples import demo_inventory
from core.domain.secret import Secret
from core.services.workspace import Workspace
from core.simulator import Simulator, demo_simulator
from core.storage.keychain import MemorySecretStore, SecretStore

log = logging.getLogger(__name__)

#: The secret store's description in demo mode (shown in the status bar).
DEMO_SECRETS = "memory only (demo)"


class DemoWorkspace(Workspace):
    """The demo's workspace: :attr:`simulator` is its Amazon (``None`` without one)."""

    simulator: Simulator | None = None


def open_demo(
    *,
    amazon: bool = True,
    port: int = 0,
    now: datetime | None = None,
    secrets: SecretStore | None = None,
) -> DemoWorkspace:
    """Open the demo inventory (and, with ``amazon``, its simulator on ``port``; 0 = free)."""
    folder = Path(tempfile.mkdtemp(prefix="spconnect-demo-"))
    try:
        workspace = DemoWorkspace.open(folder, secrets or MemorySecretStore(DEMO_SECRETS))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    workspace.demo = True
    workspace.on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    try:
        when = now or utcnow()
        inventory, values = demo_inventory(when, workspace.namespace)
        if amazon:
            # Pointed at its simulator before it is loaded: the demo's grants and secret are
            # the simulator's own, and a loaded inventory never switches its Amazon's secrets
            # to a simulator (core.domain.endpoints.check_profile_switch).
            workspace.simulator = simulator = _start_simulator(inventory, values, port)
            workspace.on_close(simulator.stop)
            inventory.app = with_simulator(inventory.app, simulator.base_url)
        workspace.apply(replace_all(inventory, values, when))
        workspace.save()  # the demo opens clean: nothing pending
    except BaseException:
        workspace.close()
        raise
    return workspace


def _start_simulator(inventory: Inventory, values: dict[str, Secret], port: int) -> Simulator:
    simulator = demo_simulator(port, inventory=inventory, secrets=values).start()
    log.info("demo: Amazon simulator at %s", simulator.base_url)
    return simulator
