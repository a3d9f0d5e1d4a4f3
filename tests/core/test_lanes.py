"""The lanes: database work runs one task at a time, a Save and a batch of health records never
interleave, and shutdown waits for the database lane but abandons the network. Real threads."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from core.domain import changes as ch
from core.domain.inventory import CheckResult, Health
from core.domain.secret import Secret
from core.domain.secret_refs import new_client_secret_ref
from core.services.events import Event
from core.services.lanes import Lane, Lanes
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.core.factories import NOW, channel, company

WAIT_S = 10.0
#: How long a test gives a wrongly parallel lane to show itself. Only a broken lane makes a test
#: wait this long in vain; a correct one never ends the wait early, so the result is not timing.
ABSENCE_S = 0.3


class GatedSecrets(MemorySecretStore):
    """A real in-memory store whose writes stop at a gate: a Save held in the keychain step."""

    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log
        self.reached = threading.Event()
        self.gate = threading.Event()

    def set(self, name: str, value: Secret) -> None:
        self.log.append("keychain")
        self.reached.set()
        assert self.gate.wait(WAIT_S), "the test never opened the gate"
        super().set(name, value)


@pytest.fixture
def log() -> list[str]:
    return []


@pytest.fixture
def ws(tmp_path: Path, log: list[str]) -> Workspace:
    workspace = Workspace.open(tmp_path, GatedSecrets(log))
    workspace.apply(ch.add_company(company()))
    workspace.apply(ch.add_channel(channel()))
    # A pending change with a secret: its Save stops at the keychain's gate.
    app = workspace.current.app
    ref = new_client_secret_ref(workspace.namespace)
    workspace.apply(ch.set_app_credentials(app, Secret("s3cret"), new_ref=ref))
    return workspace


def test_database_work_runs_one_task_at_a_time() -> None:
    lanes = Lanes()
    second_started = threading.Event()
    overlapped: list[bool] = []

    def first() -> None:
        # On a serial lane the second task cannot start while this one waits.
        overlapped.append(second_started.wait(ABSENCE_S))

    a = lanes.submit(Lane.DATABASE, first)
    b = lanes.submit(Lane.DATABASE, second_started.set)
    a.result(WAIT_S)
    b.result(WAIT_S)
    lanes.shutdown()
    assert overlapped == [False]
    assert second_started.is_set()


def test_the_network_lane_runs_side_by_side() -> None:
    lanes = Lanes()
    both = threading.Barrier(2, timeout=WAIT_S)
    futures = [lanes.submit(Lane.NETWORK, both.wait) for _ in range(2)]
    assert sorted(f.result(WAIT_S) for f in futures) == [0, 1]
    lanes.shutdown()


def test_a_save_and_health_records_never_interleave(ws: Workspace, log: list[str]) -> None:
    store = ws.secrets
    assert isinstance(store, GatedSecrets)
    lanes = Lanes()
    health_started = threading.Event()
    failed = Health().after(CheckResult.FAILED, NOW, "Amazon did not answer")

    def record() -> None:
        health_started.set()
        ws.record_health({"ch1": failed})
        log.append("health")

    save = lanes.submit(Lane.DATABASE, lambda: (ws.save(), log.append("saved")))
    assert store.reached.wait(WAIT_S)  # the Save is inside its keychain step
    health = lanes.submit(Lane.DATABASE, record)
    assert not health_started.wait(ABSENCE_S)  # queued behind the Save, not running
    assert ws.saving
    store.gate.set()
    save.result(WAIT_S)
    health.result(WAIT_S)
    lanes.shutdown()
    assert log == ["keychain", "saved", "health"]
    assert not ws.is_dirty
    assert ws.current.channels["ch1"].health == failed
    ws.close()


def test_edits_are_refused_while_a_save_writes(ws: Workspace) -> None:
    store = ws.secrets
    assert isinstance(store, GatedSecrets)
    lanes = Lanes()
    save = lanes.submit(Lane.DATABASE, ws.save)
    assert store.reached.wait(WAIT_S)
    renamed = ch.edit_channel(replace(ws.current.channels["ch1"], name="Renamed"))
    refusal = ws.try_apply(renamed)
    assert refusal is not None
    assert "saving" in refusal.message
    store.gate.set()
    save.result(WAIT_S)
    assert ws.try_apply(renamed) is None  # after the Save, the same edit is taken
    lanes.shutdown()
    ws.close()


def test_shutdown_waits_for_the_database_and_abandons_the_network(ws: Workspace) -> None:
    store = ws.secrets
    assert isinstance(store, GatedSecrets)
    lanes = Lanes(network_workers=2)
    never = threading.Event()
    started = threading.Semaphore(0)

    def stuck_task() -> None:
        started.release()
        never.wait(WAIT_S)

    def gate_opener() -> None:
        # Lets the Save go on once it is inside the keychain step, then keeps its thread busy
        # too, so `queued` cannot start whenever shutdown comes (on a loaded machine it came
        # after this task had ended, and `queued` ran).
        started.release()
        store.reached.wait(WAIT_S)
        store.gate.set()
        never.wait(WAIT_S)

    stuck = lanes.submit(Lane.NETWORK, stuck_task)
    lanes.submit(Lane.NETWORK, gate_opener)
    queued = lanes.submit(Lane.NETWORK, lambda: "never started")
    save = lanes.submit(Lane.DATABASE, ws.save)
    for _ in range(2):  # both network threads are busy: shutdown cannot cancel them
        assert started.acquire(timeout=WAIT_S)
    lanes.shutdown()
    assert save.done()  # shutdown returned only once the Save had finished
    assert save.exception() is None
    assert not ws.is_dirty
    assert not stuck.done()  # the network was not waited for...
    assert queued.cancelled()  # ...and what had not started never will
    with pytest.raises(RuntimeError, match="shut down"):
        lanes.submit(Lane.DATABASE, lambda: None)
    never.set()
    ws.close()


def test_immediate_lanes_run_in_the_caller() -> None:
    lanes = Lanes.immediate()
    caller = threading.current_thread()
    ran_in = lanes.submit(Lane.DATABASE, threading.current_thread).result()
    assert ran_in is caller
    failing = lanes.submit(Lane.NETWORK, lambda: 1 / 0)
    assert isinstance(failing.exception(), ZeroDivisionError)
    lanes.shutdown()


def test_events_reach_listeners_in_order_and_stop_when_disconnected() -> None:
    event: Event[int] = Event("test")
    heard: list[tuple[str, object]] = []
    stop_a = event.connect(lambda v: heard.append(("a", v)))

    def b(value: object) -> None:
        heard.append(("b", value))
        stop_b()  # a listener may disconnect itself while the event is being emitted

    stop_b = event.connect(b)
    event.emit(1)
    event.emit(2)
    stop_a()
    event.emit(3)
    assert heard == [("a", 1), ("b", 1), ("a", 2)]
    assert len(event) == 0
