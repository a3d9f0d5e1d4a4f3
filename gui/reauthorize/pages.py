"""The pages of the reauthorize dialog: widgets, words and tooltips, and how each page shows
busy and errors; the dialog wires them and decides which page shows.

Every control has an accessible name and a plain-words tooltip; captions are buddies of their
fields, so Alt+letter reaches each one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import UserFacingError, ValidationError
from core.services.consent.texts import PASTE_TITLE, SWITCHER_WARNING, link_tip


def text_label(text: str = "", *, rich: bool = True, selectable: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def button(text: str, name: str, tip: str) -> QPushButton:
    widget = QPushButton(text)
    widget.setAccessibleName(name)
    widget.setToolTip(tip)
    return widget


def link_button(text: str, name: str, tip: str) -> QPushButton:
    """A flat button that reads like a link but takes focus and Enter like any button."""
    widget = button(text, name, tip)
    widget.setAutoDefault(False)  # Enter never goes to a link, even when it had focus
    widget.setFlat(True)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    widget.setStyleSheet("QPushButton { text-align: left; text-decoration: underline; }")
    return widget


def message_label() -> QLabel:
    """A message under a field (hidden when empty); its text is its accessible name."""
    label = text_label(rich=False)
    label.setStyleSheet("color: #b3261e;")
    label.hide()
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setAccessibleName(text)
    label.setVisible(bool(text))


def heading(text: str, scale: float) -> QLabel:
    """A bold label, ``scale`` times the usual size; plain text (it can name a channel)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def warning_frame(html: str) -> QFrame:
    frame = QFrame()
    frame.setObjectName("switcherWarning")
    frame.setStyleSheet(
        "#switcherWarning { background: #fff4d6; border: 1px solid #d9a400; border-radius: 4px; }"
        " #switcherWarning QLabel { color: #3d2e00; }"
    )
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(10, 8, 10, 8)
    label = text_label(html)
    label.setAccessibleName("Warning: the account switcher decides which account is authorized")
    layout.addWidget(label)
    return frame


class StartPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.instructions = text_label()
        self.instructions.setAccessibleName("What to do in Seller Central")
        self.warning = warning_frame(SWITCHER_WARNING)
        self.open_button = button(
            "&Open in browser",
            "Open in browser",
            "Open Amazon's consent page in your web browser, signed in to Seller Central.",
        )
        self.copy_button = button(
            "&Copy link",
            "Copy link",
            link_tip(None),
        )
        self.message = message_label()
        self.self_auth_button = link_button(
            "I have a refresh token from Seller Central…",
            "Use a refresh token from Seller Central",
            "For private apps: paste a refresh token generated in Seller Central instead of "
            "confirming in the browser.",
        )
        self.listener_label = text_label(rich=False)
        self.listener_label.setAccessibleName("Receiving Amazon's answer")
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.instructions)
        layout.addWidget(self.warning)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.listener_label)
        layout.addWidget(self.self_auth_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)


class WaitingPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = text_label("<b>Waiting for Amazon's answer…</b>")
        self.heading.setAccessibleName("Waiting for Amazon's answer")
        self.reminder = text_label()
        self.countdown = text_label()
        self.countdown.setAccessibleName("Time left")
        self.link_caption = QLabel(
            "Consent &link (only for the person who will confirm in Seller Central):"
        )
        self.link = QLineEdit()
        self.link.setReadOnly(True)
        self.link.setAccessibleName("Consent link")
        self.link.setToolTip("The consent link. It holds no password or token and works once.")
        self.link_caption.setBuddy(self.link)
        self.open_button = button(
            "&Open in browser",
            "Open in browser again",
            "Open the same consent page in your web browser again.",
        )
        self.copy_button = button("&Copy link", "Copy link again", link_tip(None))
        self.message = text_label(rich=False)
        self.message.hide()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Checking")
        self.busy.setMaximumHeight(10)
        self.busy.hide()
        self.status = text_label(rich=False)
        self.status.setAccessibleName("Status")
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.reminder)
        layout.addWidget(self.countdown)
        layout.addWidget(self.link_caption)
        layout.addWidget(self.link)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.status)
        layout.addWidget(self.busy)
        layout.addStretch(1)

    def set_busy(self, busy: bool) -> None:
        """While Amazon is asked: a busy bar, and no new link."""
        if busy:
            self.status.setText("Checking Amazon's answer with Amazon…")
        self.busy.setVisible(busy)
        for widget in (self.open_button, self.copy_button):
            widget.setEnabled(not busy)


class SelfAuthPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = text_label("<b>Use a refresh token from Seller Central</b>")
        self.explanation = text_label(
            "For private apps (self-authorization): in Seller Central, open <b>Develop Apps</b>, "
            "choose <b>Authorize app</b> for this app while the right account is selected, and "
            "copy the refresh token (it starts with <b>Atzr|</b>). SP Connect checks it with "
            "Amazon before anything changes."
        )
        self.seller_caption = QLabel("&Seller ID:")
        self.seller = QLineEdit()
        self.seller.setAccessibleName("Seller ID")
        self.seller.setPlaceholderText("For example A3FHEXAMPLEYWS")
        self.seller.setToolTip(
            "The account the token was generated for (Seller Central > Settings > Account Info "
            "> Merchant Token)."
        )
        self.seller_caption.setBuddy(self.seller)
        self.seller_message = message_label()
        self.token_caption = QLabel("&Refresh token:")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAccessibleName("Refresh token")
        self.token.setPlaceholderText("Atzr|…")
        self.token.setToolTip(
            "Paste the whole refresh token. It is hidden on screen and kept in memory until you "
            "Save, then in the keychain."
        )
        self.token_caption.setBuddy(self.token)
        self.token_message = message_label()
        self.verify_button = button(
            "&Verify and use",
            "Verify and use",
            "Ask Amazon whether this token works for this app and which marketplaces it covers.",
        )
        self.message = message_label()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Checking the token")
        self.busy.setMaximumHeight(10)
        self.busy.hide()
        self.back_button = link_button(
            "Back to confirming in the browser",
            "Back to confirming in the browser",
            "Go back to the usual way: confirm on Amazon's page in your browser.",
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.explanation)
        for caption, field, message in (
            (self.seller_caption, self.seller, self.seller_message),
            (self.token_caption, self.token, self.token_message),
        ):
            layout.addWidget(caption)
            layout.addWidget(field)
            layout.addWidget(message)
        row = QHBoxLayout()
        row.addWidget(self.verify_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def set_busy(self, busy: bool) -> None:
        """While Amazon checks the token: a busy bar, and nothing to change or click."""
        self.busy.setVisible(busy)
        for widget in (self.verify_button, self.token, self.back_button):
            widget.setEnabled(not busy)
        if not busy:
            self.token.setFocus()

    def clear_messages(self) -> None:
        for label in (self.seller_message, self.token_message, self.message):
            show_message(label, "")

    def show_error(self, exc: UserFacingError) -> None:
        """Each problem under the field it is about; the rest under the Verify button."""
        if isinstance(exc, ValidationError):
            labels = {"seller_id": self.seller_message, "refresh_token": self.token_message}
            for error in exc.errors:
                show_message(labels.get(error.field, self.message), error.message)
            return
        show_message(self.message, str(exc))


class ResultPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = text_label(rich=False)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.text = text_label()
        self.text.setAccessibleName("Result")
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)


class PastePanel(QGroupBox):
    """Always there while waiting: the address (or text) the browser ended on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(PASTE_TITLE, parent)
        self.setAccessibleName(PASTE_TITLE)
        self.caption = QLabel(
            "&Paste the address your browser shows after you click Confirm (or the text on "
            "SP Connect's return page):"
        )
        self.caption.setWordWrap(True)
        self.edit = QLineEdit()
        self.edit.setAccessibleName("Address from the browser")
        self.edit.setPlaceholderText("https://…?state=…&selling_partner_id=…&spapi_oauth_code=…")
        self.edit.setToolTip(
            "Paste the whole address from the browser's address bar, or the text the return "
            "page shows. Spaces and line breaks do not matter."
        )
        self.caption.setBuddy(self.edit)
        self.finish_button = button(
            "&Finish",
            "Finish with the pasted address",
            "Check the pasted answer with Amazon and finish the authorization.",
        )
        self.message = message_label()
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.finish_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addLayout(row)
        layout.addWidget(self.message)
