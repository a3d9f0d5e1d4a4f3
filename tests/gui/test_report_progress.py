"""A large PDF report is written while the window keeps working: progress, Cancel, no leftovers.

The inventory is generated (1,500 channels: about a hundred pages, a few seconds to paint) and
exported through File > Export report…, as a person would. A timer on the GUI thread proves the
event loop ran during the painting; the progress window's values prove it was told how far the
painting had come.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton

from core.domain import changes
from core.domain.inventory import utcnow
from core.domain.synthetic import generate_inventory
from core.services.opening import open_workspace
from core.storage.keychain import MemorySecretStore
from gui.report_progress import PdfProgressWindow
from tests.gui.conftest import Dialogs, Opened
from tests.gui.test_report_pdf import first_page_png, ink, pdf_text

CHANNELS = 1_500
WAIT_MS = 120_000


@pytest.fixture
def big_window(open_window: Callable[..., Opened], tmp_path: Path) -> Opened:
    folder = tmp_path / "inventory"
    store = MemorySecretStore()
    workspace = open_workspace(folder, secrets=store)
    now = utcnow()
    inventory, values = generate_inventory(CHANNELS, now, workspace.namespace, seed=5)
    workspace.apply(changes.replace_all(inventory, values, now))
    workspace.save()
    workspace.close()
    return open_window(folder, store)


class Watch:
    """Ticks on the GUI thread while the report is painted, noting the progress window."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.ticks = 0
        self.values: list[int] = []
        self.words: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks += 1
        dialog = self.progress()
        if dialog is not None:
            self.values.append(dialog.value())
            self.words.append(dialog.labelText())

    def progress(self) -> PdfProgressWindow | None:
        found = self.window.findChildren(PdfProgressWindow)
        return next((d for d in found if d.isVisible()), None)


@pytest.fixture
def watch(big_window: Opened) -> Iterator[Watch]:
    seen = Watch(big_window.window)
    seen.timer.start()
    yield seen
    seen.timer.stop()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_the_window_keeps_working_while_a_large_pdf_is_written(
    qtbot: Any, big_window: Opened, watch: Watch, fake_dialogs: Dialogs, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    fake_dialogs.report_file = out / "report.pdf"
    window = big_window.window
    window.act.export_report.trigger()
    qtbot.waitUntil(lambda: watch.progress() is not None, timeout=WAIT_MS)
    ticks_at_start = watch.ticks
    qtbot.waitUntil(lambda: "Report saved" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    assert fake_dialogs.errors() == []
    # The event loop ran all along: the timer ticked, the progress window moved step by step.
    assert watch.ticks - ticks_at_start > 20
    middle = [v for v in watch.values if 0 < v < 1000]
    assert len(set(middle)) > 10, sorted(set(watch.values))
    assert any(w.startswith("Preparing the report: row") for w in watch.words)
    assert any(w.startswith("Arranging the pages: row") for w in watch.words)
    writing = [w for w in watch.words if w.startswith("Writing the report: page")]
    assert writing, set(watch.words)
    assert f"of {CHANNELS:,}" in next(w for w in watch.words if "row" in w)
    # The finished PDF reads as before, and nothing else was left in the folder.
    assert sorted(p.name for p in out.iterdir()) == ["report.pdf"]
    page = first_page_png(out / "report.pdf", tmp_path)
    assert 0.03 < ink(page) < 0.6
    text = pdf_text(out / "report.pdf")
    pages = text.count("\f")
    assert pages > 50
    assert f"Page {pages} of {pages}" in text
    assert f"of {pages}" in writing[-1]
    last = max(big_window.ws.current.companies.values(), key=lambda c: c.name)
    assert last.name in text
    table_pages = text.split("All channels", 1)[1].split("\f")[:-1]
    assert all("App status" in p for p in table_pages)  # the header on every table page
    assert watch.progress() is None  # the progress window went


@pytest.mark.parametrize("how", ["button", "escape"])
def test_cancel_stops_the_pdf_and_leaves_no_file(
    qtbot: Any, big_window: Opened, watch: Watch, fake_dialogs: Dialogs, tmp_path: Path,
    how: str,
) -> None:  # fmt: skip
    out = tmp_path / "out"
    out.mkdir()
    fake_dialogs.report_file = out / "report.pdf"
    window = big_window.window
    window.act.export_report.trigger()
    qtbot.waitUntil(lambda: watch.progress() is not None, timeout=WAIT_MS)
    dialog = watch.progress()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.value() > 100, timeout=WAIT_MS)  # well under way
    assert leftovers(out)  # the unfinished report is being written next to its place
    if how == "button":
        (button,) = dialog.findChildren(QPushButton)
        assert button.text() == "Cancel"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    else:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: watch.progress() is None, timeout=WAIT_MS)
    assert list(out.iterdir()) == []
    assert "cancelled" in window.statusBar().currentMessage()
    assert fake_dialogs.errors() == []
    # Nothing goes on painting after the Cancel.
    values = len(watch.values)
    qtbot.wait(50)  # a few turns of the event loop, not a timing assertion
    assert len(watch.values) == values
    assert list(out.iterdir()) == []


def test_a_report_that_fails_while_painting_leaves_no_file_and_is_explained(
    qtbot: Any, big_window: Opened, watch: Watch, fake_dialogs: Dialogs, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    fake_dialogs.report_file = out / "report.pdf"
    window = big_window.window
    window.act.export_report.trigger()
    qtbot.waitUntil(lambda: watch.progress() is not None, timeout=WAIT_MS)
    dialog = watch.progress()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.value() > 550, timeout=WAIT_MS)  # pages being written
    # The folder goes while the pages are written: renaming the finished file into it fails.
    for part in out.iterdir():
        part.unlink()
    out.rmdir()
    qtbot.waitUntil(lambda: bool(fake_dialogs.errors()), timeout=WAIT_MS)
    (error,) = fake_dialogs.errors()
    assert "could not be written" in error
    assert not out.exists()
    assert watch.progress() is None
    assert "Report saved" not in window.statusBar().currentMessage()
