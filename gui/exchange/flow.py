"""Export and Import from the window: the blocking work on the task runner, never the GUI thread.

Export writes ``workspace.current`` (pending changes included, as the window shows it). Import
reads and checks the file on the runner, then the preview shows the outcome; the change is
applied only when the person clicks Import.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QStatusBar, QWidget

from core.domain.changes import Change
from core.domain.inventory import utcnow
from core.services.exchange.importing import ImportPlan, import_changes
from core.services.exchange.reading import read_inventory_file
from core.services.exchange.writing import FORMATS, write_export
from core.services.workspace import Workspace
from gui import dialogs
from gui.exchange import files
from gui.exchange.preview import ImportPreview
from gui.tasks import TaskRunner


class ExchangeFlow:
    """One window's Export and Import; ``apply`` applies a change (refusals are shown)."""

    def __init__(
        self,
        parent: QWidget | None,
        workspace: Workspace,
        runner: TaskRunner,
        status: Callable[[], QStatusBar],
        apply: Callable[[Change], bool],
        version: str = "",
    ) -> None:
        self.parent, self.ws, self.runner = parent, workspace, runner
        self.status, self.apply, self.version = status, apply, version
        self.preview: ImportPreview | None = None

    def export(self) -> None:
        chosen = files.ask_export_file(self.parent, sorted(FORMATS))
        if chosen is None:
            return
        path, fmt = chosen
        ws, now, version = self.ws, utcnow(), self.version
        self.status().showMessage(f"Exporting to {path.name}…")
        self.runner.run(
            lambda: write_export(ws, fmt, path, now=now, app_version=version),
            lambda written: self.status().showMessage(f"Exported to {written}.", 8000),
            self._failed,
        )

    def import_file(self) -> None:
        path = files.ask_import_file(self.parent)
        if path is None:
            return
        current = self.ws.current  # the check runs against what the window shows now
        self.status().showMessage(f"Checking {path.name}…")
        self.runner.run(
            lambda: import_changes(read_inventory_file(path), current),
            lambda plan: self._show(path, plan),
            self._failed,
        )

    def _show(self, path: Path, plan: ImportPlan) -> None:
        self.status().clearMessage()
        if self.preview is not None:
            self.preview.close()
            self.preview.deleteLater()
        change = plan.change

        def apply() -> None:
            if change is not None and self.apply(change):
                self.status().showMessage(
                    f"Imported: {plan.summary()} Save to keep it, or Undo.", 10_000
                )

        self.preview = ImportPreview(self.parent, path.name, plan, apply)
        self.preview.open()

    def _failed(self, exc: BaseException) -> None:
        self.status().clearMessage()
        dialogs.report_error(self.parent, exc)  # plain words, or the crash dialog for a bug

    def close(self) -> None:
        if self.preview is not None:
            self.preview.close()
            self.preview.deleteLater()
            self.preview = None
