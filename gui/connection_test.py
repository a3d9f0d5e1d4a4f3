"""Test connection for the selected channels (DESIGN §3.2), with progress and Cancel.

Each authorization behind the channels is tested once (:func:`core.amazon.checks.targets_for`): a
refresh of its access token, then ``getMarketplaceParticipations``. The run
(:class:`core.amazon.checks.ConnectionChecker`, paced and concurrent) happens on worker threads; the
app's client secret and the refresh tokens are read there too, through a snapshot of the pending
secrets taken on the GUI thread (:mod:`core.services.secret_reader`). Each outcome comes back to
the GUI thread, which stores it as the channels' health at once (:meth:`Workspace.record_health`: an
observation, not a pending change). A test never replaces an authorization.

Open it with :func:`start_connection_test`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QStatusBar, QWidget

from core.amazon.checks import (
    CheckOutcome,
    CheckSettings,
    CheckTarget,
    ConnectionChecker,
    targets_for,
)
from core.domain.app_rules import AppUse, incomplete_app, read_client_secret
from core.domain.endpoints import endpoints_for
from core.domain.errors import Cancelled, UserFacingError
from core.domain.inventory import CheckResult
from core.domain.marketplaces import Endpoints
from core.services.lanes import Lane, Lanes
from core.services.workspace import Workspace
from gui import dialogs
from gui.tasks import TaskRunner

log = logging.getLogger(__name__)

#: While the workspace is busy (a Save on the worker), outcomes wait this long between tries.
RETRY_RECORD_MS = 200

_SAY = {
    CheckResult.OK: ("working", "working"),
    CheckResult.NEEDS_REAUTHORIZATION: ("needs reauthorization", "need reauthorization"),
    CheckResult.APP_CREDENTIALS: (
        "refused the app credentials (open App credentials)",
        "refused the app credentials (open App credentials)",
    ),
    CheckResult.WRONG_ACCOUNT: ("wrong account", "wrong account"),
    CheckResult.FAILED: ("could not be checked (try later)", "could not be checked (try later)"),
}


@dataclass(slots=True)
class RunSummary:
    """How a run ended: how many authorizations were tested, and with what results."""

    total: int
    done: int = 0
    results: Counter[CheckResult] = field(default_factory=Counter)
    cancelled: bool = False

    @property
    def text(self) -> str:
        noun = "connection" if self.total == 1 else "connections"
        head = (
            f"Stopped: {self.done} of {self.total} {noun} tested"
            if self.cancelled
            else f"Tested {self.done} {noun}"
        )
        parts = []
        for result in CheckResult:
            count = self.results.get(result, 0)
            if count:
                one, many = _SAY[result]
                parts.append(f"{count} {one if count == 1 else many}")
        return head + (": " + ", ".join(parts) if parts else "") + "."


class ConnectionTest(QObject):
    """One run of Test connection. Use it from the GUI thread; :meth:`start` begins the run."""

    progressed = Signal(int, int)  # done, total
    finished = Signal(object)  # RunSummary, also after Cancel
    failed = Signal(object)  # the error that stopped the run (no client secret, keychain...)
    _outcome = Signal(object, int, int)  # from the worker: outcome, done, total

    def __init__(
        self,
        workspace: Workspace,
        channel_ids: Iterable[str],
        *,
        endpoints: Endpoints | None = None,
        settings: CheckSettings | None = None,
        can_record: Callable[[], bool] = lambda: True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.channel_ids = tuple(channel_ids)
        self._endpoints = endpoints
        self.settings = settings
        self._can_record = can_record
        self.targets: list[CheckTarget] = []
        self.summary = RunSummary(0)
        self.running = False
        self._cancel = threading.Event()
        self._checker: ConnectionChecker | None = None
        self._queue: list[CheckOutcome] = []
        self._retry_pending = False
        self._record_error: UserFacingError | None = None
        self._executor: ThreadPoolExecutor | None = None
        self.progress: ProgressWindow | None = None
        self._outcome.connect(self._on_outcome)

    def start(self) -> None:
        """:meth:`prepare` and :meth:`run`."""
        self.prepare()
        self.run()

    def prepare(self) -> None:
        """Work out what to test (on the GUI thread).

        Raises:
            UserFacingError: Nothing to test, or the app credentials are incomplete.
        """
        inventory = self.workspace.current
        self.targets = targets_for(inventory, self.channel_ids)
        if not self.targets:
            raise UserFacingError(
                "None of the selected channels has an authorization to test.",
                "Reauthorize them first: a test only checks an existing authorization.",
            )
        app = inventory.app
        problem = incomplete_app(app, AppUse.TEST)
        if problem is not None:
            raise problem
        self._endpoints = self._endpoints or endpoints_for(app)
        self.summary = RunSummary(len(self.targets))

    def run(self) -> None:
        """Start the prepared run on a worker. Connect to the signals first: a run that fails
        at once (no client secret) may report before this returns."""
        app = self.workspace.current.app
        read = self.workspace.secret
        targets, settings, endpoints = self.targets, self.settings, self._endpoints
        assert endpoints is not None, "prepare() first"

        def work() -> list[CheckOutcome]:
            secret = read_client_secret(app, read, AppUse.TEST)
            checker = ConnectionChecker(endpoints, app.lwa_client_id, secret, read, settings)
            self._checker = checker
            if self._cancel.is_set():
                checker.cancel()
            return checker.run(targets, self._deliver)

        self._executor = ThreadPoolExecutor(1, thread_name_prefix="connection-test")
        runner = TaskRunner(Lanes(network=self._executor), self)
        self.running = True
        runner.run(work, self._done, self._stopped, lane=Lane.NETWORK)

    def cancel(self) -> None:
        """Stop starting tests; those talking to Amazon finish, and their outcomes count."""
        self._cancel.set()
        checker = self._checker
        if checker is not None:
            checker.cancel()

    # --- on the worker ------------------------------------------------------------------

    def _deliver(self, outcome: CheckOutcome, done: int, total: int) -> None:
        # RuntimeError: the window (and this object) went away; the run is abandoned.
        with contextlib.suppress(RuntimeError):
            self._outcome.emit(outcome, done, total)

    # --- on the GUI thread --------------------------------------------------------------

    @Slot(object, int, int)
    def _on_outcome(self, outcome: CheckOutcome, done: int, total: int) -> None:
        self.summary.done = done
        self.summary.results[outcome.result] += 1
        self._queue.append(outcome)
        self._record()
        self.progressed.emit(done, total)

    def _retry(self) -> None:
        self._retry_pending = False
        self._record()

    def _record(self) -> None:
        """Store queued outcomes as health, unless a Save has the workspace right now."""
        if not self._queue:
            return
        if not self._can_record():
            if not self._retry_pending:
                self._retry_pending = True
                QTimer.singleShot(RETRY_RECORD_MS, self._retry)
            return
        queue, self._queue = self._queue, []
        current = self.workspace.current.channels
        updates = {}
        for outcome in queue:
            for channel_id in outcome.target.channel_ids:
                channel = current.get(channel_id)
                # A channel given another authorization meanwhile keeps its own health.
                if channel is None or channel.authorization_id != outcome.target.authorization_id:
                    continue
                updates[channel_id] = outcome.health(channel.health)
        try:
            self.workspace.record_health(updates)
        except UserFacingError as exc:  # the disk: keep testing, say it once at the end
            log.warning("health not stored: %s", exc.message)
            self._record_error = self._record_error or exc

    def _done(self, _outcomes: object) -> None:
        self._end()

    def _stopped(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.summary.cancelled = True
            self._end()
            return
        self.running = False
        self._shutdown()
        self.failed.emit(exc)

    def _end(self) -> None:
        self.running = False
        self._shutdown()
        self._record()
        if self._record_error is not None:
            self.failed.emit(self._record_error)
        self.finished.emit(self.summary)

    def _shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None


class ProgressWindow(QProgressDialog):
    """A non-modal progress window with Cancel: the main window stays usable."""

    def __init__(self, test: ConnectionTest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.test = test
        total = len(test.targets)
        self.setWindowTitle("Test connection — SP Connect")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setAccessibleName("Test connection progress")
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.setRange(0, total)
        self.setValue(0)
        self.setCancelButtonText("Cancel")
        self.setMinimumWidth(420)
        self._label(0, total)
        self.canceled.connect(test.cancel)
        test.progressed.connect(self._progress)
        test.finished.connect(self._close)
        test.failed.connect(self._close)

    def _label(self, done: int, total: int) -> None:
        noun = "connection" if total == 1 else "connections"
        text = (
            f"Testing {total} {noun} with Amazon: {done} of {total} done.\n"
            "This only checks the stored authorizations; it never replaces one."
        )
        self.setLabelText(text)
        self.setToolTip("Cancel stops the test; results so far are kept.")

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        self.setValue(done)
        self._label(done, total)

    def _close(self, _result: object) -> None:
        self.reset()
        self.close()


def start_connection_test(
    parent: QWidget | None,
    workspace: Workspace,
    channel_ids: Iterable[str],
    *,
    endpoints: Endpoints | None = None,
    settings: CheckSettings | None = None,
    can_record: Callable[[], bool] = lambda: True,
    status_bar: QStatusBar | None = None,
    show_progress: bool = True,
) -> ConnectionTest | None:
    """Test the connections of ``channel_ids``; returns the running test, or ``None``.

    Problems found before the run (nothing to test, incomplete app credentials) and errors that
    stop it (no client secret, keychain unavailable) are shown with :mod:`gui.dialogs`; the
    summary goes to ``status_bar``.
    """
    test = ConnectionTest(
        workspace, channel_ids, endpoints=endpoints, settings=settings,
        can_record=can_record, parent=parent,
    )  # fmt: skip
    try:
        test.prepare()
    except UserFacingError as exc:
        dialogs.show_error(parent, exc)
        test.deleteLater()
        return None
    if show_progress:
        test.progress = ProgressWindow(test, parent)
        test.progress.show()

    def failed(exc: object) -> None:
        if isinstance(exc, BaseException):
            dialogs.report_error(parent, exc)

    def finished(summary: object) -> None:
        if status_bar is not None and isinstance(summary, RunSummary):
            status_bar.showMessage(summary.text, 15_000)

    test.failed.connect(failed)
    test.finished.connect(finished)
    test.run()
    return test
