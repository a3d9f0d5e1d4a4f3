"""Test all: Test connection for every channel, or for those the filter shows.

The action's text says which (``Test all 25`` / ``Test the 7 shown``), so nobody has to guess
whether the filter counts. It reuses the selection's run (:func:`start_connection_test`: paced
within Amazon's limits, progress and Cancel, results recorded in batches that stream into the
tree and the banner through the window's bridge). A second Test all while one runs brings the
running one's progress window forward instead of starting another.
"""

from __future__ import annotations

from PySide6.QtWidgets import QStatusBar, QWidget

from core.domain.errors import UserFacingError
from core.services.checks import CheckRun, CheckSettings
from core.services.test_all import scope
from core.services.view.rows import InventoryRows
from core.services.workspace import Workspace
from gui import dialogs
from gui.bridge import Bridge
from gui.checks.progress import ProgressWindow
from gui.checks.start import start_connection_test
from gui.tasks import TaskRunner
from gui.test_all_action import filtered, shown_channel_ids

#: The status bar's words when Test all is asked for again while it runs.
ALREADY_RUNNING = "Test all is already running: its progress window shows how far it is."


class TestAll:
    """The window's one Test all run: start it, or bring the running one forward."""

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self) -> None:
        self.run: CheckRun | None = None
        self.progress: ProgressWindow | None = None

    def trigger(
        self,
        parent: QWidget | None,
        workspace: Workspace,
        rows: InventoryRows,
        *,
        runner: TaskRunner,
        bridge: Bridge,
        status_bar: QStatusBar,
        running: list[CheckRun],
        settings: CheckSettings | None = None,
    ) -> CheckRun | None:
        """Start Test all for the channels ``rows`` shows; the run, or ``None`` (refused)."""
        if self.run is not None and self.run.running and self.progress is not None:
            self.progress.show()
            self.progress.raise_()
            self.progress.activateWindow()
            status_bar.showMessage(ALREADY_RUNNING, 5000)
            return None
        shown = shown_channel_ids(rows)
        chosen = scope(workspace.current, shown)
        if not chosen.tested:
            which = "channels shown" if filtered(rows) else "channels"
            dialogs.show_error(
                parent,
                UserFacingError(
                    f"None of the {len(shown)} {which} has an authorization to test.",
                    "Reauthorize them first: a test only checks an existing authorization.",
                ),
            )
            return None
        note = chosen.skipped_text
        title = "Test the channels shown" if filtered(rows) else "Test all"

        def make_progress(total: int) -> ProgressWindow:
            self.progress = ProgressWindow(total, parent, title=title, note=note)
            return self.progress

        self.progress = None
        self.run = start_connection_test(
            parent,
            workspace,
            chosen.tested,
            runner=runner,
            bridge=bridge,
            settings=settings,
            status_bar=status_bar,
            running=running,
            make_progress=make_progress,
            note=note,
        )
        return self.run
