"""The plan view rebuilds off the GUI thread, one run at a time (gui/plan/rebuilds.py)."""

from __future__ import annotations

import threading
from typing import Any

from core.services.lanes import Lanes
from gui.plan.rebuilds import Coalesced
from gui.tasks import TaskRunner

WAIT_S = 10


def test_requests_during_a_run_make_one_more_run_and_only_its_result_shows(qtbot: Any) -> None:
    runner = TaskRunner(Lanes())
    gate = threading.Event()
    runs: list[str] = []
    shown: list[int] = []

    def compute() -> int:
        runs.append(threading.current_thread().name)
        if len(runs) == 1:
            assert gate.wait(WAIT_S)  # the first run is slow: requests pile up meanwhile
        return len(runs)

    rebuilds = Coalesced(runner, compute, shown.append, lambda exc: shown.append(-1))
    try:
        for _ in range(5):
            rebuilds.request()
        gate.set()
        qtbot.waitUntil(lambda: shown == [2], timeout=WAIT_S * 1000)
        assert len(runs) == 2  # five requests: the run under way and exactly one more
        assert threading.main_thread().name not in runs  # never on the GUI thread
    finally:
        runner.shutdown()


def test_nothing_shows_after_stop(qtbot: Any) -> None:
    runner = TaskRunner(Lanes())
    gate = threading.Event()
    finished = threading.Event()
    shown: list[int] = []

    def compute() -> int:
        assert gate.wait(WAIT_S)
        finished.set()
        return 1

    rebuilds = Coalesced(runner, compute, shown.append, lambda exc: shown.append(-1))
    try:
        rebuilds.request()
        rebuilds.stop()  # the dialog closed while a rebuild was under way
        gate.set()
        # The database lane is serial and results arrive in order: once a later run's result
        # is here, the stopped one's has been delivered, or dropped.
        probe: list[int] = []
        Coalesced(runner, lambda: 2, probe.append, lambda exc: probe.append(-1)).request()
        qtbot.waitUntil(lambda: probe == [2], timeout=WAIT_S * 1000)
        assert finished.is_set()
        assert shown == []
    finally:
        runner.shutdown()
