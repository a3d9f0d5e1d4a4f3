"""Test all in the window, against a per-test simulator on real threads (``TaskRunner(Lanes())``).

Every channel or the filtered ones (the action's text says which), channels without an
authorization skipped and counted, results streaming into the tree and the banner batch by batch
while the run goes on, Cancel, and a second Test all bringing the running one forward.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from core.domain.changes import add_channel, add_company
from core.domain.inventory import Channel, CheckResult, Company
from core.domain.marketplaces import Region, by_country
from core.domain.secret import Secret
from core.services.lanes import Lanes
from core.services.view.sorting import Column
from core.services.workspace import Workspace
from core.simulator import SimSeller
from core.storage.keychain import MemorySecretStore
from gui.checks import ProgressWindow
from gui.checks.test_all import ALREADY_RUNNING
from gui.inventory.model import StatusRole
from gui.tasks import TaskRunner
from tests.gui.amazon_support import WAIT_MS, amazon, store, workspace
from tests.gui.conftest import Dialogs, Opened
from tests.gui.test_connection_test import grant
from tests.integration.consent_support import SELLER, Amazon

__all__ = ["amazon", "store", "workspace"]  # fixtures used by name below

#: Companies of their own, each with one UK channel on its own grant.
TREES = ("Birch", "Cedar", "Elm", "Hazel", "Larch", "Rowan")
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def seller_of(name: str) -> str:
    return f"A1{name.upper():X<9}TREE"


def forest(workspace: Workspace, amazon: Amazon) -> None:
    """Acme's UK, DE and FR on one grant, IT and ES without one; six more companies with a
    channel and a grant each: 7 authorizations for 9 channels, 2 channels skipped."""
    grant(workspace, amazon, SELLER, ("uk", "de", "fr"))
    for name in TREES:
        seller = seller_of(name)
        workspace.apply(add_company(Company(name.lower(), f"{name} Ltd")))
        channel = Channel(f"{name.lower()}-uk", name.lower(), by_country("UK").id, "", seller)
        workspace.apply(add_channel(channel))
        amazon.sim.add_seller(
            SimSeller(seller, f"{name} Store", Region.EU, [channel.marketplace_id])
        )
        grant(workspace, amazon, seller, (channel.id,))


TESTED = ("uk", "de", "fr", *(f"{n.lower()}-uk" for n in TREES))


class GatedSecrets(MemorySecretStore):
    """The first ``allow`` refresh-token reads go through; the others wait at a gate, so the
    run stays under way with some results in and the rest still to come."""

    def __init__(self, values: MemorySecretStore, allow: int) -> None:
        super().__init__()
        for name in values.names():
            value = values.get(name)
            assert value is not None
            self.set(name, value)
        self.allow = allow
        self.gate = threading.Event()
        self._lock = threading.Lock()

    def get(self, name: str) -> Secret | None:
        if "/refresh-token/" in name:
            with self._lock:
                self.allow -= 1
                held = self.allow < 0
            if held:
                assert self.gate.wait(WAIT_MS / 1000), "the test never opened the gate"
        return super().get(name)


@pytest.fixture
def forest_folder(workspace: Workspace, amazon: Amazon) -> Path:
    forest(workspace, amazon)
    assert workspace.data_dir is not None
    folder = workspace.data_dir
    workspace.close()
    return folder


def open_threaded(
    open_window: Callable[..., Opened], folder: Path, secrets: MemorySecretStore
) -> Opened:
    return open_window(folder, secrets, runner=TaskRunner(Lanes()))


def progress_window(opened: Opened) -> ProgressWindow:
    window = opened.window.findChild(ProgressWindow)
    assert window is not None
    return window


def status_badges(opened: Opened, channel_id: str) -> list[str]:
    """The badges the tree shows for a channel (what the person sees, not the workspace)."""
    index = opened.page.model.index_of("channel", channel_id, Column.STATUS)
    assert index.isValid()
    return [badge.text for badge in index.data(StatusRole)]


def test_test_all_tests_every_channel_and_counts_the_skipped(
    qtbot: Any, open_window: Callable[..., Opened], forest_folder: Path, store: MemorySecretStore
) -> None:
    opened = open_threaded(open_window, forest_folder, store)
    window, ws = opened.window, opened.ws
    action = window.act.test_all
    assert action.text() == "Test &all 11"
    assert action.isEnabled()
    assert "Ctrl+Shift+T" in action.toolTip()
    amazon_menu = next(m for m in window.menuBar().actions() if m.text() == "&Amazon").menu()
    assert action in amazon_menu.actions()
    qtbot.keyClick(opened.page.view, Qt.Key.Key_T, CTRL_SHIFT)  # the keyboard reaches it
    (run,) = window.connection_tests
    assert run.total == 7  # one test per authorization
    progress = progress_window(opened)
    assert progress.windowTitle() == "Test all — SP Connect"
    assert "2 channels have no authorization to test." in progress.labelText()
    qtbot.waitUntil(lambda: not window.connection_tests, timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == (
        "Tested 7 connections: 7 working. 2 channels have no authorization to test."
    )
    for channel_id in TESTED:
        assert ws.current.channels[channel_id].health.result is CheckResult.OK
    for channel_id in ("it", "es"):
        assert ws.current.channels[channel_id].health.checked_at is None
    assert not progress.isVisible()


def test_with_a_filter_it_tests_only_the_channels_shown(
    qtbot: Any, open_window: Callable[..., Opened], forest_folder: Path, store: MemorySecretStore
) -> None:
    opened = open_threaded(open_window, forest_folder, store)
    window, ws, page = opened.window, opened.ws, opened.page
    qtbot.keyClicks(page.filter_edit, "cedar")
    assert window.act.test_all.text() == "Test the 1 s&hown"
    assert "the channel the filter shows" in window.act.test_all.toolTip()
    window.act.test_all.trigger()
    (run,) = window.connection_tests
    assert run.total == 1
    assert progress_window(opened).windowTitle() == "Test the channels shown — SP Connect"
    qtbot.waitUntil(lambda: not window.connection_tests, timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == "Tested 1 connection: 1 working."
    tested = {i for i in TESTED if ws.current.channels[i].health.checked_at is not None}
    assert tested == {"cedar-uk"}
    page.filter_edit.clear()  # the filter gone, the action is for everything again
    assert window.act.test_all.text() == "Test &all 11"


def test_a_filter_showing_no_authorization_explains(
    open_window: Callable[..., Opened],
    forest_folder: Path,
    store: MemorySecretStore,
    fake_dialogs: Dialogs,
    qtbot: Any,
) -> None:
    opened = open_threaded(open_window, forest_folder, store)
    qtbot.keyClicks(opened.page.filter_edit, "acme italy")
    assert opened.window.act.test_all.text() == "Test the 1 s&hown"
    opened.window.act.test_all.trigger()
    (error,) = fake_dialogs.errors()
    assert error.startswith("None of the 1 channels shown has an authorization to test.")
    assert not opened.window.connection_tests
    assert opened.window.findChild(ProgressWindow) is None


@pytest.fixture
def gated(
    open_window: Callable[..., Opened],
    forest_folder: Path,
    store: MemorySecretStore,
    amazon: Amazon,
) -> Iterator[tuple[Opened, GatedSecrets]]:
    """The forest's window with every grant revoked at Amazon, and only one test let through."""
    for name in (SELLER, *(seller_of(n) for n in TREES)):
        amazon.sim.revoke(name)
    secrets = GatedSecrets(store, allow=1)
    opened = open_threaded(open_window, forest_folder, secrets)
    try:
        yield opened, secrets
    finally:
        secrets.gate.set()  # whatever happened, no network thread stays stuck at the gate


def test_results_stream_into_the_tree_and_the_banner_while_the_run_goes_on(
    qtbot: Any, gated: tuple[Opened, GatedSecrets]
) -> None:
    opened, secrets = gated
    window, ws, page = opened.window, opened.ws, opened.page
    before = page.banner.text()
    assert "need reauthorization" in before
    assert all("Needs reauthorization" not in status_badges(opened, c) for c in TESTED)
    window.act.test_all.trigger()
    (run,) = window.connection_tests
    progress = progress_window(opened)
    qtbot.waitUntil(lambda: "1 of 7 done" in progress.labelText(), timeout=WAIT_MS)

    def first_batch_shown() -> bool:
        return any("Needs reauthorization" in status_badges(opened, c) for c in TESTED)

    qtbot.waitUntil(first_batch_shown, timeout=WAIT_MS)  # in the tree, one batch so far
    assert run.running
    assert progress.isVisible()
    done = [c for c in TESTED if ws.current.channels[c].health.checked_at is not None]
    assert done
    assert len(done) < len(TESTED)
    for channel_id in TESTED:
        expected = channel_id in done
        assert ("Needs reauthorization" in status_badges(opened, channel_id)) is expected
    qtbot.waitUntil(lambda: page.banner.text() != before, timeout=WAIT_MS)  # the banner too
    middle = page.banner.text()

    secrets.gate.set()  # the rest of the results arrive
    qtbot.waitUntil(lambda: not window.connection_tests, timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == (
        "Tested 7 connections: 7 need reauthorization. 2 channels have no authorization to test."
    )
    for channel_id in TESTED:
        assert "Needs reauthorization" in status_badges(opened, channel_id)
    assert page.banner.text() not in (before, middle)
    assert page.banner.text().startswith("11 channels: 11 need reauthorization")


# Bringing a window forward is the windowing system's business; offscreen has none.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_a_second_test_all_brings_the_running_one_forward_and_cancel_stops_it(
    qtbot: Any, gated: tuple[Opened, GatedSecrets]
) -> None:
    opened, secrets = gated
    window = opened.window
    window.act.test_all.trigger()
    (run,) = window.connection_tests
    progress = progress_window(opened)
    qtbot.waitUntil(lambda: "1 of 7 done" in progress.labelText(), timeout=WAIT_MS)

    window.act.test_all.trigger()  # again, while it runs
    assert window.connection_tests == [run]  # no second run
    assert window.statusBar().currentMessage() == ALREADY_RUNNING
    assert progress.isVisible()
    assert window.findChildren(ProgressWindow) == [progress]

    cancel = progress.findChild(QPushButton)
    assert cancel is not None
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    secrets.gate.set()  # tests already under way finish; those not started never do
    qtbot.waitUntil(lambda: not window.connection_tests, timeout=WAIT_MS)
    message = window.statusBar().currentMessage()
    assert message.startswith("Stopped: ")
    assert message.endswith("2 channels have no authorization to test.")
    assert run.summary.cancelled
    assert run.summary.done < run.total
    assert not progress.isVisible()


def test_a_read_only_window_cannot_test_all(
    open_window: Callable[..., Opened], forest_folder: Path, store: MemorySecretStore
) -> None:
    """Another window holds the inventory: its results could not be stored here."""
    other = Workspace.open(forest_folder, store)
    try:
        opened = open_window(forest_folder, store)
        assert opened.ws.read_only
        assert opened.window.act.test_all.text() == "Test &all 11"
        assert not opened.window.act.test_all.isEnabled()
    finally:
        other.close()
