"""File > Export report…: the printable report of the open inventory, as HTML or PDF.

The report is built on the database lane (it reads the whole inventory), and the HTML is
written there too. A PDF is painted on the GUI thread, in short steps with a progress window
and Cancel between them (``gui.report_progress``; why not on a thread: ``gui.report_pages``):
Qt's rich-text layout starts timers, which warn and misbehave on the lanes' plain Python
threads. The report shows what the window shows, unsaved changes included, as of the moment
it was asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QStatusBar, QWidget

from core.domain.inventory import utcnow
from core.services.report.export import report_of, write_report_data
from core.services.report.model import ReportData
from core.services.report.staging import stage
from core.services.workspace import Workspace
from gui import dialogs
from gui.report_progress import PdfExport
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

    def build() -> Path | tuple[ReportData, Any]:
        report = report_of(workspace, asked)
        if pdf:
            return report, stage(path)  # the destination is checked before any painting
        return write_report_data(report, "html", path)

    def saved(result: object) -> None:
        status.showMessage(f"Report saved to {result}", 15_000)

    def built(result: Any) -> None:
        if not isinstance(result, tuple):
            saved(result)
            return
        report, staged = result
        job = PdfExport(parent, report, staged)
        job.finished.connect(saved)
        job.failed.connect(failed)
        job.cancelled.connect(lambda: status.showMessage("Report cancelled; no file written."))
        job.start()

    def failed(exc: BaseException) -> None:
        status.clearMessage()
        dialogs.report_error(parent, exc)

    runner.run(build, built, failed)
