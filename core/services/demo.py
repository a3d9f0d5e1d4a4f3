"""Demo mode's Amazon: the built-in simulator, started for the demo inventory (DESIGN §3.5).

Two entry points:

* :func:`start_demo_amazon` starts :func:`core.simulator.demo_simulator` for an inventory and
  its secret values and returns the running simulator with its :class:`Endpoints`. It changes
  no data.
* :class:`DemoOpener` is what ``main.py --demo`` opens the window with (instead of
  ``open_session(demo=True)``). On the worker, before the window sees the inventory, it opens the
  temporary demo session, starts the simulator for it, points the demo app at the simulator
  (``endpoint_profile`` SIMULATOR, ``endpoint_url`` its address) and saves that once more, so the
  demo opens with nothing pending and :func:`core.domain.endpoints.endpoints_for` is the one rule
  everywhere: App credentials shows the simulator, and no demo request can reach Amazon.

The consent hand-off in the demo: the simulator's apps accept loopback redirect URIs
(``loopback_redirects``), so the reauthorize dialog names its own listener
(``http://127.0.0.1:<port>/callback``) as the redirect URI (see :mod:`gui.consent_flow`). The
simulator's consent page then sends the browser straight to the listener, which exercises the
real listener, ``state`` and code exchange without a hosted hand-off page.

No Qt here: this runs on the worker that opens the inventory.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from core.domain.changes import set_app_credentials
from core.domain.endpoints import with_simulator
from core.domain.inventory import Inventory
from core.domain.marketplaces import Endpoints
from core.domain.secret import Secret
from core.services.session import Session, open_session
from core.services.workspace import Workspace
from core.simulator import Simulator, demo_simulator

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DemoAmazon:
    """A running simulator for the demo, and the endpoints that reach it."""

    simulator: Simulator
    endpoints: Endpoints

    @property
    def base_url(self) -> str:
        return self.simulator.base_url

    def stop(self) -> None:
        self.simulator.stop()


def demo_secret_values(workspace: Workspace) -> dict[str, Secret]:
    """Every secret value the inventory points at, read from its store (may block)."""
    values: dict[str, Secret] = {}
    for ref in workspace.current.secret_refs():
        value = workspace.secret(ref)
        if value is not None:
            values[ref] = value
    return values


def start_demo_amazon(
    inventory: Inventory, secrets: Mapping[str, Secret], *, port: int = 0
) -> DemoAmazon:
    """Start the demo simulator for ``inventory``; nothing in the inventory changes.

    The simulator registers the demo app and the inventory's own app (with loopback redirects),
    one account per seller and region, and accepts the inventory's live refresh tokens (those
    the demo shows as expired or refused get ``invalid_grant``, as they would at Amazon).
    """
    simulator = demo_simulator(port, inventory=inventory, secrets=secrets).start()
    log.info("demo: Amazon simulator at %s", simulator.base_url)
    return DemoAmazon(simulator, simulator.endpoints)


class DemoOpener:
    """Opens the demo inventory pointed at a fresh simulator; call :meth:`close` at the end.

    Use it as the window's opener: ``window.open_inventory(opener)``. It runs on the worker.
    """

    def __init__(self, *, port: int = 0) -> None:
        self.port = port
        self.amazon: DemoAmazon | None = None

    def __call__(self) -> Session:
        session = open_session(demo=True)
        amazon: DemoAmazon | None = None
        try:
            workspace = session.workspace
            amazon = start_demo_amazon(
                workspace.current, demo_secret_values(workspace), port=self.port
            )
            app = with_simulator(workspace.current.app, amazon.base_url)
            workspace.apply(set_app_credentials(app))  # no new secret: no new keychain entry
            workspace.save()  # the demo opens clean: nothing pending
        except BaseException:
            if amazon is not None:
                amazon.stop()
            session.close()
            raise
        self.close()  # a previous run's simulator, if this opener is used twice
        self.amazon = amazon
        return session

    def close(self) -> None:
        """Stop the simulator (idempotent)."""
        if self.amazon is not None:
            self.amazon.stop()
            self.amazon = None
