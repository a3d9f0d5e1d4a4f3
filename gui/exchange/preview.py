"""The import preview: what the file would change, or every problem with its line.

Nothing changes until the person clicks Import; then the import is one pending change (Undo
takes it back, Save keeps it). A file with problems can only be closed: all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.services.exchange.importing import ImportPlan
from gui.text import plain_label

#: How many problems the preview lists before "and N more".
SHOWN = 500


def preview_text(plan: ImportPlan) -> str:
    """The lines the preview lists: problems first (with their place), then notes."""
    lines = [str(p) for p in plan.problems[:SHOWN]]
    if len(plan.problems) > SHOWN:
        lines.append(f"... and {len(plan.problems) - SHOWN} more.")
    lines += [f"Note, {w}" for w in plan.warnings[:SHOWN]]
    lines += list(plan.notes)
    return "\n".join(lines)


class ImportPreview(QDialog):
    """Shows an :class:`ImportPlan`; ``apply`` gets its change when the person imports it."""

    def __init__(
        self, parent: QWidget | None, file_name: str, plan: ImportPlan, apply: Callable[[], None]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importPreview")
        self.setWindowTitle("Import — SP Connect")
        self.plan = plan
        layout = QVBoxLayout(self)
        self.headline = plain_label(f"{file_name}: {plan.summary()}", self)
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        if plan.problems:
            advice = "Correct the file, then import it again. Nothing was changed."
        elif plan.change is None:
            advice = "There is nothing to import."
        else:
            advice = "Import makes these unsaved changes: Undo takes them back, Save keeps them."
        self.advice = plain_label(advice, self)
        self.advice.setWordWrap(True)
        layout.addWidget(self.advice)
        text = preview_text(plan)
        self.details = QPlainTextEdit(text, self)
        self.details.setReadOnly(True)
        self.details.setVisible(bool(text))
        layout.addWidget(self.details)
        if not text:
            layout.addStretch()
        buttons = QDialogButtonBox(self)
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(plan.change is not None)
        self.import_button.setDefault(plan.change is not None)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.accepted.connect(apply)
        layout.addWidget(buttons)
        self.resize(640, 420 if text else 140)
