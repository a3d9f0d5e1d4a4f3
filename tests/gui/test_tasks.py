"""The task runner delivers results and errors on the GUI thread; a real Save runs on a worker."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from core.domain import changes
from core.services.lanes import Lanes
from core.services.session import open_session
from core.storage.keychain import MemorySecretStore
from gui.document import Document
from gui.tasks import TaskRunner


def test_results_and_errors_arrive_on_the_gui_thread(qtbot: Any) -> None:
    runner = TaskRunner(Lanes())
    seen: list[tuple[str, object, bool]] = []
    workers: list[str] = []

    def work() -> int:
        workers.append(threading.current_thread().name)
        return 42

    def fail() -> int:
        raise ValueError("boom")

    runner.run(
        work,
        lambda r: seen.append(("ok", r, _on_main())),
        lambda e: seen.append(("err", e, _on_main())),
    )
    runner.run(
        fail,
        lambda r: seen.append(("ok", r, _on_main())),
        lambda e: seen.append(("err", e, _on_main())),
    )
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    runner.shutdown()
    assert seen[0] == ("ok", 42, True)
    assert seen[1][0] == "err"
    assert str(seen[1][1]) == "boom"
    assert seen[1][2] is True
    assert workers[0] != threading.main_thread().name


def test_after_shutdown_nothing_is_delivered(qtbot: Any) -> None:
    runner = TaskRunner(Lanes())
    seen: list[object] = []
    release = threading.Event()
    threading.Timer(0.05, release.set).start()

    def slow() -> int:
        release.wait(5)
        return 1

    future = runner.run(slow, seen.append, seen.append)
    runner.shutdown()  # waits for the work, then drops its result
    assert future.result() == 1
    qtbot.wait(20)  # the queued delivery is processed now, and dropped
    assert seen == []


def test_a_save_on_a_worker_thread_reaches_the_gui_thread(
    qtbot: Any, demo_dir: Path, secrets: MemorySecretStore
) -> None:
    session = open_session(demo_dir, secrets=secrets)
    runner = TaskRunner(Lanes())
    document = Document(session, runner)
    events: list[bool] = []
    document.bridge.listen(session.workspace.changed, lambda _e: events.append(_on_main()))
    channel = next(iter(session.workspace.current.channels.values()))
    assert document.apply(changes.edit_channel(replace(channel, name="Renamed")))
    assert document.save()
    assert document.saving
    assert not document.can_edit  # no edits while the worker holds the workspace
    with qtbot.waitSignal(document.saveFinished, timeout=10_000) as finished:
        pass
    assert finished.args == [True]
    assert not document.dirty
    assert events == [True, True]  # the edit's event, then the Save's: both on this thread
    runner.shutdown()
    document.close()


def _on_main() -> bool:
    return threading.current_thread() is threading.main_thread()
