"""The report's two pictures as inline SVG, drawn by hand: no script, no font, no external file.

Both pictures carry their numbers and words as text (a bar's label and count, a month's name and
how many authorizations end in it), so they read the same printed in black and white; colour
only helps the eye. The SVG keeps to what SVG Tiny 1.2 has (rect, line, polygon, text with
presentation attributes, no CSS), so Qt's own renderer draws the same pictures into the PDF.
"""

from __future__ import annotations

import calendar
from html import escape

from core.services.report.model import Bar, Month
from core.services.view.badges import Tone

#: The banner's colours; the text next to each bar says the same thing in words.
TONE_COLOURS = {
    Tone.ERROR: "#d32f2f",
    Tone.WARNING: "#f2a900",
    Tone.INFO: "#1e6fd9",
    Tone.OK: "#2e9d49",
    Tone.NEUTRAL: "#8a8a8a",
}
_FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
_INK = "#1a1a1a"
_RULE = "#9a9a9a"
_TIMELINE_BAR = "#1e6fd9"


def _text(x: float, y: float, words: str, *, size: int = 13, anchor: str = "start",
          weight: str = "normal") -> str:  # fmt: skip
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" {_FONT} font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}" fill="{_INK}">{escape(words)}</text>'
    )


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(bars: tuple[Bar, ...], total: int) -> str:
    """Channels per category: one labelled bar each, its count at its end."""
    label_w, bar_w, row_h, top = 250, 330, 30, 10
    width, height = label_w + bar_w + 70, top * 2 + row_h * len(bars)
    most = max((b.count for b in bars), default=0) or 1
    body = []
    for i, bar in enumerate(bars):
        y = top + i * row_h
        length = bar_w * bar.count / most
        body.append(_text(label_w - 10, y + 19, bar.label, anchor="end"))
        body.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{bar_w}" height="{row_h - 10}" '
            f'fill="#f1f1f1" stroke="{_RULE}" stroke-width="0.5"/>'
        )
        if bar.count:
            body.append(
                f'<rect x="{label_w}" y="{y + 5}" width="{max(length, 2):.1f}" '
                f'height="{row_h - 10}" fill="{TONE_COLOURS[bar.tone]}" stroke="{_INK}" '
                'stroke-width="0.75"/>'
            )
        body.append(_text(label_w + bar_w + 10, y + 19, str(bar.count), weight="bold"))
    words = ", ".join(f"{b.label}: {b.count}" for b in bars)
    return _svg(width, height, f"Channels by what they need, {total} in all. {words}", body)


def timeline(months: tuple[Month, ...]) -> str:
    """Authorizations ending in each of the coming months: a bar and its count per month,
    and under the axis one mark per authorization at the day it ends."""
    left, col, top, plot_h = 20, 60, 28, 110
    width, axis = left * 2 + col * len(months), top + plot_h
    height = axis + 62
    most = max((m.count for m in months), default=0) or 1
    body = [
        f'<line x1="{left}" y1="{axis}" x2="{left + col * len(months)}" y2="{axis}" '
        f'stroke="{_INK}" stroke-width="1"/>'
    ]
    for i, month in enumerate(months):
        x = left + i * col
        body.append(
            f'<line x1="{x}" y1="{axis}" x2="{x}" y2="{axis + 6}" stroke="{_INK}" '
            'stroke-width="1"/>'
        )
        height_of = plot_h * month.count / most
        if month.count:
            body.append(
                f'<rect x="{x + 14}" y="{axis - height_of:.1f}" width="{col - 28}" '
                f'height="{height_of:.1f}" fill="{_TIMELINE_BAR}" stroke="{_INK}" '
                'stroke-width="0.75"/>'
            )
        body.append(
            _text(
                x + col / 2, axis - height_of - 6, str(month.count), anchor="middle", weight="bold"
            )
        )
        name, year = month.label.split(" ")
        body.append(_text(x + col / 2, axis + 34, name, anchor="middle", size=12))
        body.append(_text(x + col / 2, axis + 50, year, anchor="middle", size=10))
        days = calendar.monthrange(month.first_day.year, month.first_day.month)[1]
        for ending in month.endings:
            mx = x + col * (ending.day.day - 0.5) / days
            body.append(
                f'<polygon points="{mx:.1f},{axis + 8} {mx - 4:.1f},{axis + 16} '
                f'{mx + 4:.1f},{axis + 16}" fill="{_INK}"/>'
            )
    body.append(
        f'<line x1="{left + col * len(months)}" y1="{axis}" x2="{left + col * len(months)}" '
        f'y2="{axis + 6}" stroke="{_INK}" stroke-width="1"/>'
    )
    words = ", ".join(f"{m.label}: {m.count}" for m in months)
    return _svg(width, height, f"Authorizations ending in each of the next months. {words}", body)
