"""What the company and channel forms share: inline messages and the commit cycle.

A form is read-only until Edit. While editing, every keystroke is checked with
core.domain.validation
and the messages appear under the field they concern; a field's value becomes a pending change
(one Undo step) when the person leaves the field or picks from a list, and only if it has no
error. Warnings let the value through and stay visible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from core.domain.changes import Apply, Change
from core.domain.errors import FieldError, ValidationError
from core.services.workspace import Workspace

GENERAL = "*"  # messages about no particular field


class FieldMessage(QLabel):
    """A validation message under a field; hidden when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # messages can quote what was typed
        self.hide()

    def show_message(self, errors: list[FieldError]) -> None:
        if not errors:
            self.clear()
            self.hide()
            return
        warning = all(e.warning for e in errors)
        prefix = "Check: " if warning else "Not accepted: "
        self.setText(prefix + " ".join(e.message for e in errors))
        self.setAccessibleName(self.text())
        palette = self.palette()
        dark = palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5
        colours = {(True, True): "#e0a526", (True, False): "#8a5a00"}
        colours |= {(False, True): "#ff8f86", (False, False): "#b3261e"}
        colour = colours[warning, dark]
        self.setStyleSheet(f"color: {colour};")
        self.show()


def field_box(widget: QWidget, message: FieldMessage) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    layout.addWidget(message)
    return box


class FocusOut(QObject):
    """Calls back when a widget loses focus (QPlainTextEdit has no editingFinished)."""

    def __init__(self, widget: QPlainTextEdit, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self._callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self._callback()
        return False


class FormBase(QWidget):
    """The edit cycle; subclasses build fields and say how they become changes."""

    edited = Signal()  # a field's text changed, committed or not (Save's enabled state)

    def __init__(self, apply: Apply, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._apply = apply
        self._messages: dict[str, FieldMessage] = {GENERAL: FieldMessage(self)}
        self.workspace: Workspace | None = None
        self.editing = False

    def message(self, field: str) -> FieldMessage:
        return self._messages.setdefault(field, FieldMessage(self))

    def show_errors(self, errors: Iterable[FieldError]) -> list[FieldError]:
        by_field: dict[str, list[FieldError]] = {name: [] for name in self._messages}
        for error in errors:
            key = error.field if error.field in self._messages else GENERAL
            by_field[key].append(error)
        for name, found in by_field.items():
            self._messages[name].show_message(found)
        return [e for found in by_field.values() for e in found]

    def messages(self) -> dict[str, str]:
        """The messages shown, by field (for tests)."""
        return {k: m.text() for k, m in self._messages.items() if not m.isHidden()}

    def apply_change(self, change: Change | None, errors: list[FieldError]) -> bool:
        """Show ``errors``; if none refuses the value, apply ``change``. True when it is in."""
        self.show_errors(errors)
        if any(not e.warning for e in errors):
            return False
        if change is None:
            return True
        refusal = self._apply(change)
        if refusal is None:
            return True
        if isinstance(refusal, ValidationError):
            self.show_errors([*errors, *refusal.errors])
        else:
            self.show_errors([*errors, FieldError(GENERAL, str(refusal))])
        return False

    def set_editing(self, editing: bool) -> None:
        self.editing = editing
        if not editing:
            self.show_errors([])
        self._set_widgets_editable(editing)
        # Read-only fields take the window's background, so they do not look typeable.
        for edit in self.findChildren(QLineEdit) + self.findChildren(QPlainTextEdit):
            edit.setAutoFillBackground(False)
            palette = edit.palette()
            role = QPalette.ColorRole.Base
            source = self.palette().color(QPalette.ColorRole.Window if not editing else role)
            palette.setColor(role, source)
            edit.setPalette(palette)

    # --- for subclasses ---------------------------------------------------------------

    def _set_widgets_editable(self, editing: bool) -> None:
        raise NotImplementedError

    def commit(self) -> bool:
        """Turn every field edited but not yet applied into pending changes."""
        raise NotImplementedError

    def has_uncommitted(self) -> bool:
        raise NotImplementedError

    def reload(self) -> None:
        raise NotImplementedError
