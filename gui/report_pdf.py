"""The printable report as a PDF, painted by Qt's own PDF writer. Works without a display.

Qt's rich text (:class:`QTextDocument`) lays out the words and the table; it understands a
subset of HTML without SVG, so the two pictures, drawn once as SVG by
:mod:`core.services.report.charts`, are painted as vectors (:mod:`gui.report_picture`) over
blank images of their size that the document holds (:func:`_document`). The pages are painted here
rather than by ``QTextDocument.print_`` so each page carries "Page n of N" at its foot. The
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
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from core.services.report import charts
from core.services.report.html import TABLE_HEADERS, timeline_caption
from core.services.report.model import PLAN_TITLE, PlanStep, ReportData, TableRow
from gui.report_picture import Picture

_RESOLUTION = 300  # dots per inch: sharp text, modest files
#: Rows per table in the PDF (see _html): about three pages.
_ROWS_PER_TABLE = 60
#: The table's column widths (per cent): a Seller ID fits on one line.
_WIDTHS = (11, 12, 12, 17, 14, 12, 11, 11)
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
        _paint(report, path, page_size or default_page_size())
    finally:
        if app is not None:  # the application made for the painting ends with it
            app.shutdown()


def _paint(report: ReportData, path: Path, page_size: QPageSize) -> None:
    writer = QPdfWriter(str(path))
    writer.setResolution(_RESOLUTION)
    writer.setTitle(f"SP Connect report: {report.inventory_name}")
    writer.setCreator("SP Connect")
    writer.setPageLayout(
        QPageLayout(
            page_size,
            QPageLayout.Orientation.Portrait,
            QMarginsF(14, 14, 14, 14),
            QPageLayout.Unit.Millimeter,
        )
    )
    area = writer.pageLayout().paintRectPixels(_RESOLUTION)
    footer = _RESOLUTION * 0.3  # a line of small text and some air under the body
    body_h = area.height() - footer
    pictures = {
        _BARS: Picture(charts.bar_chart(report.bars, report.total)),
        _TIMELINE: Picture(charts.timeline(report.months)),
    }
    doc = _document(report, writer, pictures)
    doc.setPageSize(QSizeF(area.width(), body_h))
    places = {name: _place_of(doc, name) for name in pictures}
    pages = doc.pageCount()
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write a PDF to {path}")
    try:
        small = QFont(doc.defaultFont())
        small.setPointSizeF(8)
        for page in range(pages):
            if page:
                writer.newPage()
            painter.save()
            painter.translate(0, -page * body_h)
            shown = QRectF(0, page * body_h, area.width(), body_h)
            doc.drawContents(painter, shown)
            for name, place in places.items():
                if place is not None and shown.intersects(place):
                    pictures[name].paint(painter, place, doc.defaultFont())
            painter.restore()
            painter.setFont(small)
            painter.drawText(
                QRectF(0, body_h, area.width(), footer),
                Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight,
                f"Page {page + 1} of {pages}",
            )
            painter.drawText(
                QRectF(0, body_h, area.width(), footer),
                Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft,
                f"SP Connect report, exported {report.exported_at}",
            )
    finally:
        painter.end()


#: The pictures' names in the document, and how large they are shown (of their SVG size):
#: small enough that both and their captions share the first page.
_BARS, _TIMELINE = "report-bars", "report-timeline"
_PICTURE_SCALE = 0.85


def _document(
    report: ReportData, device: QPdfWriter, pictures: dict[str, Picture]
) -> QTextDocument:
    """The report as Qt rich text; each picture a blank image of its size, kept free for the
    SVG that :func:`_paint` draws over it as vectors (so its words stay text in the PDF: Qt's
    rich text shows no SVG, and an image would be pixels)."""
    doc = QTextDocument()
    font = QFont("DejaVu Sans")
    font.setPointSizeF(9)
    # No "fi" ligature: a reviewer's search for "Outfitters" in the PDF must find it.
    font.setFeature(QFont.Tag("liga"), 0)
    doc.setDefaultFont(font)
    doc.documentLayout().setPaintDevice(device)
    blank = QImage(1, 1, QImage.Format.Format_ARGB32)
    blank.fill(Qt.GlobalColor.transparent)
    sizes = {}
    for name, picture in pictures.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), blank)
        size = picture.size()
        sizes[name] = (size.width() * _PICTURE_SCALE, size.height() * _PICTURE_SCALE)
    doc.setHtml(_html(report, sizes))
    return doc


def _place_of(doc: QTextDocument, name: str) -> QRectF | None:
    """Where the laid-out document shows the image called ``name``."""
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isImageFormat() and fmt.toImageFormat().name() == name:
                image = fmt.toImageFormat()
                scale = doc.documentLayout().paintDevice().logicalDpiX() / 96
                width, height = image.width() * scale, image.height() * scale
                line = block.layout().lineForTextPosition(fragment.position() - block.position())
                origin = doc.documentLayout().blockBoundingRect(block).topLeft()
                x = origin.x() + line.x()  # the picture is its paragraph's only content
                y = origin.y() + line.y() + line.ascent() - height
                return QRectF(x, y, width, height)
            it += 1
        block = block.next()
    return None


def _img(name: str, size: tuple[float, float]) -> str:
    return f'<p><img src="{name}" width="{size[0]:.0f}" height="{size[1]:.0f}"></p>'


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _html(report: ReportData, sizes: dict[str, tuple[float, float]]) -> str:
    """Qt's rich-text subset of the HTML report: same words, simpler layout."""
    channels = "1 channel" if report.total == 1 else f"{report.total} channels"
    companies = "1 company" if report.companies == 1 else f"{report.companies} companies"
    parts = [
        f"<h1>SP Connect report: {_e(report.inventory_name)}</h1>",
        f"<p>Exported {_e(report.exported_at)} by SP Connect {_e(report.version)}. "
        f"{channels} in {companies}. Dates are in the exporting computer's local time. This "
        "report holds no passwords, tokens or secrets.</p>",
        "<h2>Summary</h2>",
        _img(_BARS, sizes[_BARS]),
        f"<p><i>Channels by what they need first ({report.total} in all; each channel counts "
        "once).</i></p>",
        _img(_TIMELINE, sizes[_TIMELINE]),
        f"<p><i>{_e(timeline_caption(report))}</i></p>",
        f"<h2>{PLAN_TITLE}</h2>",
    ]
    if not report.plan:
        parts.append(
            "<p>Nothing to reauthorize: every channel is connected and none expires within "
            "30 days.</p>"
        )
    parts.extend(_step(step) for step in report.plan)
    head = "".join(
        f"<th align='left' bgcolor='#eeeeee' width='{w}%'>{h}</th>"
        for h, w in zip(TABLE_HEADERS, _WIDTHS, strict=True)
    )
    parts.append("<h2 style='page-break-before: always'>All channels</h2>")
    table = (
        "<table border='1' cellspacing='0' cellpadding='3' width='100%' "
        f"style='border-collapse: collapse; font-size: 7.5pt'><thead><tr>{head}</tr></thead>"
    )
    # Qt draws a table whole for every page it touches, so the time grows with the square of
    # the rows: one table of 10,000 channels took 53 s, tables of a few pages each 22 s
    # (measured on the development machine). Each starts with the header row, which also
    # repeats on a new page.
    rows = report.rows
    for start in range(0, len(rows), _ROWS_PER_TABLE):
        chunk = rows[start : start + _ROWS_PER_TABLE]
        parts.append(table + "".join(_row(r) for r in chunk) + "</table>")
    return "".join(parts)


def _step(step: PlanStep) -> str:
    covered = "".join(f"<li>{_e(c.text)}</li>" for c in step.channels)
    return (
        f"<h3>{step.number}. {_e(step.title)}</h3>"
        f"<p><b>Seller Central site:</b> {_e(step.seller_central_url)}<br>"
        f"<b>Account to select:</b> {_e(step.account_hint)}<br>"
        f"<b>Marketplaces:</b> {_e(', '.join(step.marketplaces))}<br>"
        f"<b>Channels and why:</b></p><ul>{covered}</ul>"
    )


def _row(row: TableRow) -> str:
    badges = "<br>".join(
        f"<span style='color: {charts.TONE_COLOURS[b.tone]}'>\u25cf</span> "
        + (f"<b>{_e(b.text)}</b>" if b.tone.value == "error" else _e(b.text))
        for b in row.badges
    )
    cells = (
        _e(row.company),
        _e(row.channel),
        _e(row.marketplace),
        _e(row.seller),
        badges,
        _e(row.expiry),
        _e(row.last_check),
        _e(row.app_status),
    )
    return "<tr>" + "".join(f"<td valign='top'>{c}</td>" for c in cells) + "</tr>"
