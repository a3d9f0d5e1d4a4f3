"""One of the report's pictures painted into the PDF: Qt's SVG renderer draws the shapes,
``QPainter`` the words.

The pictures are SVG (:mod:`core.services.report.charts`), the same ones the HTML report holds.
Their words are not left to Qt's SVG renderer: text it draws on the 300 dpi PDF before the
window has drawn the same font on screen leaves the window's menus in tiny letters from then
on (PySide6 6.11, offscreen and X11 alike; ``tests/gui/test_report_pdf.py`` holds the
regression test). So the texts are taken out of the SVG and drawn here with a font sized in
points, which the PDF keeps as text: a reader can search and copy a chart's labels.
"""

from __future__ import annotations

import re
from html import unescape

from PySide6.QtCore import QByteArray, QPointF, QRectF, QSizeF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtSvg import QSvgRenderer

# The <text> elements as core.services.report.charts writes them (attributes in its order).
_TEXT = re.compile(
    r'<text x="(?P<x>[\d.-]+)" y="(?P<y>[\d.-]+)" [^>]*?font-size="(?P<size>[\d.]+)" '
    r'font-weight="(?P<weight>\w+)" text-anchor="(?P<anchor>\w+)"[^>]*>(?P<words>[^<]*)</text>'
)
_INK = QColor("#1a1a1a")


class Picture:
    """An SVG picture, split into its shapes (for Qt's renderer) and its words."""

    def __init__(self, svg: str) -> None:
        self.texts = [
            (
                float(m["x"]),
                float(m["y"]),
                float(m["size"]),
                m["weight"] == "bold",
                m["anchor"],
                unescape(m["words"]),
            )
            for m in _TEXT.finditer(svg)
        ]
        self.renderer = QSvgRenderer(QByteArray(_TEXT.sub("", svg).encode("utf-8")))

    def size(self) -> QSizeF:
        """Its size in SVG units (CSS pixels)."""
        return QSizeF(self.renderer.defaultSize())

    def paint(self, painter: QPainter, place: QRectF, font: QFont) -> None:
        """Draw it into ``place`` (device units of ``painter``) with its words in ``font``."""
        self.renderer.render(painter, place)
        scale = place.width() / self.size().width()
        device = painter.device()
        points_per_unit = scale * 72 / device.logicalDpiY()
        painter.save()
        painter.setPen(_INK)
        for x, y, size, bold, anchor, words in self.texts:
            shown = QFont(font)
            shown.setPointSizeF(size * points_per_unit)
            shown.setBold(bold)
            painter.setFont(shown)
            width = QFontMetricsF(shown, device).horizontalAdvance(words)
            shift = {"middle": width / 2, "end": width}.get(anchor, 0.0)
            painter.drawText(QPointF(place.x() + x * scale - shift, place.y() + y * scale), words)
        painter.restore()
