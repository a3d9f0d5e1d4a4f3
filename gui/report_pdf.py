"""The printable report as a PDF, painted by Qt's own PDF writer. Works without a display.

Qt's rich text (:class:`QTextDocument`) lays out the words and the table; it understands a
subset of HTML without SVG, so the two pictures, drawn once as SVG by
:mod:`core.services.report.charts`, are painted as vectors (:mod:`gui.report_picture`) over
blank images of their size that the document holds. The pages are painted by
:class:`gui.report_pages.PdfPainting` (in short steps, so the window can show progress between
them: ``gui.report_progress``) rather than by ``QTextDocument.print_``, so each page carries
"Page n of N" at its foot. The
table's header row repeats on every page (a ``thead`` becomes the table's header rows) and the
table starts on a page of its own.

Paper: Letter where the computer's locale is the United States or Canada, where it is the usual
paper; A4 everywhere else. ``page_size`` overrides.

Without a display (``main.py export`` from cron or over SSH), a ``QGuiApplication`` on Qt's
offscreen platform is created for the painting: fonts and painting need one, a screen does not.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QPageSize

from core.services.report.model import ReportData
from gui.report_pages import PdfPainting

_LETTER_TERRITORIES = ("UnitedStates", "Canada")


def ensure_gui_application() -> QGuiApplication | None:
    """A Qt application for painting, on the offscreen platform when there is no display.

    Returns the application created (keep it while painting), or ``None`` when one exists.
    ``QT_QPA_PLATFORM`` is set only when it is unset and there is no X11 or Wayland display,
    so a person's explicit choice and a real session are left alone.
    """
    if QGuiApplication.instance() is not None:
        return None
    no_display = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if not os.environ.get("QT_QPA_PLATFORM") and no_display:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return QGuiApplication([sys.argv[0] if sys.argv else "sp-connect"])


def default_page_size() -> QPageSize:
    """Letter in the United States and Canada, A4 everywhere else."""
    from PySide6.QtCore import QLocale

    territory = QLocale.system().territory()
    letter = any(territory == getattr(QLocale.Country, n) for n in _LETTER_TERRITORIES)
    return QPageSize(QPageSize.PageSizeId.Letter if letter else QPageSize.PageSizeId.A4)


def write_pdf(report: ReportData, path: Path, *, page_size: QPageSize | None = None) -> None:
    """Paint ``report`` into a PDF at ``path`` (the caller renames it into place)."""
    app = ensure_gui_application()
    try:
        PdfPainting(report, path, page_size or default_page_size()).run()
    finally:
        if app is not None:  # the application made for the painting ends with it
            app.shutdown()
