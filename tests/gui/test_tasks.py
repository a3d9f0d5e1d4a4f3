"""The task runner and the bridge: results and events always arrive on the GUI thread, and
nothing arrives after shutdown. These run on real threads (the lanes' own executors)."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication

from core.domain import changes
from core.services.events import Event
from core.services.lanes import Lane, Lanes
from core.storage.keychain import MemorySecretStore
from gui.bridge import Bridge
from gui.main_window import MainWindow
from gui.tasks import TaskRunner
from tests.gui.conftest import Opened

WAIT_MS = 10_000


def _on_main() -> bool:
    return threading.current_thread() is threading.main_thread()


def test_results_and_errors_arrive_on_the_gui_thread(qtbot: Any) -> None:
    runner = TaskRunner(Lanes())
    seen: list[tuple[str, object, bool]] = []
    workers: list[str] = []

    def work() -> int:
        workers.append(threading.current_thread().name)
        return 42

    def fail() -> int:
        raise ValueError("boom")

    for lane in (Lane.DATABASE, Lane.NETWORK):
        runner.run(
            work,
            lambda r: seen.append(("ok", r, _on_main())),
            lambda e: seen.append(("err", e, _on_main())),
            lane=lane,
        )
    runner.run(
        fail,
        lambda r: seen.append(("ok", r, _on_main())),
        lambda e: seen.append(("err", e, _on_main())),
    )
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=WAIT_MS)
    runner.shutdown()
    assert sorted(s[0] for s in seen) == ["err", "ok", "ok"]
    assert all(on_main for _kind, _value, on_main in seen)
    assert [str(v) for k, v, _ in seen if k == "err"] == ["boom"]
    assert {w.split("_")[0] for w in workers} == {"db", "net"}


def test_after_shutdown_nothing_is_delivered(qtbot: Any) -> None:
    runner = TaskRunner(Lanes())
    seen: list[object] = []
    started, release = threading.Event(), threading.Event()

    def slow() -> int:
        started.set()
        release.wait(WAIT_MS / 1000)
        return 1

    future = runner.run(slow, seen.append, seen.append, lane=Lane.NETWORK)
    assert started.wait(WAIT_MS / 1000)
    runner.shutdown()  # abandons the network lane: does not wait for slow()
    assert not future.done()
    release.set()
    assert future.result(timeout=WAIT_MS / 1000) == 1
    QCoreApplication.processEvents()  # a delivery, had one been posted, would run here
    assert seen == []


def test_the_bridge_brings_a_worker_s_event_to_the_gui_thread(qtbot: Any) -> None:
    bridge = Bridge()
    event: Event[int] = Event("test")
    seen: list[tuple[int, bool]] = []
    bridge.listen(event, lambda value: seen.append((value, _on_main())))
    worker = threading.Thread(target=event.emit, args=(7,))
    worker.start()
    worker.join()
    assert seen == []  # queued for the GUI thread, not called on the worker
    qtbot.waitUntil(lambda: seen == [(7, True)], timeout=WAIT_MS)
    event.emit(8)  # from the GUI thread: delivered at once
    assert seen[-1] == (8, True)
    bridge.close()
    assert len(event) == 0
    event.emit(9)
    worker = threading.Thread(target=event.emit, args=(10,))
    worker.start()
    worker.join()
    QCoreApplication.processEvents()
    assert [v for v, _ in seen] == [7, 8]


def test_a_save_on_the_database_lane_reaches_the_gui_thread(
    qtbot: Any, demo_dir: Path, secrets: MemorySecretStore, open_window: Any
) -> None:
    opened: Opened = open_window(demo_dir, secrets, runner=TaskRunner(Lanes()))
    window: MainWindow = opened.window
    events: list[bool] = []
    window.bridge.listen(opened.ws.changed, lambda _e: events.append(_on_main()))
    channel = next(iter(opened.ws.current.channels.values()))
    assert window.commands is not None
    assert window.commands.apply(changes.edit_channel(replace(channel, name="Renamed")))
    assert window.save()
    assert window.saving
    assert not window.can_edit  # no edits while the database lane writes
    with qtbot.waitSignal(window.saveFinished, timeout=WAIT_MS) as finished:
        pass
    assert finished.args == [True]
    assert not opened.ws.is_dirty
    assert events == [True, True]  # the edit's event, then the Save's: both on this thread
