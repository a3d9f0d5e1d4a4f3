"""Test connection in the GUI against a per-test simulator, on real threads
(``TaskRunner(Lanes())``): health is stored and the badge follows, Cancel stops, missing secrets
are explained, and the window's own action runs on the window's runner and stops when the
window closes.

Waits are on what the person sees (qtbot.waitUntil), never sleeps.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QStatusBar, QWidget

from core.amazon.checks import CheckSettings
from core.domain.changes import add_channel, add_company, set_app_credentials, set_authorization
from core.domain.errors import SecretStoreError
from core.domain.inventory import Authorization, AuthSource, Channel, CheckResult, Company, new_id
from core.domain.marketplaces import Region, by_country
from core.domain.secret import Secret
from core.domain.secret_refs import new_client_secret_ref, new_refresh_token_ref
from core.services.checks import CheckRun
from core.services.lanes import Lanes
from core.services.workspace import Workspace
from core.simulator import SimSeller
from core.storage.keychain import MemorySecretStore
from core.storage.store import Store
from gui.bridge import Bridge
from gui.checks import ProgressWindow, start_connection_test
from gui.tasks import TaskRunner
from tests.gui.amazon_support import WAIT_MS, amazon, badge_texts, store, workspace
from tests.gui.conftest import Dialogs, Opened
from tests.integration.consent_support import CLIENT_ID, CLIENT_SECRET, EU_CODES, SELLER, Amazon

__all__ = ["amazon", "store", "workspace"]  # fixtures used by name below

EU_IDS = tuple(c.lower() for c in EU_CODES)
FAST = CheckSettings(workers=2, requests_per_second=500.0, burst=50, attempts=2)


def grant(
    workspace: Workspace, amazon: Amazon, seller: str, channel_ids: tuple[str, ...]
) -> Secret:
    """Give channels a live (simulated) authorization, saved."""
    token = amazon.sim.issue_refresh_token(seller, Region.EU, CLIENT_ID)
    auth_id = new_id()
    auth = Authorization.new(
        seller,
        Region.EU,
        AuthSource.SELF_AUTHORIZATION,
        new_refresh_token_ref(workspace.namespace, auth_id),
        marketplace_ids=frozenset(by_country(c).id for c in EU_CODES),
        auth_id=auth_id,
    )
    workspace.apply(set_authorization(auth, token, channel_ids))
    workspace.save()
    return token


@pytest.fixture
def granted(workspace: Workspace, amazon: Amazon) -> Workspace:
    grant(workspace, amazon, SELLER, EU_IDS)
    return workspace


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    """The real threaded runner, as the window has: a test cannot pass by running inline."""
    threaded = TaskRunner(Lanes())
    yield threaded
    threaded.shutdown()


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    one = Bridge()
    yield one
    one.close()


@pytest.fixture
def parent(qtbot: Any) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def status_bar(qtbot: Any) -> QStatusBar:
    bar = QStatusBar()
    qtbot.addWidget(bar)
    return bar


Start = Callable[..., CheckRun | None]


@pytest.fixture
def start(runner: TaskRunner, bridge: Bridge, parent: QWidget, status_bar: QStatusBar) -> Start:
    def begin(workspace: Workspace, channel_ids: tuple[str, ...], **kwargs: Any) -> CheckRun | None:
        kwargs.setdefault("settings", FAST)
        kwargs.setdefault("status_bar", status_bar)
        return start_connection_test(
            parent, workspace, channel_ids, runner=runner, bridge=bridge, **kwargs
        )

    return begin


def progress_window(parent: QWidget) -> ProgressWindow:
    window = parent.findChild(ProgressWindow)
    assert window is not None
    return window


def saved_health(workspace: Workspace, channel_id: str) -> CheckResult | None:
    """The health as it is in the database file (read by a second, read-only store)."""
    assert workspace.store is not None
    other = Store.open(workspace.store.path.parent, read_only=True)
    try:
        return other.load().channels[channel_id].health.result
    finally:
        other.close()


def wait_for_message(qtbot: Any, status_bar: QStatusBar) -> str:
    qtbot.waitUntil(lambda: bool(status_bar.currentMessage()), timeout=WAIT_MS)
    return status_bar.currentMessage()


def test_invalid_grant_means_needs_reauthorization(
    qtbot: Any,
    granted: Workspace,
    amazon: Amazon,
    start: Start,
    parent: QWidget,
    status_bar: QStatusBar,
) -> None:
    amazon.sim.revoke(SELLER)  # the seller removed the app: refresh gets invalid_grant
    before = dict(granted.current.authorizations)
    run = start(granted, ("uk", "de"))
    assert run is not None
    assert run.total == 1  # one authorization behind both channels
    assert progress_window(parent).isVisible()
    message = wait_for_message(qtbot, status_bar)
    assert message == "Tested 1 connection: 1 needs reauthorization."
    for channel_id in ("uk", "de"):
        health = granted.current.channels[channel_id].health
        assert health.result is CheckResult.NEEDS_REAUTHORIZATION
        assert health.failing_since is not None
        assert "Needs reauthorization" in badge_texts(granted, channel_id)
        assert "Unsaved" not in badge_texts(granted, channel_id)  # stored, not pending
        assert saved_health(granted, channel_id) is CheckResult.NEEDS_REAUTHORIZATION
    assert granted.current.channels["fr"].health.result is not CheckResult.NEEDS_REAUTHORIZATION
    assert not granted.is_dirty
    assert granted.current.authorizations == before  # a test never replaces an authorization
    assert not progress_window(parent).isVisible()


def test_a_working_grant_is_ok(
    qtbot: Any, granted: Workspace, start: Start, status_bar: QStatusBar
) -> None:
    start(granted, EU_IDS)
    assert wait_for_message(qtbot, status_bar) == "Tested 1 connection: 1 working."
    for channel_id in EU_IDS:
        health = granted.current.channels[channel_id].health
        assert health.result is CheckResult.OK
        assert "Acme Europe" in health.message


def test_cancel_stops_the_run_and_keeps_what_was_tested(
    qtbot: Any,
    workspace: Workspace,
    amazon: Amazon,
    start: Start,
    parent: QWidget,
    status_bar: QStatusBar,
) -> None:
    sellers = [f"A{n}MORESELLER00{n}" for n in range(4)]
    for n, seller in enumerate(sellers):
        workspace.apply(add_company(Company(f"more{n}", f"More {n}")))
        channel = Channel(f"m{n}", f"more{n}", by_country("UK").id, f"More {n}", seller)
        workspace.apply(add_channel(channel))
        amazon.sim.add_seller(SimSeller(seller, f"More {n}", Region.EU, [by_country("UK").id]))
        grant(workspace, amazon, seller, (f"m{n}",))
    # Two requests (one test) may go at once; the next would wait about 17 minutes.
    slow = CheckSettings(workers=1, requests_per_second=0.001, burst=2, attempts=1)
    run = start(workspace, tuple(f"m{n}" for n in range(4)), settings=slow)
    assert run is not None
    window = progress_window(parent)
    qtbot.waitUntil(lambda: "1 of 4 done" in window.labelText(), timeout=WAIT_MS)
    assert window.isVisible()
    cancel = window.findChild(QPushButton)
    assert cancel is not None
    assert cancel.text() == "Cancel"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    message = wait_for_message(qtbot, status_bar)
    assert message == "Stopped: 1 of 4 connections tested: 1 working."
    tested = [f"m{n}" for n in range(4) if workspace.current.channels[f"m{n}"].health.checked_at]
    assert len(tested) == 1
    assert not window.isVisible()


def test_no_client_secret_is_explained(
    qtbot: Any,
    granted: Workspace,
    store: MemorySecretStore,
    fake_dialogs: Dialogs,
    start: Start,
    parent: QWidget,
) -> None:
    ref = granted.current.app.client_secret_ref
    assert ref is not None
    store.delete(ref)
    assert start(granted, EU_IDS) is not None
    qtbot.waitUntil(lambda: bool(fake_dialogs.errors()), timeout=WAIT_MS)
    (error,) = fake_dialogs.errors()
    assert "client secret is missing" in error
    assert "Open App credentials" in error
    assert not progress_window(parent).isVisible()
    assert granted.current.channels["uk"].health.checked_at is None


class LockedStore(MemorySecretStore):
    def get(self, name: str) -> Secret | None:
        raise SecretStoreError("The keychain is locked.", "Unlock it, then try again.")


def test_a_locked_keychain_is_explained(
    qtbot: Any, granted: Workspace, fake_dialogs: Dialogs, start: Start
) -> None:
    granted.secrets = LockedStore()
    start(granted, EU_IDS)
    qtbot.waitUntil(lambda: bool(fake_dialogs.errors()), timeout=WAIT_MS)
    assert fake_dialogs.errors() == ["The keychain is locked. Unlock it, then try again."]


def test_nothing_to_test_is_explained(
    workspace: Workspace, fake_dialogs: Dialogs, start: Start, parent: QWidget
) -> None:
    assert start(workspace, EU_IDS) is None  # no authorization yet
    (error,) = fake_dialogs.errors()
    assert "None of the selected channels has an authorization" in error
    assert parent.findChild(ProgressWindow) is None


def test_a_pending_client_secret_is_used(
    qtbot: Any,
    granted: Workspace,
    store: MemorySecretStore,
    start: Start,
    status_bar: QStatusBar,
) -> None:
    """A client secret typed in App credentials but not saved yet is the one the test uses."""
    ref = granted.current.app.client_secret_ref
    assert ref is not None
    store.set(ref, Secret("amzn1.oa2-cs.v1.an-old-secret"))  # what the keychain holds
    new_ref = new_client_secret_ref(granted.namespace)
    granted.apply(set_app_credentials(granted.current.app, Secret(CLIENT_SECRET), new_ref=new_ref))
    start(granted, EU_IDS)
    assert wait_for_message(qtbot, status_bar) == "Tested 1 connection: 1 working."


# --- from the window's own action, on the window's runner ----------------------------------


@pytest.fixture
def threaded_window(
    open_window: Callable[..., Opened], granted: Workspace, store: MemorySecretStore
) -> Opened:
    """The window on the granted inventory, with the real threaded runner."""
    assert granted.data_dir is not None
    folder = granted.data_dir
    granted.close()
    return open_window(folder, store, runner=TaskRunner(Lanes()))


def test_test_connection_from_the_window(qtbot: Any, threaded_window: Opened) -> None:
    window, ws = threaded_window.window, threaded_window.ws
    assert threaded_window.page.select("channel", "uk")
    window.act.test_connection.trigger()
    (run,) = window.connection_tests
    progress = window.findChild(ProgressWindow)
    assert progress is not None
    qtbot.waitUntil(lambda: not window.connection_tests, timeout=WAIT_MS)  # the run ended
    assert window.statusBar().currentMessage() == "Tested 1 connection: 1 working."
    assert not run.running
    assert not progress.isVisible()
    # The grant covers all five channels, but only the selected one was tested.
    for channel_id in EU_IDS:
        expected = CheckResult.OK if channel_id == "uk" else None
        assert ws.current.channels[channel_id].health.result is expected
    assert "Unsaved" not in badge_texts(ws, "uk")
    window.close()


class HeldSecrets(MemorySecretStore):
    """Refresh-token reads wait at a gate: the run is under way, stuck before Amazon."""

    def __init__(self, values: MemorySecretStore) -> None:
        super().__init__()
        for name in values.names():
            value = values.get(name)
            assert value is not None
            self.set(name, value)
        self.reading = threading.Event()
        self.gate = threading.Event()

    def get(self, name: str) -> Secret | None:
        if "/refresh-token/" in name:
            self.reading.set()
            assert self.gate.wait(WAIT_MS / 1000), "the test never opened the gate"
        return super().get(name)


def test_closing_the_window_cancels_a_running_test(
    qtbot: Any,
    open_window: Callable[..., Opened],
    workspace: Workspace,
    amazon: Amazon,
    store: MemorySecretStore,
    tmp_path: Path,
) -> None:
    for n in range(8):
        seller = f"A{n}CLOSESELLER0{n}"
        # Unified children of Acme: selecting Acme selects their channels too.
        workspace.apply(add_company(Company(f"close{n}", f"Close {n}", "acme")))
        workspace.apply(
            add_channel(Channel(f"cl{n}", f"close{n}", by_country("UK").id, "", seller))
        )
        amazon.sim.add_seller(SimSeller(seller, f"Close {n}", Region.EU, [by_country("UK").id]))
        grant(workspace, amazon, seller, (f"cl{n}",))
    assert workspace.data_dir is not None
    folder = workspace.data_dir
    workspace.close()
    held = HeldSecrets(store)
    opened = open_window(folder, held, runner=TaskRunner(Lanes()))
    window = opened.window
    assert opened.page.select("company", "acme")  # its five channels without a grant, and eight
    window.act.test_connection.trigger()
    (run,) = window.connection_tests
    assert held.reading.wait(WAIT_MS / 1000)  # the run is under way
    window.close()  # shutdown: the run is told to stop, the lanes stop, the bridge goes quiet
    held.gate.set()  # the tests already under way go on; nothing new starts
    qtbot.waitUntil(lambda: not run.running, timeout=WAIT_MS)
    assert run.total == 8
    # At most one test per worker was under way; the others never reached Amazon.
    assert amazon.sim.count("/auth/o2/token") <= CheckSettings().workers < run.total
    assert run.summary.cancelled


def test_the_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m tests.benchmarks check --quick``: its last line is the JSON summary."""
    from tests.benchmarks import check

    assert check.main(["--quick"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # Figures only: on a loaded machine a request may arrive late and bunch up (a throttle).
    assert {"rate_ratio", "max_stall_ms", "throttled", "secret_store"} <= figures.keys()
    assert figures["rate_ratio"] > 0
