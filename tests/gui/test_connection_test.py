"""Test connection from the GUI against a per-test simulator: health is stored at once, the
badge follows, Cancel stops, and missing secrets are explained."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QStatusBar

from core.amazon.checks import CheckSettings
from core.domain.changes import add_channel, add_company, set_app_credentials, set_authorization
from core.domain.errors import SecretStoreError
from core.domain.inventory import Authorization, AuthSource, Channel, CheckResult, Company, new_id
from core.domain.marketplaces import Region, by_country
from core.domain.secret import Secret
from core.domain.secret_refs import new_client_secret_ref, new_refresh_token_ref
from core.services.workspace import Workspace
from core.simulator import SimSeller
from core.storage.keychain import MemorySecretStore
from core.storage.store import Store
from gui.connection_test import ConnectionTest, RunSummary, start_connection_test
from tests.gui.amazon_support import WAIT_MS, amazon, badge_texts, store, workspace
from tests.gui.conftest import Dialogs
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
def status_bar(qtbot: Any) -> QStatusBar:
    bar = QStatusBar()
    qtbot.addWidget(bar)
    return bar


def run(
    qtbot: Any, workspace: Workspace, channel_ids: tuple[str, ...], **kwargs: Any
) -> tuple[ConnectionTest, RunSummary]:
    kwargs.setdefault("settings", FAST)
    test = start_connection_test(None, workspace, channel_ids, **kwargs)
    assert test is not None
    if test.progress is not None:
        qtbot.addWidget(test.progress)
    with qtbot.waitSignal(test.finished, timeout=WAIT_MS) as finished:
        pass
    summary = finished.args[0]
    assert isinstance(summary, RunSummary)
    return test, summary


def saved_health(workspace: Workspace, channel_id: str) -> CheckResult | None:
    """The health as it is in the database file (read by a second, read-only store)."""
    assert workspace.store is not None
    other = Store.open(workspace.store.path.parent, read_only=True)
    try:
        return other.load().channels[channel_id].health.result
    finally:
        other.close()


def test_invalid_grant_means_needs_reauthorization(
    qtbot: Any, granted: Workspace, amazon: Amazon, status_bar: QStatusBar
) -> None:
    amazon.sim.revoke(SELLER)  # the seller removed the app: refresh gets invalid_grant
    before = dict(granted.current.authorizations)
    test, summary = run(qtbot, granted, ("uk", "de"), status_bar=status_bar)
    assert summary.done == summary.total == 1  # one authorization behind both channels
    assert summary.results[CheckResult.NEEDS_REAUTHORIZATION] == 1
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
    assert "1 needs reauthorization" in status_bar.currentMessage()
    assert test.progress is not None
    assert not test.progress.isVisible()


def test_a_working_grant_is_ok(qtbot: Any, granted: Workspace, status_bar: QStatusBar) -> None:
    _test, summary = run(qtbot, granted, EU_IDS, status_bar=status_bar)
    assert summary.results == {CheckResult.OK: 1}
    for channel_id in EU_IDS:
        health = granted.current.channels[channel_id].health
        assert health.result is CheckResult.OK
        assert "Acme Europe" in health.message
    assert status_bar.currentMessage() == "Tested 1 connection: 1 working."


def test_cancel_stops_the_run_and_keeps_what_was_tested(
    qtbot: Any, workspace: Workspace, amazon: Amazon, status_bar: QStatusBar
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
    test = start_connection_test(
        None, workspace, [f"m{n}" for n in range(4)], settings=slow, status_bar=status_bar
    )
    assert test is not None
    assert test.progress is not None
    qtbot.addWidget(test.progress)
    qtbot.waitUntil(lambda: test.summary.done == 1, timeout=WAIT_MS)
    assert test.progress.isVisible()
    assert "1 of 4 done" in test.progress.labelText()
    cancel = test.progress.findChild(QPushButton)
    assert cancel is not None
    assert cancel.text() == "Cancel"
    with qtbot.waitSignal(test.finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    summary = finished.args[0]
    assert summary.cancelled
    assert summary.done == 1
    tested = [f"m{n}" for n in range(4) if workspace.current.channels[f"m{n}"].health.checked_at]
    assert len(tested) == 1
    assert status_bar.currentMessage().startswith("Stopped: 1 of 4 connections tested")


def test_no_client_secret_is_explained(
    qtbot: Any, granted: Workspace, store: MemorySecretStore, fake_dialogs: Dialogs
) -> None:
    ref = granted.current.app.client_secret_ref
    assert ref is not None
    store.delete(ref)
    test = start_connection_test(None, granted, EU_IDS, settings=FAST)
    assert test is not None
    qtbot.addWidget(test.progress)
    qtbot.waitUntil(lambda: bool(fake_dialogs.errors()), timeout=WAIT_MS)
    assert test.progress is not None
    assert not test.progress.isVisible()
    (error,) = fake_dialogs.errors()
    assert "client secret is missing" in error
    assert "Open App credentials" in error
    assert granted.current.channels["uk"].health.checked_at is None


class LockedStore(MemorySecretStore):
    def get(self, name: str) -> Secret | None:
        raise SecretStoreError("The keychain is locked.", "Unlock it, then try again.")


def test_a_locked_keychain_is_explained(
    qtbot: Any, granted: Workspace, fake_dialogs: Dialogs
) -> None:
    granted.secrets = LockedStore()
    test = start_connection_test(None, granted, EU_IDS, settings=FAST)
    assert test is not None
    qtbot.addWidget(test.progress)
    qtbot.waitUntil(lambda: bool(fake_dialogs.errors()), timeout=WAIT_MS)
    assert fake_dialogs.errors() == ["The keychain is locked. Unlock it, then try again."]


def test_nothing_to_test_is_explained(workspace: Workspace, fake_dialogs: Dialogs) -> None:
    assert start_connection_test(None, workspace, EU_IDS) is None  # no authorization yet
    (error,) = fake_dialogs.errors()
    assert "None of the selected channels has an authorization" in error


def test_outcomes_wait_while_the_workspace_is_saving(qtbot: Any, granted: Workspace) -> None:
    saving = [True]
    test = start_connection_test(
        None, granted, EU_IDS, settings=FAST, can_record=lambda: not saving[0], show_progress=False
    )
    assert test is not None
    qtbot.waitUntil(lambda: test.summary.done == 1, timeout=WAIT_MS)
    assert granted.current.channels["uk"].health.checked_at is None  # held back
    saving[0] = False
    qtbot.waitUntil(
        lambda: granted.current.channels["uk"].health.result is CheckResult.OK, timeout=WAIT_MS
    )


def test_a_pending_client_secret_is_used(
    qtbot: Any, granted: Workspace, store: MemorySecretStore
) -> None:
    """A client secret typed in App credentials but not saved yet is the one the test uses."""
    ref = granted.current.app.client_secret_ref
    assert ref is not None
    store.set(ref, Secret("amzn1.oa2-cs.v1.an-old-secret"))  # what the keychain holds
    new_ref = new_client_secret_ref(granted.namespace)
    granted.apply(set_app_credentials(granted.current.app, Secret(CLIENT_SECRET), new_ref=new_ref))
    _test, summary = run(qtbot, granted, EU_IDS)
    assert summary.results == {CheckResult.OK: 1}


def test_the_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m tests.benchmarks check``, tiny: its last line is the JSON summary."""
    from tests.benchmarks import check

    assert check.main(["--authorizations", "10", "--rate", "400", "--runs", "1"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # Figures only: on a loaded machine a request may arrive late and bunch up (a throttle).
    assert {"rate_ratio", "max_stall_ms", "throttled"} <= figures.keys()
    assert figures["rate_ratio"] > 0
