"""File > Export report…: the printable report of the open inventory, as HTML or PDF.

The report is built on the database lane (it reads the whole inventory), and the HTML is
written there too. A PDF is painted here, on the GUI thread: Qt's rich-text layout starts
timers, which warn and misbehave on the lanes' plain Python threads (tried: "QBasicTimer::start:
current thread's event dispatcher has already been destroyed"). Measured on the development
machine: 0.07 s for the demo's 25 channels, about 2 s for 1,000, about 22 s for 10,000, during
which the window shows a busy cursor. Painting in a ``QThread`` of its own would free the window
for the largest inventories; not done yet. The report shows what the window shows, unsaved
changes included, as of the moment it was asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QStatusBar, QWidget

from core.domain.errors import UserFacingError
from core.domain.inventory import utcnow
from core.services.report.export import report_of, write_report_data
from core.services.report.model import ReportData
from core.services.workspace import Workspace
from gui import dialogs
from gui.report_pdf import write_pdf
from gui.tasks import TaskRunner


def export_report(
    parent: QWidget | None,
    workspace: Workspace,
    runner: TaskRunner,
    status: QStatusBar,
    now: Callable[[], datetime] = utcnow,
) -> None:
    """Ask where, then write the report there; the status bar says where it went."""
    path = dialogs.choose_report_file(parent)
    if path is None:
        return
    pdf = path.suffix.lower() == ".pdf"
    asked = now()
    status.showMessage("Writing the report…")

    def build() -> Path | ReportData:
        report = report_of(workspace, asked)
        return report if pdf else write_report_data(report, "html", path)

    def built(result: Any) -> None:
        if isinstance(result, ReportData):
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                result = write_report_data(result, "pdf", path, render_pdf=write_pdf)
            except UserFacingError as exc:
                failed(exc)
                return
            finally:
                QGuiApplication.restoreOverrideCursor()
        status.showMessage(f"Report saved to {result}", 15_000)

    def failed(exc: BaseException) -> None:
        status.clearMessage()
        dialogs.report_error(parent, exc)

    runner.run(build, built, failed)
