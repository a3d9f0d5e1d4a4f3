"""The printable report as two more export formats, ``html`` and ``pdf``.

``main.py export`` (:mod:`core.services.exchange.commands`) writes whatever format is registered
in :mod:`core.services.exchange.writing`; :func:`register_report_formats` adds the report's two.
The PDF is painted with Qt, which the core may not import, so its painter is passed in (by
``main.py``: ``gui.report_pdf.write_pdf``). It is registered for the command only, never in the
window: the window's File > Export… runs its formats on a worker lane, where Qt's rich-text
layout cannot run (see ``gui.report_export``), and the window has File > Export report… instead.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from core.services.exchange.writing import ExportRequest, register
from core.services.report.export import PdfRenderer, app_version
from core.services.report.html import render_html
from core.services.report.model import ReportData, build_report

#: The formats this module adds.
REPORT_FORMATS = ("html", "pdf")


def register_report_formats(render_pdf: PdfRenderer | None = None) -> None:
    """Offer ``html`` (always) and ``pdf`` (with a painter) to ``main.py export``."""
    register("html", _html)
    if render_pdf is not None:
        painter = render_pdf

        def pdf(request: ExportRequest) -> bytes:
            with tempfile.TemporaryDirectory(prefix="spconnect-report-") as folder:
                path = Path(folder) / "report.pdf"
                painter(_report(request), path)
                return path.read_bytes()

        register("pdf", pdf)


def _report(request: ExportRequest) -> ReportData:
    return build_report(
        request.inventory,
        request.now,
        inventory_name=request.inventory_name or "an inventory",
        version=request.app_version or app_version(),
        pending_channel_ids=request.pending_channel_ids,
        plan_notes=request.plan_notes,
    )


def _html(request: ExportRequest) -> bytes:
    return render_html(_report(request)).encode("utf-8")
