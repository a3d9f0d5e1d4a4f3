"""Test connection as a service, against the simulator: outcomes become health in batches on the
database lane (one event each), Cancel stops, a keychain that does not answer stops the run at
once, a channel re-authorized meanwhile keeps its health, and a Save never interleaves.

Threaded tests hold the database lane with a gate so that what they assert does not depend on
timing: outcomes pile up behind it, and the test opens it when it has seen what it needs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties

from core.amazon.checks import CheckSettings
from core.domain import changes as ch
from core.domain.errors import SecretStoreError, StoreError, UserFacingError
from core.domain.inventory import (
    AppCredentials,
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Company,
    Health,
)
from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.domain.secret_refs import new_refresh_token_ref
from core.services.checks import CheckRun, Progress, RunSummary, prepare
from core.services.lanes import Lane, Lanes
from core.services.workspace import Workspace, WorkspaceEvent
from core.simulator import Simulator
from core.storage.keychain import (
    ALLOWED_BACKENDS,
    KeyringSecretStore,
    MemorySecretStore,
    SecretStore,
    backend_name,
)
from core.storage.store import Store
from tests.integration.simhelpers import APP, DE, UK, load_granted_sellers
from tests.leaks import ExpectedWarnings
from tests.secret_service import SecretServiceDaemon

WAIT_S = 10.0
FAST = CheckSettings(workers=2, requests_per_second=500.0, burst=50, attempts=2)
#: One test's two requests may go at once; the next would wait about 17 minutes.
SLOW = CheckSettings(workers=1, requests_per_second=0.001, burst=2, attempts=1)


class RecordingWorkspace(Workspace):
    """A real workspace that also notes each health batch it records, and on which thread."""

    def record_health(self, updates: Mapping[str, Health]) -> None:
        self.batches: list[frozenset[str]] = getattr(self, "batches", [])
        self.threads: list[str] = getattr(self, "threads", [])
        self.batches.append(frozenset(updates))
        self.threads.append(threading.current_thread().name)
        super().record_health(updates)
        log = getattr(self.secrets, "log", None)
        if log is not None:
            log.append("health")


@dataclass
class Heard:
    """Every event a run emitted, and an Event set when it ended."""

    progress: list[Progress] = field(default_factory=list)
    finished: list[RunSummary] = field(default_factory=list)
    failed: list[BaseException] = field(default_factory=list)
    ended: threading.Event = field(default_factory=threading.Event)
    all_tested: threading.Event = field(default_factory=threading.Event)

    def listen(self, run: CheckRun) -> Heard:
        def progressed(p: Progress) -> None:
            self.progress.append(p)
            if p.done == p.total:
                self.all_tested.set()

        run.progressed.connect(progressed)
        run.finished.connect(lambda s: (self.finished.append(s), self.ended.set()))
        run.failed.connect(lambda e: (self.failed.append(e), self.ended.set()))
        return self

    def summary(self) -> RunSummary:
        assert self.ended.wait(WAIT_S), "the run did not end"
        assert not self.failed, self.failed
        (summary,) = self.finished
        return summary


class DatabaseGate:
    """Holds the database lane (a task waits there) until :meth:`open`."""

    def __init__(self, lanes: Lanes) -> None:
        self._gate = threading.Event()
        self._held = lanes.submit(Lane.DATABASE, lambda: self._gate.wait(WAIT_S))

    def open(self) -> None:
        self._gate.set()
        assert self._held.result(WAIT_S), "the gate timed out instead of being opened"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        simulator.register_app(APP)
        yield simulator


@pytest.fixture
def secrets() -> SecretStore:
    return MemorySecretStore()


@pytest.fixture
def ws(tmp_path: Path, secrets: SecretStore) -> Iterator[RecordingWorkspace]:
    workspace = RecordingWorkspace.open(tmp_path / "data", secrets)
    yield workspace
    workspace.close()


@pytest.fixture
def lanes() -> Iterator[Lanes]:
    threaded = Lanes()
    yield threaded
    threaded.shutdown()


def start(ws: Workspace, ids: list[str], lanes: Lanes, settings: CheckSettings = FAST) -> Heard:
    run = prepare(ws, ids, settings=settings)
    assert isinstance(run, CheckRun), run
    heard = Heard().listen(run)
    run.start(lanes)
    return heard


def saved_health(ws: Workspace, channel_id: str) -> Health:
    """The health as it is in the database file (read by a second, read-only store)."""
    assert ws.store is not None
    other = Store.open(ws.store.path.parent, read_only=True)
    try:
        return other.load().channels[channel_id].health
    finally:
        other.close()


# --- what a run finds ------------------------------------------------------------------------


def test_outcomes_become_health_in_the_workspace_and_on_disk(
    ws: RecordingWorkspace, sim: Simulator
) -> None:
    ids = load_granted_sellers(ws, sim, 3)
    sim.revoke(ws.current.channels[ids[2]].seller_id or "")
    before = dict(ws.current.authorizations)
    summary = start(ws, ids, Lanes.immediate()).summary()
    assert (summary.total, summary.done, summary.cancelled) == (3, 3, False)
    assert summary.results == {CheckResult.OK: 2, CheckResult.NEEDS_REAUTHORIZATION: 1}
    assert summary.text == "Tested 3 connections: 2 working, 1 needs reauthorization."
    assert ws.current.channels[ids[0]].health.result is CheckResult.OK
    assert "Store 0" in ws.current.channels[ids[0]].health.message
    assert saved_health(ws, ids[2]).result is CheckResult.NEEDS_REAUTHORIZATION
    assert not ws.is_dirty  # an observation, not a pending edit
    assert ws.current.authorizations == before  # a test never replaces an authorization


def test_outcomes_are_recorded_in_batches_on_the_database_lane_one_event_each(
    ws: RecordingWorkspace, sim: Simulator, lanes: Lanes
) -> None:
    ids = load_granted_sellers(ws, sim, 12)
    events: list[WorkspaceEvent] = []
    ws.changed.connect(events.append)
    gate = DatabaseGate(lanes)
    heard = start(ws, ids, lanes)
    assert heard.all_tested.wait(WAIT_S)  # every test is done; none could be recorded yet
    assert not getattr(ws, "batches", [])
    gate.open()
    summary = heard.summary()
    assert summary.done == 12
    # The first outcome went to the lane alone (behind the gate); the eleven that arrived while
    # it waited went together as soon as it was written.
    assert [len(batch) for batch in ws.batches] == [1, 11]
    assert set().union(*ws.batches) == set(ids)
    assert [event.channels for event in events] == ws.batches  # one event per batch
    assert all(name.startswith("db") for name in ws.threads)
    assert [p.done for p in heard.progress] == list(range(1, 13))


def test_immediate_lanes_record_everything_before_finished(
    ws: RecordingWorkspace, sim: Simulator
) -> None:
    """A headless command's lanes: the run ends, recorded, when start() returns."""
    ids = load_granted_sellers(ws, sim, 4)
    heard = start(ws, ids, Lanes.immediate())
    assert heard.ended.is_set()
    assert set().union(*ws.batches) == set(ids)
    assert all(ws.current.channels[i].health.result is CheckResult.OK for i in ids)


# --- stopping ----------------------------------------------------------------------------------


def test_cancel_stops_the_run_and_keeps_what_was_tested(
    ws: RecordingWorkspace, sim: Simulator
) -> None:
    ids = load_granted_sellers(ws, sim, 4)
    run = prepare(ws, ids, settings=SLOW)
    assert isinstance(run, CheckRun)
    heard = Heard().listen(run)
    run.progressed.connect(lambda _p: run.cancel())  # Cancel after the first result
    run.start(Lanes.immediate())  # only cancelling can end this run (see SLOW)
    summary = heard.summary()
    assert summary.cancelled
    assert summary.done == 1
    assert summary.text == "Stopped: 1 of 4 connections tested: 1 working."
    tested = [i for i in ids if ws.current.channels[i].health.checked_at is not None]
    assert len(tested) == 1
    assert sim.count("/auth/o2/token") == 1


def test_cancel_before_the_start_tests_nothing(ws: RecordingWorkspace, sim: Simulator) -> None:
    ids = load_granted_sellers(ws, sim, 2)
    run = prepare(ws, ids, settings=FAST)
    assert isinstance(run, CheckRun)
    heard = Heard().listen(run)
    run.cancel()
    run.start(Lanes.immediate())
    summary = heard.summary()
    assert (summary.cancelled, summary.done) == (True, 0)
    assert sim.count() == 0


class StuckKeyring(KeyringBackend):
    """Answers the app's client secret; a refresh token's read hangs until released, like a
    keychain waiting for a password prompt nobody sees."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend: never chosen by keyring's detection")

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.values = values
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        if "/refresh-token/" in username:
            self.release.wait(WAIT_S)
        return self.values.get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("read-only in this test")


class CountingKeychain(KeyringSecretStore):
    def __init__(self, backend: StuckKeyring) -> None:
        # A test backend, allowed explicitly: the product's allow-list names only OS keychains.
        allowed = {**ALLOWED_BACKENDS, backend_name(backend): "stuck test keychain"}
        super().__init__(backend, timeout_s=0.2, allowed=allowed)
        self.reads = 0

    def get(self, name: str) -> Secret | None:
        self.reads += 1
        return super().get(name)


def test_a_keychain_that_does_not_answer_stops_the_run_at_once(
    tmp_path: Path, ws: RecordingWorkspace, sim: Simulator, secrets: MemorySecretStore
) -> None:
    ids = load_granted_sellers(ws, sim, 20)
    values = {name: secrets.get(name) for name in secrets.names()}
    backend = StuckKeyring({n: v.reveal() for n, v in values.items() if v is not None})
    keychain = CountingKeychain(backend)
    ws.close()
    reopened = Workspace.open(tmp_path / "data", keychain)
    try:
        heard = start(reopened, ids, Lanes.immediate())
        assert heard.ended.is_set()
        (error,) = heard.failed
        assert isinstance(error, SecretStoreError)
        assert "did not answer within 0.2 seconds" in error.message
        assert "Unlock your keychain" in error.next_step
        assert not heard.finished
        # The client secret, then at most one refresh token per worker: not twenty timeouts.
        assert keychain.reads <= 1 + FAST.workers
        assert sim.count() == 0
        assert all(reopened.current.channels[i].health.checked_at is None for i in ids)
    finally:
        backend.release.set()
        reopened.close()


def test_a_missing_client_secret_is_explained(
    ws: RecordingWorkspace, sim: Simulator, secrets: MemorySecretStore
) -> None:
    ids = load_granted_sellers(ws, sim, 1)
    ref = ws.current.app.client_secret_ref
    assert ref is not None
    secrets.delete(ref)
    heard = start(ws, ids, Lanes.immediate())
    (error,) = heard.failed
    assert str(error) == (
        "The app's client secret is missing from the keychain, so no connection can be tested. "
        "Open App credentials, enter the client secret, then test again."
    )
    assert not heard.finished
    assert sim.count() == 0


class FullDisk(RecordingWorkspace):
    def record_health(self, updates: Mapping[str, Health]) -> None:
        raise StoreError(
            "The inventory file could not be written: the disk is full.", "Free space."
        )


def test_a_disk_that_refuses_is_said_once_and_the_run_goes_on(
    tmp_path: Path, sim: Simulator, secrets: MemorySecretStore, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("core.services.checks", r"connection test outcomes not stored")
    full = FullDisk.open(tmp_path / "full", secrets)
    try:
        ids = load_granted_sellers(full, sim, 3)
        heard = start(full, ids, Lanes.immediate())
        (error,) = heard.failed
        assert "disk is full" in str(error)
        (summary,) = heard.finished  # every test still ran
        assert summary.done == 3
    finally:
        full.close()


# --- what else happens meanwhile ------------------------------------------------------------


def test_a_channel_given_another_authorization_meanwhile_keeps_its_health(
    ws: RecordingWorkspace, sim: Simulator, lanes: Lanes
) -> None:
    (first,) = load_granted_sellers(ws, sim, 1)
    uk = ws.current.channels[first]
    seller = uk.seller_id or ""
    # A second channel on the same grant: one test decides both.
    ws.apply(
        ch.add_channel(Channel("ch-de", "co0", DE, "Company 0 DE", seller, uk.authorization_id))
    )
    ws.save()
    gate = DatabaseGate(lanes)
    heard = start(ws, [first, "ch-de"], lanes)
    assert heard.all_tested.wait(WAIT_S)
    # Before the outcome is recorded, the person gives the DE channel a new grant (pending).
    fresh = Authorization.new(seller, Region.EU, AuthSource.SELF_AUTHORIZATION, "ns/new")
    ws.apply(ch.set_authorization(fresh, Secret("Atzr|new"), ["ch-de"]))
    gate.open()
    heard.summary()
    assert ws.current.channels[first].health.result is CheckResult.OK
    assert ws.current.channels["ch-de"].health.checked_at is None  # says nothing of the new grant
    assert ws.batches == [frozenset({first})]


class GatedSecrets(MemorySecretStore):
    """A memory store whose writes stop at a gate: a Save held inside its keychain step."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[str] = []
        self.reached = threading.Event()
        self.gate = threading.Event()
        self.hold = False

    def set(self, name: str, value: Secret) -> None:
        if self.hold:
            self.log.append("keychain")
            self.reached.set()
            assert self.gate.wait(WAIT_S), "the test never opened the gate"
        super().set(name, value)


def test_a_save_and_the_recording_never_interleave(
    tmp_path: Path, sim: Simulator, lanes: Lanes
) -> None:
    store = GatedSecrets()
    ws = RecordingWorkspace.open(tmp_path / "gated", store)
    try:
        ids = load_granted_sellers(ws, sim, 3)
        # A pending change with a secret: its Save stops in the keychain step.
        seller = ws.current.channels[ids[0]].seller_id or ""
        token = sim.issue_refresh_token(seller, Region.EU, APP.client_id)
        ref = new_refresh_token_ref(ws.namespace, seller)
        again = Authorization.new(seller, Region.EU, AuthSource.SELF_AUTHORIZATION, ref)
        ws.apply(ch.set_authorization(again, token, []))  # kept for later: no channel yet
        store.hold = True
        save = lanes.submit(Lane.DATABASE, lambda: (ws.save(), store.log.append("saved")))
        assert store.reached.wait(WAIT_S)
        heard = start(ws, ids, lanes)
        assert heard.all_tested.wait(WAIT_S)  # tested while the Save writes...
        assert all(ws.current.channels[i].health.checked_at is None for i in ids)  # ...not stored
        store.gate.set()
        save.result(WAIT_S)
        assert heard.summary().done == 3
        assert store.log[:2] == ["keychain", "saved"]
        assert set(store.log[2:]) == {"health"}
        assert not ws.is_dirty
    finally:
        ws.close()


# --- before a run -----------------------------------------------------------------------------


def test_nothing_to_test_is_explained(ws: RecordingWorkspace, sim: Simulator) -> None:
    load_granted_sellers(ws, sim, 1)
    ws.apply(ch.add_company(Company("bare", "No grant")))
    ws.apply(ch.add_channel(Channel("bare-uk", "bare", UK, "No grant UK", "A1NOGRANT0001")))
    refusal = prepare(ws, ["bare-uk", "gone"])
    assert isinstance(refusal, UserFacingError)
    assert refusal.message == "None of the selected channels has an authorization to test."


def test_incomplete_app_credentials_are_explained(ws: RecordingWorkspace, sim: Simulator) -> None:
    ids = load_granted_sellers(ws, sim, 1)
    app = ws.current.app
    no_client = AppCredentials(
        application_id=app.application_id,
        endpoint_profile=app.endpoint_profile,
        endpoint_url=app.endpoint_url,
    )
    ws.apply(ch.set_app_credentials(no_client))
    refusal = prepare(ws, ids)
    assert isinstance(refusal, UserFacingError)
    assert "app credentials are incomplete" in refusal.message
    assert refusal.next_step == "Open App credentials, complete them, then test again."


def test_a_run_starts_once(ws: RecordingWorkspace, sim: Simulator) -> None:
    ids = load_granted_sellers(ws, sim, 1)
    run = prepare(ws, ids, settings=FAST)
    assert isinstance(run, CheckRun)
    run.start(Lanes.immediate())
    with pytest.raises(RuntimeError, match="once"):
        run.start(Lanes.immediate())


# --- the real keychain ----------------------------------------------------------------------


@pytest.mark.keychain
def test_a_run_reads_its_secrets_from_the_real_keychain(
    tmp_path: Path,
    ws: RecordingWorkspace,
    sim: Simulator,
    secrets: MemorySecretStore,
    lanes: Lanes,
) -> None:
    """GNOME Keyring on the private D-Bus session of scripts/test, through the keychain lane."""
    ids = load_granted_sellers(ws, sim, 3)
    ws.close()
    keychain = KeyringSecretStore()
    names = sorted(secrets.names())
    try:
        for name in names:
            value = secrets.get(name)
            assert value is not None
            keychain.set(name, value)
        real = Workspace.open(tmp_path / "data", keychain)
        try:
            summary = start(real, ids, lanes).summary()
        finally:
            real.close()
    finally:
        for name in names:
            keychain.delete(name)
    assert summary.results == {CheckResult.OK: 3}


@pytest.mark.keychain
def test_a_frozen_secret_service_ends_the_run_at_once_with_a_clear_message(
    tmp_path: Path,
    ws: RecordingWorkspace,
    sim: Simulator,
    secrets: MemorySecretStore,
    lanes: Lanes,
    secret_service: SecretServiceDaemon,
) -> None:
    """The real GNOME Keyring, stopped (SIGSTOP) as if waiting for a password nobody types."""
    ids = load_granted_sellers(ws, sim, 20)
    ws.close()
    keychain = KeyringSecretStore(timeout_s=1.0)
    names = sorted(secrets.names())
    try:
        for name in names:
            value = secrets.get(name)
            assert value is not None
            keychain.set(name, value)
        real = Workspace.open(tmp_path / "data", keychain)
        try:
            with secret_service.frozen():
                heard = start(real, ids, lanes)
                # Bounded: twenty targets each waiting out the timeout would take 20 s or more.
                assert heard.ended.wait(WAIT_S), "the run did not end"
            (error,) = heard.failed
            assert isinstance(error, SecretStoreError)
            assert "did not answer within 1 seconds" in error.message
            assert "Unlock your keychain" in error.next_step
            assert not heard.finished
            assert sim.count() == 0
            assert all(real.current.channels[i].health.checked_at is None for i in ids)
        finally:
            real.close()
    finally:
        for name in names:
            keychain.delete(name)
