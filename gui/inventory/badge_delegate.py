"""Rounded status badges: painted in the tree's status column and in the details header.

Every badge carries its text; colour only supports it. Fills come from a small table with a
light and a dark variant, picked from the palette in use, and the text colour is derived from
the fill for contrast. Hovering a badge shows its own explanation (the HealthBadge detail).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QHelpEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from core.services.view.badges import Badge, Tone
from gui.inventory.model import StatusRole
from gui.text import tooltip

#: Badge fills: (on a light palette, on a dark palette).
_FILLS: dict[Tone, tuple[str, str]] = {
    Tone.ERROR: ("#fbdad7", "#6b2423"),
    Tone.WARNING: ("#fbeab8", "#5c4706"),
    Tone.INFO: ("#d6e6fb", "#1f3e66"),
    Tone.OK: ("#d5efdc", "#1d4a2a"),
    Tone.NEUTRAL: ("#e6e6e6", "#454545"),
}
_PAD_X = 7.0
_GAP = 5.0
_MARGIN = 4.0

Index = QModelIndex | QPersistentModelIndex


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5


def badge_colors(tone: Tone, palette: QPalette) -> tuple[QColor, QColor, QColor]:
    """Fill, border and text colours of a badge for this palette."""
    return tuple(QColor(c) for c in _colors(tone, is_dark(palette)))  # type: ignore[return-value]


@functools.cache
def _colors(tone: Tone, dark: bool) -> tuple[QColor, QColor, QColor]:
    # Worked out once per tone and palette kind (a repaint paints dozens of badges); shared,
    # so never changed by a caller.
    light_fill, dark_fill = _FILLS[tone]
    fill = QColor(dark_fill if dark else light_fill)
    hue = max(fill.hslHueF(), 0.0)
    sat = fill.hslSaturationF()
    if _luminance(fill) > 0.4:
        text = QColor.fromHslF(hue, min(sat, 0.8), 0.17)
        border = fill.darker(118)
    else:
        text = QColor.fromHslF(hue, min(sat, 0.5), 0.93)
        border = fill.lighter(135)
    return fill, border, text


def _luminance(color: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def badge_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setWeight(QFont.Weight.DemiBold)
    return font


_METRICS: dict[str, tuple[QFont, QFontMetricsF]] = {}


def _badge_font_metrics(base: QFont) -> tuple[QFont, QFontMetricsF]:
    """The badge font for ``base`` and its metrics, made once per font (every paint asks)."""
    key = base.key()
    found = _METRICS.get(key)
    if found is None:
        font = badge_font(base)
        found = _METRICS[key] = (font, QFontMetricsF(font))
    return found


#: A badge narrower than this is not drawn at all (its text would be mostly "…").
_MIN_WIDTH = 44.0


def badge_rects(badges: Sequence[Badge], font: QFont, rect: QRectF) -> list[QRectF]:
    """Where each badge goes in ``rect``, left to right (``font``: the badge font).

    The last badge that fits only in part is shortened (its text elided); those after it are
    left out and counted by :func:`paint_badges`.
    """
    return _rects(badges, QFontMetricsF(font), rect)


def _rects(badges: Sequence[Badge], metrics: QFontMetricsF, rect: QRectF) -> list[QRectF]:
    height = min(metrics.height() + 4.0, rect.height() - 2.0)
    top = rect.top() + (rect.height() - height) / 2
    x = rect.left() + _MARGIN
    right = rect.right() - _MARGIN
    rects: list[QRectF] = []
    for badge in badges:
        width = metrics.horizontalAdvance(badge.text) + 2 * _PAD_X
        if x + width > right:
            if right - x >= _MIN_WIDTH:
                rects.append(QRectF(x, top, right - x, height))
            break
        rects.append(QRectF(x, top, width, height))
        x += width + _GAP
    return rects


def paint_badges(
    painter: QPainter, rect: QRectF, badges: Sequence[Badge], palette: QPalette, font: QFont
) -> None:
    font, metrics = _badge_font_metrics(font)
    rects = _rects(badges, metrics, rect)
    dark = is_dark(palette)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(font)
    for badge, box in zip(badges, rects, strict=False):
        fill, border, text = _colors(badge.tone, dark)
        radius = box.height() / 2
        painter.setPen(QPen(border, 1.0))
        painter.setBrush(fill)
        painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
        painter.setPen(text)
        room = box.width() - 2 * _PAD_X
        label = badge.text
        if metrics.horizontalAdvance(label) > room:  # only the shortened last badge
            label = metrics.elidedText(label, Qt.TextElideMode.ElideRight, room)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
    hidden = len(badges) - len(rects)
    if hidden > 0 and rects and rect.right() - rects[-1].right() > _GAP + 16:
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        end = rects[-1].right() + _GAP
        painter.drawText(
            QRectF(end, rect.top(), rect.right() - end, rect.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            f"+{hidden}",
        )
    painter.restore()


def badges_width(badges: Sequence[Badge], font: QFont) -> float:
    metrics = _badge_font_metrics(font)[1]
    widths = [metrics.horizontalAdvance(b.text) + 2 * _PAD_X for b in badges]
    return sum(widths) + _GAP * max(len(widths) - 1, 0) + 2 * _MARGIN


class BadgeDelegate(QStyledItemDelegate):
    """Paints the badges of :data:`StatusRole`; each badge's tooltip is its own detail."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        badges = index.data(StatusRole)
        if not badges:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = QRectF(opt.rect)
        paint_badges(painter, rect, badges, opt.palette, opt.font)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        badges = index.data(StatusRole)
        if badges:
            size.setWidth(int(badges_width(badges, option.font)) + 2)
            size.setHeight(max(size.height(), int(QFontMetricsF(option.font).height()) + 8))
        return size

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        badges = index.data(StatusRole) if index.isValid() else None
        if event.type() == QEvent.Type.ToolTip and badges:
            rects = badge_rects(badges, badge_font(option.font), QRectF(option.rect))
            pos = QPointF(event.pos())
            for badge, box in zip(badges, rects, strict=False):
                if box.contains(pos):
                    QToolTip.showText(
                        event.globalPos(), tooltip(f"{badge.text}: {badge.detail}"), view
                    )
                    return True
        return super().helpEvent(event, view, option, index)


class BadgeStrip(QWidget):
    """A row of badges as a widget (the details header); its accessible name reads them out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._badges: tuple[Badge, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Status")

    def set_badges(self, badges: Sequence[Badge]) -> None:
        self._badges = tuple(badges)
        text = ", ".join(b.text for b in self._badges)
        self.setAccessibleDescription(text)
        self.setToolTip(
            tooltip("\n\n".join(f"{b.text}: {b.detail}" for b in self._badges if b.detail))
        )
        self.updateGeometry()
        self.update()

    def badges(self) -> tuple[Badge, ...]:
        return self._badges

    def sizeHint(self) -> QSize:
        height = int(QFontMetricsF(self.font()).height()) + 10
        return QSize(int(badges_width(self._badges, self.font())), height)

    def paintEvent(self, event: QEvent) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(-_MARGIN, 0, 0, 0)
        paint_badges(painter, rect, self._badges, self.palette(), self.font())
        painter.end()
