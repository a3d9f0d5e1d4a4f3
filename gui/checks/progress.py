"""The Test connection progress window: how many connections are tested, and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from core.services.checks import Progress
from gui.text import plain_label


class ProgressWindow(QProgressDialog):
    """A non-modal progress window with Cancel: the main window stays usable.

    It only shows: :func:`gui.checks.start_connection_test` feeds it the run's progress (through
    the window's bridge) and connects Cancel to the run.
    """

    def __init__(
        self,
        total: int,
        parent: QWidget | None = None,
        *,
        title: str = "Test connection",
        note: str = "",
    ) -> None:
        super().__init__(parent)
        self._note = note  # a line under the count: Test all's skipped channels
        self.setWindowTitle(f"{title} — SP Connect")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setAccessibleName("Test connection progress")
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.setRange(0, total)
        self.setValue(0)
        self.setCancelButtonText("Cancel")
        self.setMinimumWidth(420)
        self.setToolTip("Cancel stops the test; results so far are kept.")
        self.setLabel(plain_label())  # the default label guesses rich text
        self._label(0, total)

    def _label(self, done: int, total: int) -> None:
        noun = "connection" if total == 1 else "connections"
        note = f"\n{self._note}" if self._note else ""
        self.setLabelText(
            f"Testing {total} {noun} with Amazon: {done} of {total} done.{note}\n"
            "This only checks the stored authorizations; it never replaces one."
        )

    def show_progress(self, progress: Progress) -> None:
        self.setValue(progress.done)
        self._label(progress.done, progress.total)

    def end(self) -> None:
        """The run is over (finished, cancelled or failed): the window goes."""
        self.reset()
        self.close()
