"""Start Test connection for some channels: the window's lanes run it, its bridge reports it.

Everything the run decides lives in :mod:`core.services.checks`; this module only shows it: the
progress window, the summary in the status bar, and errors through :mod:`gui.dialogs`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QStatusBar, QWidget

from core.domain.errors import UserFacingError
from core.domain.marketplaces import Endpoints
from core.services import checks
from core.services.checks import CheckRun, CheckSettings, RunSummary
from core.services.workspace import Workspace
from gui import dialogs
from gui.bridge import Bridge
from gui.checks.progress import ProgressWindow
from gui.tasks import TaskRunner

#: How long the run's summary stays in the status bar.
SUMMARY_MS = 15_000


def start_connection_test(
    parent: QWidget | None,
    workspace: Workspace,
    channel_ids: Iterable[str],
    *,
    runner: TaskRunner,
    bridge: Bridge,
    endpoints: Endpoints | None = None,
    settings: CheckSettings | None = None,
    status_bar: QStatusBar | None = None,
    show_progress: bool = True,
    running: list[CheckRun] | None = None,
    make_progress: Callable[[int], ProgressWindow] | None = None,
    note: str = "",
) -> CheckRun | None:
    """Test the connections of ``channel_ids`` on ``runner``'s lanes; the run, or ``None``.

    Problems found before the run (nothing to test, incomplete app credentials) and errors that
    stop it (no client secret, the keychain) are shown with :mod:`gui.dialogs`; the summary goes
    to ``status_bar``. The run is in ``running`` (the window's list, cancelled when it closes)
    until it ends. ``make_progress(total)`` makes the progress window instead of the default
    one (Test all's has its own title and note); ``note`` follows the summary in the status bar.
    """
    prepared = checks.prepare(workspace, channel_ids, endpoints=endpoints, settings=settings)
    if isinstance(prepared, UserFacingError):
        dialogs.show_error(parent, prepared)
        return None
    run = prepared
    progress: ProgressWindow | None = None
    if make_progress is not None:
        progress = make_progress(run.total)
    elif show_progress:
        progress = ProgressWindow(run.total, parent)
    if progress is not None:
        progress.canceled.connect(run.cancel)
        bridge.listen(run.progressed, progress.show_progress)

    # Neither callback disconnects: a run emits nothing after its end, and a failure to record
    # (failed, then finished) must still show its summary.
    def end() -> None:
        if progress is not None:
            progress.end()
        if running is not None and run in running:
            running.remove(run)

    def failed(exc: BaseException) -> None:
        end()
        dialogs.report_error(parent, exc)

    def finished(summary: RunSummary) -> None:
        end()
        if status_bar is not None:
            status_bar.showMessage(f"{summary.text} {note}".strip(), SUMMARY_MS)

    bridge.listen(run.failed, failed)
    bridge.listen(run.finished, finished)
    if running is not None:
        running.append(run)
    if progress is not None:
        progress.show()
    run.start(runner.lanes)
    return run
