"""The PDF report painted in steps of a few tens of milliseconds each: :class:`PdfPainting`.

Why steps on the GUI thread rather than a thread of its own: ``QPainter`` on a ``QPdfWriter``
and ``QTextDocument`` may be used outside the GUI thread (https://doc.qt.io/qt-6/threads-modules.html,
"Painting in Threads", "Threads and Rich Text Processing"), but PySide6 keeps Python's global
interpreter lock during these calls (measured: a ``QThread`` laying out 2,000 channels in one
``pageCount()`` stopped a 5 ms timer on the GUI thread for 1.9 s, the whole call). A thread
would stall the window exactly as long as its longest single call, so the work has to be cut
into short calls either way; cut so, it runs here, between turns of the event loop
(``gui.report_progress``), with none of a thread's start, stop and ownership to get right.

The steps, each yielding a :class:`PdfProgress`:

1. *preparing*: the document is built piece by piece (``gui.report_rich_text``) before it has a
   page size, so nothing is laid out yet (a piece added to a laid-out document is laid out at
   once, and that grows with the document: 22 s instead of 2 for 10,000 channels);
2. *arranging*: with the page size set, the layout is forced up to the end of one piece at a
   time (``blockBoundingRect`` lays out as far as the block it is asked about). Qt's own lazy
   layout would continue on a timer in steps that double up to 200,000 characters (seconds at
   a time): :class:`_NoLazyLayout` keeps that timer from firing while this runs;
3. *writing*: one page per step, "Page n of N" at its foot.

:meth:`PdfPainting.run` does them all at once (``main.py export``, tests).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QMarginsF, QObject, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
    QTextFormat,
)

from core.services.report import charts
from core.services.report.model import ReportData
from gui import report_rich_text as rich
from gui.report_picture import Picture

_RESOLUTION = 300  # dots per inch: sharp text, modest files
#: Pieces per document (see _sections): 200 rows of the table.
PIECES_PER_SECTION = 10


@dataclass(frozen=True, slots=True)
class PdfProgress:
    """Where the painting is, in words, and as a share of the whole (0 to 1)."""

    words: str
    fraction: float


class _NoLazyLayout(QObject):
    """Eats the document layout's timer events: the layout advances only when asked."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return event.type() == QEvent.Type.Timer


class PdfPainting:
    """One report being painted into ``path``; iterate :meth:`steps`, or call :meth:`run`."""

    def __init__(self, report: ReportData, path: Path, page_size: QPageSize) -> None:
        self.report = report
        self.path = path
        self.page_size = page_size
        self.pages = 0
        self._painter: QPainter | None = None

    def run(self) -> None:
        """Paint the whole report now."""
        for _ in self.steps():
            pass

    def steps(self) -> Generator[PdfProgress, None, None]:
        """Paint the report, one short step per item; closing the iterator stops it cleanly
        (the file is then incomplete: the caller discards it)."""
        writer = QPdfWriter(str(self.path))
        writer.setResolution(_RESOLUTION)
        writer.setTitle(f"SP Connect report: {self.report.inventory_name}")
        writer.setCreator("SP Connect")
        writer.setPageLayout(
            QPageLayout(
                self.page_size,
                QPageLayout.Orientation.Portrait,
                QMarginsF(14, 14, 14, 14),
                QPageLayout.Unit.Millimeter,
            )
        )
        area = writer.pageLayout().paintRectPixels(_RESOLUTION)
        footer = _RESOLUTION * 0.3  # a line of small text and some air under the body
        body_h = area.height() - footer
        pictures = {
            rich.BARS: Picture(charts.bar_chart(self.report.bars, self.report.total)),
            rich.TIMELINE: Picture(charts.timeline(self.report.months)),
        }
        guard = _NoLazyLayout()
        total_rows = max(1, self.report.total)
        size = QSizeF(area.width(), body_h)
        yield PdfProgress("Preparing the report…", 0.0)
        sections: list[_Section] = []
        sizes = _sizes(pictures)
        rows = 0
        for group in _sections(rich.pieces(self.report, sizes)):
            doc = _document(writer, pictures if not sections else {})
            doc.documentLayout().installEventFilter(guard)
            cursor = QTextCursor(doc)
            ends: list[tuple[int, int]] = []  # (position after a piece, rows up to it)
            for index, piece in enumerate(group.pieces):
                _append(doc, cursor, piece.html, first=index == 0)
                rows += piece.rows
                ends.append((cursor.position(), rows))
                words = f"Preparing the report: row {rows:,} of {total_rows:,}"
                yield PdfProgress(
                    words if rows else "Preparing the report…", 0.1 * rows / total_rows
                )
            if group.continues and sections:
                _continue_after(doc, sections[-1], body_h)
            else:  # on a page of its own already: a break before its start would add a blank
                _no_break_before(doc)
            doc.setPageSize(size)
            layout = doc.documentLayout()
            for position, rows_done in ends:
                layout.blockBoundingRect(doc.findBlock(max(0, position - 1)))
                yield PdfProgress(
                    f"Arranging the pages: row {rows_done:,} of {total_rows:,}",
                    0.1 + 0.4 * rows_done / total_rows,
                )
            sections.append(_Section(doc, group.continues and bool(sections), doc.pageCount()))
        front = sections[0].doc
        places = {name: _place_of(front, name) for name in pictures}
        self.pages = pages = sum(s.pages for s in sections) - sum(s.continues for s in sections)
        painter = self._painter = QPainter()
        if not painter.begin(writer):
            raise OSError(f"cannot write a PDF to {self.path}")
        try:
            yield PdfProgress(f"Writing the report: page 1 of {pages:,}", 0.5)
            small = QFont(front.defaultFont())
            small.setPointSizeF(8)
            number = 0  # PDF pages begun
            for section in sections:
                doc = section.doc
                for page in range(section.pages):
                    if not (page == 0 and section.continues):
                        if number:
                            writer.newPage()
                        number += 1
                        _footer(painter, small, QRectF(0, body_h, area.width(), footer),
                                f"Page {number} of {pages}", self.report.exported_at)  # fmt: skip
                    painter.save()
                    painter.translate(0, -page * body_h)
                    shown = QRectF(0, page * body_h, area.width(), body_h)
                    doc.drawContents(painter, shown)
                    if doc is front:
                        for name, place in places.items():
                            if place is not None and shown.intersects(place):
                                pictures[name].paint(painter, place, doc.defaultFont())
                    painter.restore()
                    yield PdfProgress(
                        f"Writing the report: page {number:,} of {pages:,}",
                        0.5 + 0.5 * number / pages,
                    )
        finally:
            painter.end()  # also when stopped: the writer lets go of the file
            self._painter = None
            for section in sections:
                section.doc.documentLayout().removeEventFilter(guard)


@dataclass(frozen=True, slots=True)
class _Pieces:
    pieces: list[rich.Piece]
    continues: bool  # on the page the pieces before end on


@dataclass(frozen=True, slots=True)
class _Section:
    doc: QTextDocument
    continues: bool
    pages: int


def _sections(pieces: Iterator[rich.Piece]) -> Iterator[_Pieces]:
    """The pieces in groups of at most :data:`PIECES_PER_SECTION`, one document each.

    Qt's layout and drawing of a page take longer the further down a document the page is
    (measured: 1.5 ms a page at the start of a 10,000-channel report, 30 ms at its end, so the
    whole grows with the square of its length). Short documents, each continuing on the page
    the one before ends on, keep every page as cheap as the first.
    """
    group: list[rich.Piece] = []
    continues = False
    for piece in pieces:
        if group and (piece.new_page or len(group) >= PIECES_PER_SECTION):
            yield _Pieces(group, continues)
            group, continues = [], not piece.new_page
        group.append(piece)
    if group:
        yield _Pieces(group, continues)


def _continue_after(doc: QTextDocument, before: _Section, page_height: float) -> None:
    """Start ``doc`` where ``before`` ends on its last page: its first paragraph moves down."""
    layout = before.doc.documentLayout()
    end = layout.blockBoundingRect(before.doc.lastBlock()).bottom()
    used = end - (before.pages - 1) * page_height
    cursor = QTextCursor(doc.begin())
    fmt = doc.begin().blockFormat()
    fmt.setTopMargin(fmt.topMargin() + max(0.0, used - doc.documentMargin()))
    cursor.setBlockFormat(fmt)


def _no_break_before(doc: QTextDocument) -> None:
    fmt = doc.begin().blockFormat()
    fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_Auto)
    QTextCursor(doc.begin()).setBlockFormat(fmt)


def _footer(painter: QPainter, font: QFont, foot: QRectF, number: str, exported: str) -> None:
    painter.setFont(font)
    painter.drawText(foot, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight, number)
    painter.drawText(
        foot,
        Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft,
        f"SP Connect report, exported {exported}",
    )


def _append(doc: QTextDocument, cursor: QTextCursor, html: str, *, first: bool) -> None:
    """Add ``html`` at the end, formatted as it would be in one ``setHtml`` of the whole.

    Inserted rich text merges its first paragraph into the paragraph at the cursor, which keeps
    that paragraph's format (a plan step's heading would become part of the list before it): a
    new paragraph with the piece's own first format is made for it. A table is a frame of its
    own and needs none.
    """
    if first:
        doc.setHtml(html)
        return
    cursor.movePosition(QTextCursor.MoveOperation.End)
    if html.startswith("<table"):
        cursor.insertHtml(html)
        return
    piece = QTextDocument()
    piece.setDefaultFont(doc.defaultFont())
    piece.setHtml(html)
    opening = piece.begin()
    cursor.insertBlock(opening.blockFormat(), opening.charFormat())
    cursor.insertFragment(QTextDocumentFragment(piece))


def _document(device: QPdfWriter, pictures: dict[str, Picture]) -> QTextDocument:
    """An empty document for (a part of) the report. Each picture is a blank image of its size,
    kept free for the SVG painted over it as vectors (so its words stay text in the PDF: Qt's
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
    for name in pictures:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), blank)
    return doc


def _sizes(pictures: dict[str, Picture]) -> dict[str, tuple[float, float]]:
    """How large each picture is shown (CSS pixels)."""
    return {
        name: (p.size().width() * rich.PICTURE_SCALE, p.size().height() * rich.PICTURE_SCALE)
        for name, p in pictures.items()
    }


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
