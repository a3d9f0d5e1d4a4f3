"""Test connection benchmark: pace against an app-wide rate limit, and keep the window responsive.

``python -m tests.benchmarks check [--authorizations 500] [--rate 100] [--runs 3]``

An offscreen QApplication runs Test connection over ``--authorizations`` authorizations (one
channel and one seller each) through the same code the window uses
(:func:`gui.connection_test.start_connection_test`, with its progress window), against a
simulator on 127.0.0.1 whose app-wide limit is ``--rate`` requests a second (burst 2), with the
checker's pacing (:class:`core.amazon.checks.CheckSettings`) at the same rate. Each test is two
requests
(the LWA refresh, then ``getMarketplaceParticipations``) and the checker paces every request, so
the Sellers API sees half the pace: a correct run is never throttled.

Figures, per run and as medians over ``--runs`` runs:

* achieved rate: requests the simulator answered (429s not counted) / wall time from start to
  the finished signal; ``rate_ratio`` = achieved / allowed (the pace the checker may use);
* throttled: 429 answers (0 expected; with ``--tight`` the Sellers API limit is set to exactly
  its share, half the rate, and a few throttles, retried after ``Retry-After``, are expected);
* GUI stall: a 5 ms QTimer on the GUI thread records the largest gap between its ticks, minus
  5 ms, during the run: the longest time the event loop could not paint or take input.
  ``max_stall_ms`` is the largest over all runs; ``max_stall_ms_median`` the median of the runs'.

Health is recorded as the window does (:meth:`Workspace.record_health` on the GUI thread, which
writes the SQLite file), in a temporary data folder with a memory secret store.

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from core.amazon.checks import CheckSettings
from core.domain.changes import replace_all
from core.domain.inventory import (
    AppCredentials,
    Authorization,
    AuthSource,
    Channel,
    Company,
    Inventory,
    utcnow,
)
from core.domain.marketplaces import EndpointProfile, Region, by_country
from core.domain.secret import Secret
from core.domain.secret_refs import new_client_secret_ref, new_refresh_token_ref
from core.services.workspace import Workspace
from core.simulator import SimApp, SimSeller, Simulator
from core.storage.keychain import MemorySecretStore
from gui import dialogs
from gui.connection_test import RunSummary, start_connection_test

APP = SimApp(
    application_id="amzn1.sp.solution.bbbbbbbb-1111-4222-8333-444444444444",
    client_id="amzn1.application-oa2-client.00112233445566778899aabbccddeeff",
    client_secret=Secret("amzn1.oa2-cs.v1.benchmark-secret"),
    redirect_uris=("https://connect.example.com/spapi/return",),
)
TICK_MS = 5
RUN_TIMEOUT_S = 600


class StallMeter(QObject):
    """The largest gap between ticks of a precise GUI-thread timer, minus its interval."""

    def __init__(self, interval_ms: int = TICK_MS) -> None:
        super().__init__()
        self.interval_s = interval_ms / 1000
        self.max_gap_s = 0.0
        self.ticks = 0
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
        self.ticks += 1

    @property
    def stall_ms(self) -> float:
        return max(0.0, (self.max_gap_s - self.interval_s) * 1000)


def build(folder: Path, sim: Simulator, count: int) -> tuple[Workspace, list[str]]:
    """A saved inventory of ``count`` sellers, one channel and one live grant each."""
    store = MemorySecretStore()
    ws = Workspace.open(folder, store)
    now = utcnow()
    inventory = Inventory()
    values: dict[str, Secret] = {}
    secret_ref = new_client_secret_ref(ws.namespace)
    values[secret_ref] = APP.client_secret
    inventory.app = AppCredentials(
        application_id=APP.application_id,
        lwa_client_id=APP.client_id,
        client_secret_ref=secret_ref,
        redirect_uri=APP.redirect_uris[0],
        secret_issued_at=now,
        endpoint_profile=EndpointProfile.SIMULATOR,
        endpoint_url=sim.base_url,
    )
    uk = by_country("UK").id
    channel_ids = []
    for n in range(count):
        seller = f"A{n:012d}B"
        sim.add_seller(SimSeller(seller, f"Store {n}", Region.EU, [uk]))
        token = sim.issue_refresh_token(seller, Region.EU, APP.client_id)
        ref = new_refresh_token_ref(ws.namespace, seller)
        values[ref] = token
        auth = Authorization.new(
            seller, Region.EU, AuthSource.IMPORT, ref, now, frozenset({uk}), f"Store {n}"
        )
        company = Company(f"c{n}", f"Company {n}")
        channel = Channel(f"ch{n}", company.id, uk, f"Company {n} UK", seller, auth.id)
        inventory.companies[company.id] = company
        inventory.authorizations[auth.id] = auth
        inventory.channels[channel.id] = channel
        channel_ids.append(channel.id)
    ws.apply(replace_all(inventory, values, now))
    ws.save()
    return ws, channel_ids


def run_once(
    ws: Workspace,
    channel_ids: list[str],
    sim: Simulator,
    rate: float,
    burst: int,
    sellers_rate: float,
) -> dict[str, Any]:
    # New buckets, full again; the per-seller limit is out of the way (each seller is asked once).
    sim.set_rate_limits(1000.0, 1000, global_rate=sellers_rate, global_burst=burst)
    sim.clear_log()
    settings = CheckSettings(workers=4, requests_per_second=rate, burst=burst, attempts=4)
    meter = StallMeter()
    loop = QEventLoop()
    summaries: list[RunSummary] = []
    meter.start()
    started = time.perf_counter()
    test = start_connection_test(None, ws, channel_ids, settings=settings)
    if test is None:
        raise RuntimeError("the connection test did not start")
    test.finished.connect(lambda s: (summaries.append(s), loop.quit()))
    test.failed.connect(lambda exc: (print(f"failed: {exc}", file=sys.stderr), loop.quit()))
    QTimer.singleShot(RUN_TIMEOUT_S * 1000, loop.quit)
    loop.exec()
    elapsed = time.perf_counter() - started
    meter.stop()
    if not summaries or summaries[0].done != len(channel_ids):
        raise RuntimeError("the run did not finish")
    if test.progress is not None:
        test.progress.deleteLater()
    test.deleteLater()
    throttled = sim.count(status=429)
    accepted = sim.count() - throttled  # a throttled request did no work: not counted
    results = summaries[0].results
    return {
        "seconds": round(elapsed, 3),
        "requests": accepted,
        "achieved_rate": round(accepted / elapsed, 2),
        "rate_ratio": round(accepted / elapsed / rate, 3),
        "throttled": throttled,
        "results": {result.value: count for result, count in results.items()},
        "max_stall_ms": round(meter.stall_ms, 1),
        "ticks": meter.ticks,
    }


def _refuse_dialogs() -> None:
    """Nobody answers a message box here: an error ends the benchmark instead of hanging it."""

    def refuse(_parent: object, *args: object) -> None:
        raise SystemExit(f"a dialog would have opened: {args[0] if args else ''}")

    dialogs.show_error = refuse  # type: ignore[assignment]
    dialogs.show_crash = refuse  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks check")
    parser.add_argument("--authorizations", type=int, default=500)
    parser.add_argument("--rate", type=float, default=100.0, help="app-wide requests a second")
    parser.add_argument("--burst", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--tight",
        action="store_true",
        help="set the simulator's Sellers API limit to half the rate (exactly its share of the "
        "requests) instead of the full rate: the limit is then reached, not just respected",
    )
    args = parser.parse_args(argv)
    sellers_rate = args.rate / 2 if args.tight else args.rate

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed for this figure
    app = QApplication.instance() or QApplication(["benchmark"])
    del app
    _refuse_dialogs()
    sim = Simulator(global_rate=args.rate, global_burst=args.burst)
    sim.register_app(APP)
    sim.start()
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="spconnect-bench-check-") as tmp:
        ws, channel_ids = build(Path(tmp) / "data", sim, args.authorizations)
        try:
            run_once(
                ws, channel_ids[:20], sim, args.rate, args.burst, sellers_rate
            )  # warm-up, not counted
            for n in range(args.runs):
                figures = run_once(ws, channel_ids, sim, args.rate, args.burst, sellers_rate)
                runs.append(figures)
                print(
                    f"run {n + 1}: {figures['requests']} requests in {figures['seconds']} s = "
                    f"{figures['achieved_rate']}/s of {args.rate:g}/s allowed "
                    f"(ratio {figures['rate_ratio']}), {figures['throttled']} throttled, "
                    f"longest GUI stall {figures['max_stall_ms']} ms",
                    flush=True,
                )
        finally:
            ws.close()
            sim.stop()
    ratio = round(statistics.median(r["rate_ratio"] for r in runs), 3)
    stalls = [r["max_stall_ms"] for r in runs]
    summary = {
        "benchmark": "check",
        "authorizations": args.authorizations,
        "allowed_rate": args.rate,
        "sellers_api_limit": sellers_rate,
        "achieved_rate": round(statistics.median(r["achieved_rate"] for r in runs), 2),
        "rate_ratio": ratio,
        "throttled": sum(r["throttled"] for r in runs),
        "max_stall_ms": max(stalls),
        "max_stall_ms_median": round(statistics.median(stalls), 1),
        "runs": len(runs),
        "targets": {"rate_ratio": ">= 0.9", "max_stall_ms": "< 100"},
        "passed": ratio >= 0.9 and max(stalls) < 100,
    }
    print(
        f"median: {summary['achieved_rate']}/s of {args.rate:g}/s allowed = ratio {ratio}; "
        f"longest GUI stall {max(stalls)} ms (median of runs {summary['max_stall_ms_median']} ms)"
    )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
