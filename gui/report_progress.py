"""A PDF report written while the window keeps working: progress, Cancel, no partial file.

:class:`PdfExport` runs :class:`gui.report_pages.PdfPainting` one short step after another from
a zero-interval timer on the GUI thread: between steps the event loop paints the window, takes
input and delivers the lanes' results. Steps run until :data:`BUDGET_MS` have passed in one
turn, so the many very short ones (early layout steps take under a millisecond) do not each pay
for a turn of the loop. The PDF goes to a temporary file next to its destination
(:mod:`core.services.report.staging`), renamed into place only when the last page is written;
Cancel or a failure removes it.

The progress window is modal to the main window: it keeps painting and updating, but nothing
can change or close it until the report is written or cancelled.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPageSize
from PySide6.QtWidgets import QProgressDialog, QWidget

from core.domain.errors import UserFacingError
from core.services.report.model import ReportData
from core.services.report.staging import StagedFile, commit, discard, unwritable
from gui.report_pages import PdfPainting, PdfProgress
from gui.report_pdf import default_page_size
from gui.text import plain_label

#: How long one turn of the event loop may paint before the window gets its turn.
BUDGET_MS = 20
_SCALE = 1000  # the progress bar's steps


class PdfProgressWindow(QProgressDialog):
    """How far the report is, in words and as a bar, with Cancel."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export report — SP Connect")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAccessibleName("Report progress")
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.setRange(0, _SCALE)
        self.setValue(0)
        self.setCancelButtonText("Cancel")
        self.setMinimumWidth(420)
        self.setToolTip("Cancel stops the report; no file is left behind.")
        self.setLabel(plain_label())  # the default label guesses rich text
        self.setLabelText("Preparing the report…")

    def show_progress(self, progress: PdfProgress) -> None:
        self.setLabelText(progress.words)
        self.setValue(round(progress.fraction * _SCALE))


class PdfExport(QObject):
    """Paints ``report`` into ``staged`` in steps; exactly one of the signals ends it."""

    finished = Signal(object)  # the path written
    failed = Signal(object)  # a UserFacingError
    cancelled = Signal()
    #: Jobs under way: one without a parent window would otherwise be collected mid-way.
    _running: set[PdfExport] = set()  # noqa: RUF012 (one set for the class, on purpose)

    def __init__(
        self,
        parent: QWidget | None,
        report: ReportData,
        staged: StagedFile,
        *,
        page_size: QPageSize | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(parent)
        self.staged = staged
        self.progress = PdfProgressWindow(parent)
        self.progress.canceled.connect(self.cancel)
        self.painting = PdfPainting(report, staged.temp, page_size or default_page_size())
        self._steps = self.painting.steps()
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._turn)
        self.running = False

    def start(self) -> None:
        self.running = True
        PdfExport._running.add(self)
        self.progress.show()
        self._timer.start()

    def cancel(self) -> None:
        """Stop painting and remove the unfinished file."""
        if self.running:
            self._end()
            self.cancelled.emit()

    def _turn(self) -> None:
        deadline = self._clock() + BUDGET_MS / 1000
        try:
            while True:
                step = next(self._steps, None)
                if step is None:
                    self._timer.stop()
                    path = commit(self.staged)
                    self.running = False
                    self._close_window()
                    self.finished.emit(path)
                    return
                # The last page written: finishing the file (Qt's writer adds the fonts and the
                # index in one call, about 0.1 s at 800 pages) gets a turn of its own.
                if self._clock() >= deadline or step.fraction >= 1:
                    self.progress.show_progress(step)
                    return
        except UserFacingError as exc:
            self._end()
            self.failed.emit(exc)
        except OSError as exc:
            self._end()
            self.failed.emit(unwritable(self.staged.target, exc))
        except BaseException:
            self._end()  # a defect: no half report is left, and the crash dialog says what
            raise

    def _end(self) -> None:
        self.running = False
        self._timer.stop()
        self._steps.close()  # ends the painter, so the writer lets go of the file
        discard(self.staged)
        self._close_window()

    def _close_window(self) -> None:
        PdfExport._running.discard(self)
        self.progress.canceled.disconnect(self.cancel)
        self.progress.reset()
        self.progress.close()
        self.progress.deleteLater()
        self.deleteLater()
