"""File > Export report… in the window: off the GUI thread for the report, as PDF or HTML."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import replace
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMenu

from core.domain import changes
from core.services.lanes import Lanes
from gui.tasks import TaskRunner
from tests.gui.conftest import Dialogs, Opened

WAIT_MS = 20_000


def test_export_report_is_in_the_file_menu_with_a_key(demo_window: Opened) -> None:
    window = demo_window.window
    action = window.act.export_report
    file_menu = next(
        m for m in window.menuBar().findChildren(QMenu) if m.title().replace("&", "") == "File"
    )
    assert action in file_menu.actions()
    assert "&" in action.text()  # reachable by Alt+F, then its letter
    assert action.isEnabled()


def test_a_pdf_report_shows_the_window_s_unsaved_changes(
    qtbot: Any, open_window: Callable[..., Opened], demo_dir: Path, fake_dialogs: Dialogs,
    tmp_path: Path,
) -> None:  # fmt: skip
    # The real threaded runner: the report is built on the database lane, painted here.
    opened = open_window(demo_dir, runner=TaskRunner(Lanes()))
    window, ws = opened.window, opened.ws
    company = next(iter(ws.current.companies.values()))
    assert (
        ws.try_apply(changes.edit_company(replace(company, name="Renamed & Unsaved Ltd"))) is None
    )
    fake_dialogs.report_file = tmp_path / "report.pdf"
    window.act.export_report.trigger()
    qtbot.waitUntil(lambda: "Report saved" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    assert str(tmp_path / "report.pdf") in window.statusBar().currentMessage()
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, check=True,
        timeout=60,
    ).stdout.decode()  # fmt: skip
    assert "Renamed & Unsaved Ltd" in " ".join(text.split())
    assert fake_dialogs.errors() == []
    window.shutdown()


def test_an_html_report_is_written_where_the_person_chose(
    demo_window: Opened, fake_dialogs: Dialogs, tmp_path: Path
) -> None:
    fake_dialogs.report_file = tmp_path / "report.html"
    demo_window.window.act.export_report.trigger()
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    for company in demo_window.ws.current.companies.values():
        assert escape(company.name) in page
    assert "Report saved to" in demo_window.window.statusBar().currentMessage()


def test_cancelling_the_file_choice_writes_nothing(
    demo_window: Opened, fake_dialogs: Dialogs, tmp_path: Path
) -> None:
    fake_dialogs.report_file = None
    before = set(tmp_path.iterdir())
    demo_window.window.act.export_report.trigger()
    assert fake_dialogs.named("choose_report_file") == [()]
    assert set(tmp_path.iterdir()) == before
    assert demo_window.window.statusBar().currentMessage() == ""


def test_a_report_that_cannot_be_written_is_explained(
    demo_window: Opened, fake_dialogs: Dialogs, tmp_path: Path
) -> None:
    fake_dialogs.report_file = tmp_path / "gone" / "report.pdf"
    demo_window.window.act.export_report.trigger()
    (error,) = fake_dialogs.errors()
    assert "does not exist" in error
    assert not (tmp_path / "gone").exists()
