"""The banner over the tree: what to do first, how many channels need what; a click filters."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from core.domain.status import HealthBadge
from core.domain.summary import Category
from core.services.view.badges import Tone
from core.services.view.rows import QuickFilter
from gui.text import make_plain, tooltip

#: (category, filter, tone, singular text, plural text, tooltip)
_PARTS = (
    (
        Category.NEEDS_REAUTHORIZATION,
        QuickFilter.REAUTHORIZE,
        Tone.ERROR,
        "{n} needs reauthorization",
        "{n} need reauthorization",
        "Only old MWS credentials, not connected, expired, refused by Amazon or authorized from "
        "the wrong account: the seller must give a new consent.",
    ),
    (
        Category.EXPIRING,
        QuickFilter.EXPIRING,
        Tone.WARNING,
        "{n} expires within 30 days",
        "{n} expire within 30 days",
        "Working now, but the authorization ends within 30 days: reauthorize before then.",
    ),
    (
        Category.CHECK_FAILED,
        QuickFilter.CHECK_FAILED,
        Tone.WARNING,
        "{n} could not be checked",
        "{n} could not be checked",
        "The last test got no answer from Amazon (network or Amazon trouble): test again later.",
    ),
    (
        Category.APP_CREDENTIALS,
        QuickFilter.APP_CREDENTIALS,
        Tone.ERROR,
        "{n} blocked by the app's credentials",
        "{n} blocked by the app's credentials",
        "Amazon refused the app's own credentials: whoever manages the app must update them. "
        "Sellers need not do anything.",
    ),
    (
        Category.HEALTHY,
        QuickFilter.HEALTHY,
        Tone.OK,
        "{n} is fine",
        "{n} are fine",
        "Connected through the Selling Partner API with nothing to do.",
    ),
)
#: Saturated dots next to each count (the words say it all; the dot only helps the eye).
_DOTS = {
    Tone.ERROR: "#d32f2f",
    Tone.WARNING: "#f2a900",
    Tone.INFO: "#1e6fd9",
    Tone.OK: "#2e9d49",
    Tone.NEUTRAL: "#8a8a8a",
}
_ALWAYS_SHOWN = {Category.NEEDS_REAUTHORIZATION, Category.EXPIRING, Category.HEALTHY}


def _dot(tone: Tone) -> QIcon:
    size = 12
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    colour = QColor(_DOTS[tone])
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(colour.darker(130))
    painter.setBrush(colour)
    painter.drawEllipse(QRectF(1.5, 1.5, size - 3, size - 3))
    painter.end()
    return QIcon(pixmap)


class SummaryBanner(QFrame):
    """Counts per summary category as buttons; clicking one asks to filter to it."""

    filterRequested = Signal(object)  # QuickFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Summary")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 6, 10, 6)
        outer.setSpacing(2)
        # One sentence naming the most urgent thing (core.services.view.first_step).
        self._first = QLabel()
        self._first.setWordWrap(True)
        self._first.setAccessibleName("What to do first")
        first_font = self._first.font()
        first_font.setBold(True)
        first_font.setPointSizeF(first_font.pointSizeF() * 1.15)
        self._first.setFont(first_font)
        self._first.hide()
        outer.addWidget(self._first)
        row = QHBoxLayout()
        row.setSpacing(4)
        outer.addLayout(row)
        self._headline = QLabel()
        font = self._headline.font()
        font.setBold(True)
        self._headline.setFont(font)
        row.addWidget(self._headline)
        self._buttons: dict[Category, QToolButton] = {}
        self._texts: dict[Category, tuple[str, str]] = {}
        for category, quick, tone, one, many, tip in _PARTS:
            button = QToolButton(self)
            button.setAutoRaise(True)
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setIcon(_dot(tone))
            button.setIconSize(QSize(12, 12))
            button.setToolTip(f"{tip}\nClick to show only these channels; click again to show all.")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda checked, q=quick: self._clicked(q, checked))
            row.addWidget(button)
            self._buttons[category] = button
            self._texts[category] = (one, many)
        row.addStretch(1)
        self._app_notice = QLabel()
        self._app_notice.setWordWrap(True)
        self._app_notice.hide()
        make_plain(self._headline, self._app_notice, self._first)
        outer.addWidget(self._app_notice)
        self.set_counts({}, 0)

    def _clicked(self, quick: QuickFilter, checked: bool) -> None:
        self.filterRequested.emit(quick if checked else QuickFilter.ALL)

    def set_counts(self, counts: dict[Category, int], total: int) -> None:
        noun = "channel" if total == 1 else "channels"
        self._headline.setText(f"{total} {noun}:" if total else "No channels yet")
        for category, button in self._buttons.items():
            n = counts.get(category, 0)
            one, many = self._texts[category]
            text = (one if n == 1 else many).format(n=n)
            button.setText(text)
            button.setAccessibleName(text)
            button.setEnabled(n > 0)
            button.setVisible(total > 0 and (n > 0 or category in _ALWAYS_SHOWN))

    def set_active(self, quick: QuickFilter) -> None:
        for category, _quick, *_ in _PARTS:
            button = self._buttons[category]
            button.setChecked(_quick is quick)
            font = button.font()
            font.setUnderline(_quick is quick)
            button.setFont(font)

    def set_app_notice(self, badge: HealthBadge | None) -> None:
        """The app's own client secret warning (it concerns every channel at once)."""
        if badge is None:
            self._app_notice.hide()
            return
        self._app_notice.setText(f"⚠ {badge.text}. {badge.detail}")
        self._app_notice.setToolTip(tooltip(badge.detail))
        self._app_notice.setAccessibleName(badge.text)
        self._app_notice.show()

    def set_first_step(self, sentence: str) -> None:
        """The one thing to do first, as a sentence (hidden when there is nothing to say)."""
        self._first.setText(f"{sentence}." if sentence else "")
        self._first.setAccessibleDescription(self._first.text())
        self._first.setVisible(bool(sentence))

    def first_step(self) -> str:
        """The sentence shown first (tests and screen readers); empty when hidden."""
        return "" if self._first.isHidden() else self._first.text()

    def button(self, category: Category) -> QToolButton:
        return self._buttons[category]

    def text(self) -> str:
        """The banner as one sentence (tests and screen readers)."""
        parts = [b.text() for b in self._buttons.values() if not b.isHidden()]
        return f"{self._headline.text()} {', '.join(parts)}"
