"""Test connection benchmark: pace at the allowed rate, and keep the window responsive.

``python -m tests.benchmarks check [--authorizations 2000] [--channels 50000] [--rate 100]
[--runs 3] [--secrets auto|keyring|memory] [--tight] [--quick]``

A main window (offscreen, the real threaded runner) opens a ``--channels`` inventory made by
:func:`core.domain.synthetic.generate_inventory`, of which ``--authorizations`` grants are live in
a simulator on 127.0.0.1, and tests them through the window's own code path
(:func:`gui.checks.start_connection_test` with the window's runner, bridge and status bar). The
simulator keeps its per-seller limits (Amazon's 0.016 requests a second, burst 15, per seller
and app: each seller is asked once a run, so a correct run is never throttled by them) and adds
an app-wide limit of ``--rate`` requests a second (burst ``--burst``); the checker's pacing
(:class:`core.amazon.checks.CheckSettings`) is set to the same rate. Each test is two requests
(the LWA refresh, then ``getMarketplaceParticipations``).

Secrets: with ``--secrets auto`` (the default) the refresh tokens are read from a real GNOME
Keyring through the keychain lane, as the app does: inside a private D-Bus session
(``SPCONNECT_TEST_DBUS=private``, as ``scripts/test`` sets) the benchmark starts the keyring
daemon itself; elsewhere it runs itself again under ``dbus-run-session`` with a throwaway home,
never touching a desktop's keychain. Without those programs it says so and uses the memory
store (``secret_store`` in the JSON says which was used).

Figures, per run and as medians over ``--runs`` runs:

* achieved rate: requests the simulator answered (429s not counted) / wall time from start to
  the summary in the status bar; ``rate_ratio`` = achieved / allowed;
* throttled: 429 answers (0 expected; with ``--tight`` the simulator's app-wide limit on the
  Sellers API is set to exactly its share, half the rate, so a few are expected);
* GUI stall: a 5 ms QTimer on the GUI thread records the largest gap between its ticks, minus
  5 ms: the longest time the event loop could not paint or take input. ``max_stall_ms`` is the
  largest over all runs, ``max_stall_ms_median`` the median of the runs';
* batches: how many health transactions (workspace events) recorded the run's outcomes;
* longest_gc_ms: the longest garbage collection during the runs (it stops every thread, so a
  stall at least that long is the interpreter's, not the code's).

``--quick`` runs small (10 grants in 500 channels, one run) so a test can keep this working.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from core.amazon.checks import CheckSettings
from core.domain.changes import replace_all
from core.domain.inventory import utcnow
from core.domain.marketplaces import EndpointProfile
from core.domain.secret import Secret
from core.domain.synthetic import generate_inventory
from core.services.checks import CheckRun, RunSummary
from core.services.lanes import Lanes
from core.services.opening import open_workspace
from core.services.workspace import Workspace, WorkspaceEvent
from core.simulator import SimApp, SimSeller, Simulator
from core.storage.keychain import MemorySecretStore
from gui import dialogs
from gui.checks import start_connection_test
from gui.main_window import MainWindow
from gui.tasks import TaskRunner
from tests.benchmarks._keychain import in_private_session, secret_store
from tests.secret_service import PRIVATE_BUS_ENV

ROOT = Path(__file__).resolve().parents[2]
TICK_MS = 5
RUN_TIMEOUT_S = 900
#: Opening the benchmark inventory (up to 50,000 channels) never takes this long.
OPEN_TIMEOUT_MS = 300_000
QUICK = {"authorizations": 10, "channels": 500, "runs": 1}


class StallMeter(QObject):
    """The largest gap between ticks of a precise GUI-thread timer, minus its interval."""

    def __init__(self, interval_ms: int = TICK_MS) -> None:
        super().__init__()
        self.interval_s = interval_ms / 1000
        self.max_gap_s = 0.0
        self._last: float | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._tick()
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.max_gap_s = max(self.max_gap_s, now - self._last)
        self._last = now

    @property
    def stall_ms(self) -> float:
        return max(0.0, (self.max_gap_s - self.interval_s) * 1000)


class GcPauses:
    """The longest garbage collection during a run: with a large inventory in memory, a full
    collection may stop every thread, the GUI's too, whatever the code in this benchmark does."""

    def __init__(self) -> None:
        self.longest_s = 0.0
        self._started = 0.0

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._note)
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.callbacks.remove(self._note)

    def _note(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.longest_s = max(self.longest_s, time.perf_counter() - self._started)


# --- the inventory and its live grants -----------------------------------------------------


def build(
    folder: Path, sim: Simulator, channels: int, grants: int
) -> tuple[list[str], dict[str, Secret]]:
    """Save a ``channels`` inventory in ``folder``; make ``grants`` of its authorizations live.

    Returns the channels of those grants and the secrets a test reads (the client secret and
    their refresh tokens). The saved copy's secrets are in a memory store that is then thrown
    away: only the secrets a test reads go to the store the benchmark measures with.
    """
    namespace = "bench"
    inventory, values = generate_inventory(channels, utcnow(), namespace, seed=7)
    app = inventory.app
    assert app.client_secret_ref is not None
    client_secret = values[app.client_secret_ref]
    sim.register_app(
        SimApp(app.application_id, app.lwa_client_id, client_secret, (app.redirect_uri,))
    )
    inventory.app = replace(
        app, endpoint_profile=EndpointProfile.SIMULATOR, endpoint_url=sim.base_url
    )
    by_auth: dict[str, list[str]] = {}
    for channel in inventory.channels.values():
        if channel.authorization_id is not None:
            by_auth.setdefault(channel.authorization_id, []).append(channel.id)
    chosen = random.Random(11).sample(sorted(by_auth), min(grants, len(by_auth)))
    needed = {app.client_secret_ref: client_secret}
    channel_ids: list[str] = []
    for auth_id in chosen:
        auth = inventory.authorizations[auth_id]
        markets = sorted({inventory.channels[c].marketplace_id for c in by_auth[auth_id]})
        sim.add_seller(SimSeller(auth.seller_id, f"Store {auth_id[:6]}", auth.region, markets))
        assert auth.refresh_token_ref is not None
        token = values[auth.refresh_token_ref]
        sim.adopt_refresh_token(token, auth.seller_id, auth.region, app.lwa_client_id)
        needed[auth.refresh_token_ref] = token
        channel_ids.extend(by_auth[auth_id])
    ws = Workspace.open(folder, MemorySecretStore())
    try:
        ws.apply(replace_all(inventory, values, utcnow()))
        ws.save()
    finally:
        ws.close()
    return channel_ids, needed


# --- one run -------------------------------------------------------------------------------


def run_once(
    window: MainWindow, channel_ids: list[str], sim: Simulator, settings: CheckSettings
) -> dict[str, Any]:
    """Test connection through the window's code path, as the person would start it."""
    ws = window.workspace
    assert ws is not None
    sim.clear_log()
    events: list[WorkspaceEvent] = []
    stop_counting = ws.changed.connect(events.append)  # on the database lane: one per batch
    meter = StallMeter()
    with GcPauses() as pauses:
        meter.start()
        started = time.perf_counter()
        run = start_connection_test(
            window,
            ws,
            channel_ids,
            runner=window.runner,
            bridge=window.bridge,
            settings=settings,
            status_bar=window.statusBar(),
            running=window.connection_tests,
        )
        if not isinstance(run, CheckRun):
            raise RuntimeError("the connection test did not start")
        ended = wait_for_end(window, run)
        elapsed = time.perf_counter() - started
        meter.stop()
    stop_counting()
    if not isinstance(ended, RunSummary) or ended.done != run.total:
        raise RuntimeError(f"the run did not finish: {ended}")
    throttled = sim.count(status=429)
    accepted = sim.count() - throttled  # a throttled request did no work: not counted
    return {
        "seconds": round(elapsed, 3),
        "requests": accepted,
        "achieved_rate": round(accepted / elapsed, 2),
        "rate_ratio": round(accepted / elapsed / settings.requests_per_second, 3),
        "throttled": throttled,
        "results": {result.value: count for result, count in ended.results.items()},
        "max_stall_ms": round(meter.stall_ms, 1),
        "batches": len(events),
        "longest_gc_ms": round(pauses.longest_s * 1000, 1),
    }


def wait_for_end(window: MainWindow, run: CheckRun) -> object:
    """Run the event loop until ``run`` ends; its summary, or the error that stopped it."""
    ended: list[object] = []
    loop = QEventLoop()

    def end(value: object) -> None:
        ended.append(value)
        loop.quit()

    window.bridge.listen(run.finished, end)
    window.bridge.listen(run.failed, end)
    if run.running:  # else it ended before anyone listened: its summary is all there is
        QTimer.singleShot(RUN_TIMEOUT_S * 1000, loop.quit)
        loop.exec()
    return ended[0] if ended else run.summary


def _refuse_dialogs() -> None:
    """Nobody answers a message box here: an error ends the benchmark instead of hanging it."""

    def refuse(_parent: object, *args: object) -> None:
        raise SystemExit(f"a dialog would have opened: {args[0] if args else ''}")

    dialogs.show_error = refuse  # type: ignore[assignment]
    dialogs.show_crash = refuse  # type: ignore[assignment]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks check")
    parser.add_argument("--authorizations", type=int, default=2000, help="live grants to test")
    parser.add_argument("--channels", type=int, default=50_000, help="inventory size")
    parser.add_argument("--rate", type=float, default=100.0, help="app-wide requests a second")
    parser.add_argument("--burst", type=int, default=2)
    parser.add_argument("--workers", type=int, default=CheckSettings().workers)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--secrets", choices=("auto", "keyring", "memory"), default="auto")
    parser.add_argument(
        "--tight",
        action="store_true",
        help="set the simulator's app-wide Sellers API limit to half the rate (exactly its share "
        "of the requests): the limit is then reached, not just respected",
    )
    parser.add_argument("--quick", action="store_true", help="small and one run: a smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            if f"--{key}" not in argv:
                setattr(args, key, value)
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    private = os.environ.get(PRIVATE_BUS_ENV) == "private"
    if args.secrets != "memory" and not private:
        status = in_private_session(argv)
        if status is not None:
            return status
        if args.secrets == "keyring":
            print("no dbus-run-session or gnome-keyring-daemon: cannot use a real keychain")
            return 2
        print("note: dbus-run-session or gnome-keyring-daemon is missing: using the memory store")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed for this figure
    app = QApplication.instance() or QApplication(["benchmark"])
    _refuse_dialogs()
    sellers_rate = args.rate / 2 if args.tight else args.rate
    sim = Simulator(global_rate=sellers_rate, global_burst=args.burst)  # per-seller limits on
    sim.start()
    settings = CheckSettings(args.workers, args.rate, args.burst, attempts=4)
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="spconnect-bench-check-") as tmp:
        folder = Path(tmp) / "data"
        started = time.perf_counter()
        channel_ids, needed = build(folder, sim, args.channels, args.authorizations)
        print(
            f"inventory: {args.channels} channels, {len(needed) - 1} live grants on "
            f"{len(channel_ids)} channels ({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        with secret_store(args.secrets, needed) as (store, store_name):
            window = MainWindow(TaskRunner(Lanes()), persist_settings=False)
            window.show()
            opening = QEventLoop()
            ended: list[bool] = []
            for signal in (window.loaded, window.openFailed):
                signal.connect(lambda *_: (ended.append(True), opening.quit()))
            window.open_inventory(lambda: open_workspace(folder, secrets=store))
            # The signal may come before the loop runs (a fast open): never wait for it twice,
            # and never for ever.
            QTimer.singleShot(OPEN_TIMEOUT_MS, opening.quit)
            if not ended:
                opening.exec()
            if window.workspace is None:
                raise RuntimeError("the inventory did not open")
            try:
                run_once(window, channel_ids[:20], sim, settings)  # warm-up, not counted
                for n in range(args.runs):
                    figures = run_once(window, channel_ids, sim, settings)
                    runs.append(figures)
                    print(
                        f"run {n + 1}: {figures['requests']} requests in {figures['seconds']} s"
                        f" = {figures['achieved_rate']}/s of {args.rate:g}/s allowed (ratio "
                        f"{figures['rate_ratio']}), {figures['throttled']} throttled, "
                        f"{figures['batches']} health batches, longest GUI stall "
                        f"{figures['max_stall_ms']} ms (longest garbage collection "
                        f"{figures['longest_gc_ms']} ms)",
                        flush=True,
                    )
            finally:
                window.close()
                sim.stop()
    del app
    ratio = round(statistics.median(r["rate_ratio"] for r in runs), 3)
    stalls = [r["max_stall_ms"] for r in runs]
    summary = {
        "benchmark": "check",
        "authorizations": len(needed) - 1,
        "channels": args.channels,
        "secret_store": store_name,
        "allowed_rate": args.rate,
        "sellers_api_limit": {
            "per_seller": [sim.usage_plan.rate, sim.usage_plan.burst],
            "app_wide": sellers_rate,
        },
        "achieved_rate": round(statistics.median(r["achieved_rate"] for r in runs), 2),
        "rate_ratio": ratio,
        "throttled": sum(r["throttled"] for r in runs),
        "max_stall_ms": max(stalls),
        "max_stall_ms_median": round(statistics.median(stalls), 1),
        "batches_median": statistics.median(r["batches"] for r in runs),
        "longest_gc_ms": max(r["longest_gc_ms"] for r in runs),
        "runs": len(runs),
        "load_average": round(os.getloadavg()[0], 2),
        "targets": {"rate_ratio": ">= 0.9", "max_stall_ms": "< 100"},
        "passed": ratio >= 0.9 and max(stalls) < 100,
    }
    print(
        f"median: {summary['achieved_rate']}/s of {args.rate:g}/s allowed = ratio {ratio}; "
        f"longest GUI stall {max(stalls)} ms (median of runs {summary['max_stall_ms_median']} "
        f"ms); secrets in {store_name}"
    )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
