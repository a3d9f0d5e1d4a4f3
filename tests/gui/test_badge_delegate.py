"""Status badges: readable colours on light and dark palettes, and how they share a cell."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette

from core.services.view.badges import Badge, Tone
from gui.inventory.badge_delegate import (
    badge_colors,
    badge_font,
    badge_rects,
    badges_width,
    paint_badges,
)


def contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def part(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * part(c.redF()) + 0.7152 * part(c.greenF()) + 0.0722 * part(c.blueF())

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def palette(dark: bool) -> QPalette:
    colours = QPalette()
    colours.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e" if dark else "#ffffff"))
    return colours


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize("tone", list(Tone))
def test_badge_text_is_readable_on_its_fill(qapp: Any, tone: Tone, dark: bool) -> None:
    fill, _border, text = badge_colors(tone, palette(dark))
    assert contrast(fill, text) >= 4.5  # WCAG AA for normal text
    original = QColor(fill)
    fill.setRgb(1, 2, 3)  # the caller's own copy: later badges keep their colour
    assert badge_colors(tone, palette(dark))[0] == original


def test_badges_that_do_not_fit_are_shortened_then_left_out(qapp: Any) -> None:
    font = badge_font(QFont())
    badges = [Badge("SP-API", Tone.OK), Badge("Needs reauthorization", Tone.ERROR)]
    badges += [Badge("Check failed", Tone.WARNING)]
    full = badge_rects(badges, font, QRectF(0, 0, 1000, 24))
    assert len(full) == 3
    assert all(a.right() < b.left() for a, b in itertools.pairwise(full))
    assert badges_width(badges, QFont()) >= full[-1].right()
    narrow = badge_rects(badges, font, QRectF(0, 0, full[1].left() + 60, 24))
    assert len(narrow) == 2  # the second shortened, the third left out
    assert narrow[1].width() < full[1].width()


def test_painted_badges_show_their_colours(qapp: Any) -> None:
    image = QImage(300, 24, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    badges = [Badge("Expired", Tone.ERROR), Badge("Unsaved", Tone.INFO)]
    paint_badges(painter, QRectF(0, 0, 300, 24), badges, palette(False), QFont())
    painter.end()
    seen = {image.pixelColor(x, 12).name() for x in range(0, 300, 2)}
    for tone in (Tone.ERROR, Tone.INFO):
        assert badge_colors(tone, palette(False))[0].name() in seen
