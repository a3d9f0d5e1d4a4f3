"""Test connection as a service: prepare a run, test on the network lane, record on the database
lane (DESIGN §3.2).

A test refreshes each stored grant's access token at LWA
(https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api) and calls
``getMarketplaceParticipations`` (https://developer-docs.amazon.com/sp-api/docs/sellers-api): it
proves a grant still works, and never replaces one. Each authorization behind the chosen
channels is tested once (:func:`core.amazon.checks.targets_for`), paced and concurrent
(:class:`core.amazon.checks.ConnectionChecker`).

Every surface uses it the same way::

    run = prepare(workspace, channel_ids)      # a CheckRun, or the UserFacingError to show
    run.finished.connect(...)                  # plain events (core.services.events)
    run.start(lanes)                           # the window's lanes, or Lanes.immediate()

Threads: :func:`prepare` reads ``workspace.current`` wherever it is called (the GUI thread). The
run itself is one task on the NETWORK lane; it reads the client secret and the refresh tokens
there (:meth:`Workspace.secret`: a pending value first, then the keychain). Outcomes are
recorded as channel health on the DATABASE lane, where Save runs too, so the two never
interleave: whenever no batch is in flight, everything that arrived meanwhile goes as one
:meth:`Workspace.record_health` (one transaction, one ``changed`` event). A slow disk makes
bigger batches, never a backlog; nothing waits on a timer. The events are emitted on the lane
threads; the GUI's one bridge brings them to the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial

from core.amazon.checks import (
    CheckOutcome,
    CheckTarget,
    ConnectionChecker,
    targets_for,
)
from core.amazon.checks import (
    CheckSettings as CheckSettings,  # re-exported: surfaces set the pace through the service
)
from core.domain.app_rules import AppUse, incomplete_app, read_client_secret
from core.domain.endpoints import endpoints_for
from core.domain.errors import Cancelled, SecretStoreError, UserFacingError
from core.domain.inventory import CheckResult, Health
from core.domain.marketplaces import Endpoints
from core.domain.secret import Secret
from core.services.events import Event
from core.services.lanes import Lane, Lanes
from core.services.workspace import Workspace

log = logging.getLogger(__name__)

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


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a run is: ``done`` of ``total`` authorizations tested."""

    done: int
    total: int


@dataclass(slots=True)
class RunSummary:
    """How a run ended: how many authorizations were tested, and with what results."""

    total: int
    done: int = 0
    results: Counter[CheckResult] = field(default_factory=Counter)
    cancelled: bool = False

    @property
    def text(self) -> str:
        """The run in plain words, for the status bar or a headless command's output."""
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

    def copy(self) -> RunSummary:
        return RunSummary(self.total, self.done, Counter(self.results), self.cancelled)


# --- preparing ---------------------------------------------------------------------------


def prepare(
    workspace: Workspace,
    channel_ids: Iterable[str],
    *,
    endpoints: Endpoints | None = None,
    settings: CheckSettings | None = None,
) -> CheckRun | UserFacingError:
    """A run testing the authorizations behind ``channel_ids``, or why there is none to start.

    Cheap (no keychain, no network), so the GUI thread may call it. The refusal is returned,
    not raised, for the caller to show: nothing to test, incomplete app credentials, or
    endpoints that cannot be worked out.
    """
    inventory = workspace.current
    targets = targets_for(inventory, channel_ids)
    if not targets:
        return UserFacingError(
            "None of the selected channels has an authorization to test.",
            "Reauthorize them first: a test only checks an existing authorization.",
        )
    app = inventory.app
    problem = incomplete_app(app, AppUse.TEST)
    if problem is not None:
        return problem
    if endpoints is None:
        try:
            endpoints = endpoints_for(app)
        except UserFacingError as exc:
            return exc
    assert app.client_secret_ref is not None  # incomplete_app said so
    return CheckRun(
        workspace, targets, endpoints, app.lwa_client_id, app.client_secret_ref, settings
    )


# --- running -----------------------------------------------------------------------------


class CheckRun:
    """One Test connection run. Connect to its events, then :meth:`start` it once.

    Events (emitted on the lanes' threads; listeners must not block):

    * ``tested(CheckOutcome)`` and then ``progressed(Progress)`` after each authorization is
      tested (a headless report reads the outcomes; the window only counts);
    * ``finished(RunSummary)`` when the run ends, cancelled or not, once every outcome is
      recorded; a failure to record comes as ``failed`` just before it;
    * ``failed(error)`` when the run cannot go on (no client secret, the keychain did not
      answer): what was tested before it is recorded, and ``finished`` does not follow.
    """

    def __init__(
        self,
        workspace: Workspace,
        targets: list[CheckTarget],
        endpoints: Endpoints,
        client_id: str,
        client_secret_ref: str,
        settings: CheckSettings | None = None,
    ) -> None:
        self.workspace = workspace
        self.targets = targets
        self.endpoints = endpoints
        self.settings = settings
        self._client_id = client_id
        self._client_secret_ref = client_secret_ref
        self.tested: Event[CheckOutcome] = Event("checks tested")
        self.progressed: Event[Progress] = Event("checks progressed")
        self.finished: Event[RunSummary] = Event("checks finished")
        self.failed: Event[BaseException] = Event("checks failed")
        self._lock = threading.Lock()
        self._summary = RunSummary(len(targets))
        self._cancel = threading.Event()
        self._checker: ConnectionChecker | None = None
        self._keychain_error: SecretStoreError | None = None
        self._started = False
        self._ended = threading.Event()

    @property
    def total(self) -> int:
        return len(self.targets)

    @property
    def summary(self) -> RunSummary:
        """A copy of how far the run is (safe from any thread)."""
        with self._lock:
            return self._summary.copy()

    @property
    def running(self) -> bool:
        return self._started and not self._ended.is_set()

    def start(self, lanes: Lanes) -> Future[None]:
        """Run on ``lanes``' network lane (with immediate lanes: right here, to the end).

        Connect to the events first: a run that fails at once may report before this returns.
        """
        with self._lock:
            if self._started:
                raise RuntimeError("a check run starts once")
            self._started = True
        return lanes.submit(Lane.NETWORK, lambda: self._execute(lanes))

    def cancel(self) -> None:
        """Stop starting tests; those talking to Amazon finish, and their outcomes count."""
        self._cancel.set()
        with self._lock:
            checker = self._checker
        if checker is not None:
            checker.cancel()

    # --- on the network lane ---------------------------------------------------------------

    def _execute(self, lanes: Lanes) -> None:
        recorder = _Recorder(self.workspace, lanes)
        error: BaseException | None = None
        try:
            secret = self._client_secret()
            checker = ConnectionChecker(
                self.endpoints, self._client_id, secret, self._read_token, self.settings
            )
            with self._lock:
                self._checker = checker
            if self._cancel.is_set():
                checker.cancel()
            checker.run(self.targets, lambda outcome, _d, _t: self._tested(outcome, recorder))
        except Cancelled:
            with self._lock:
                self._summary.cancelled = True
        except Exception as exc:  # the run cannot go on: say why (a bug shows as one)
            error = exc
        # A keychain failure also cancels the checker: it is the reason, whatever came first.
        error = self._keychain_error or error
        recorder.drain()
        self._ended.set()
        if error is not None:
            self.failed.emit(error)
            return
        if recorder.error is not None:
            self.failed.emit(recorder.error)
        self.finished.emit(self.summary)

    def _client_secret(self) -> Secret:
        return read_client_secret(self.workspace.current.app, self.workspace.secret, AppUse.TEST)

    def _read_token(self, ref: str) -> Secret | None:
        """A refresh token; the first keychain failure stops the run instead of every test
        waiting for the keychain's timeout in turn."""
        if self._keychain_error is not None:
            raise Cancelled()
        try:
            return self.workspace.secret(ref)
        except SecretStoreError as exc:
            with self._lock:
                self._keychain_error = self._keychain_error or exc
                checker = self._checker
            if checker is not None:
                checker.cancel()
            raise

    def _tested(self, outcome: CheckOutcome, recorder: _Recorder) -> None:
        with self._lock:
            summary = self._summary
            summary.done += 1
            summary.results[outcome.result] += 1
            progress = Progress(summary.done, summary.total)
        recorder.add(outcome)
        self.tested.emit(outcome)
        self.progressed.emit(progress)


class _Recorder:
    """Records outcomes as health on the database lane, in batches that form by themselves.

    One batch at most is on the lane at a time; whatever arrives meanwhile waits in the queue
    and goes as the next batch as soon as the previous one is written.
    """

    def __init__(self, workspace: Workspace, lanes: Lanes) -> None:
        self._workspace = workspace
        self._lanes = lanes
        self._queue: list[CheckOutcome] = []
        self._busy = False
        self._idle = threading.Condition()
        self.error: Exception | None = None  # the first batch that could not be recorded

    def add(self, outcome: CheckOutcome) -> None:
        with self._idle:
            self._queue.append(outcome)
            if self._busy:
                return  # goes with the next batch
            self._busy = True
        self._pump()

    def drain(self) -> None:
        """Wait until every outcome added so far is recorded (or dropped at shutdown)."""
        with self._idle:
            self._idle.wait_for(lambda: not self._busy)

    def _pump(self) -> None:
        """Submit the queue as one batch; called by whoever made the recorder busy."""
        while True:
            with self._idle:
                if not self._queue:
                    self._busy = False
                    self._idle.notify_all()
                    return
                batch, self._queue = self._queue, []
            try:
                future = self._lanes.submit(Lane.DATABASE, partial(self._record, batch))
            except RuntimeError:
                # Lanes.submit's refusal once the lanes are shut down: the window is closing,
                # nobody will see these outcomes, and the next run tests again.
                log.info("%d connection test outcome(s) not recorded: shutting down", len(batch))
                with self._idle:
                    self._queue.clear()
                continue
            if not future.done():
                future.add_done_callback(lambda _f: self._pump())
                return
            # Done already (an immediate lane): the next batch goes from here, not recursively.

    def _record(self, batch: list[CheckOutcome]) -> None:
        """On the database lane: the health of each channel the batch concerns, in one go."""
        ws = self._workspace
        channels = ws.current.channels
        updates: dict[str, Health] = {}
        for outcome in batch:
            target = outcome.target
            for channel_id in target.channel_ids:
                channel = channels.get(channel_id)
                # A channel given another authorization meanwhile keeps its own health: this
                # outcome says nothing about the grant it has now.
                if channel is None or channel.authorization_id != target.authorization_id:
                    continue
                updates[channel_id] = outcome.health(channel.health)
        try:
            ws.record_health(updates)
        except UserFacingError as exc:  # the disk: keep testing, say it once at the end
            log.warning("connection test outcomes not stored: %s", exc.message)
            self._keep(exc)
        except Exception as exc:  # a bug: reported at the end like any other
            log.exception("connection test outcomes not stored")
            self._keep(exc)

    def _keep(self, exc: Exception) -> None:
        with self._idle:
            self.error = self.error or exc
