"""Text a person typed (or Amazon sent) shown as text, never as markup.

Qt guesses: a QLabel, a QMessageBox and every tooltip treat text that looks like HTML as rich
text (``Qt::AutoText``, ``Qt::mightBeRichText``). A company called ``<img src=x>`` would load
an image and a channel called ``<a href=...>`` would show a link. So a label that may show a
name is plain text (:func:`plain_label`, :func:`make_plain`), a message box is plain
(:func:`make_box_plain`), and a tooltip, which cannot be told its format, is escaped into rich
text that says exactly the plain text (:func:`tooltip`). Rich text of our own (bold headings)
escapes the person's part with ``html.escape`` (``core.services.consent.texts`` does).
"""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows its text as is, whatever it looks like."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def make_plain(*labels: QLabel) -> None:
    """Existing labels show their text as is from now on."""
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)


def make_box_plain(box: QMessageBox) -> QMessageBox:
    """Every text of ``box`` is shown as is: its text, and the informative text's label (which
    QMessageBox creates on demand, so call this after setting the texts)."""
    box.setTextFormat(Qt.TextFormat.PlainText)
    make_plain(*box.findChildren(QLabel))
    return box


def tooltip(text: str) -> str:
    """``text`` as a tooltip that shows exactly it: escaped, and made rich so that Qt renders
    the escapes (an escaped text that Qt took for plain would show ``&lt;``). Line breaks are
    kept."""
    if not text:
        return ""
    return QtGui.Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
