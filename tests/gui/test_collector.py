"""The application collects cyclic garbage on the GUI thread only (gui/collector.py)."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from gui.collector import GuiThreadCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def collections() -> Iterator[list[str]]:
    """The name of the thread each garbage collection starts in, while the test runs."""
    seen: list[str] = []

    def note(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(threading.current_thread().name)

    gc.callbacks.append(note)
    yield seen
    gc.callbacks.remove(note)


def test_a_worker_making_cyclic_garbage_never_starts_a_collection(
    qtbot: Any, collections: list[str]
) -> None:
    collector = GuiThreadCollector()
    try:
        assert not gc.isenabled()
        survivor: list[weakref.ref[_Cycle]] = []

        def make_garbage() -> None:
            # Far past every threshold: with automatic collection on, this thread would collect.
            for _ in range(50_000):
                cycle = _Cycle()
            survivor.append(weakref.ref(cycle))

        worker = threading.Thread(target=make_garbage, name="worker")
        worker.start()
        worker.join()
        assert "worker" not in collections
        assert survivor[0]() is not None  # a cycle: only the collector can free it

        # The GUI thread's timer frees it, without being asked.
        qtbot.waitUntil(lambda: survivor[0]() is None, timeout=5_000)
        assert collections
        assert set(collections) == {threading.main_thread().name}
    finally:
        collector.stop()
    assert gc.isenabled()


def test_nothing_due_collects_nothing(collections: list[str]) -> None:
    collector = GuiThreadCollector()
    try:
        gc.collect()  # counts back to zero
        collections.clear()
        assert collector.collect_due() == 0
        assert collections == []
    finally:
        collector.stop()


def test_stop_leaves_collection_as_it_found_it() -> None:
    gc.disable()
    try:
        GuiThreadCollector().stop()
        assert not gc.isenabled()
    finally:
        gc.enable()
