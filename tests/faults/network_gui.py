"""The window during a faulty Test connection: its event loop never stalls over 100 ms.

``python -m tests.faults.network_gui SEED`` (run by :mod:`tests.faults.network` in a child
process, offscreen). A real :class:`~gui.main_window.MainWindow` with the real threaded runner
opens an inventory whose grants live in a simulator, then runs Test connection through the
window's own code path while the simulator fails, drops, throttles and answers slowly. A 10 ms
timer on the GUI thread measures the longest gap between its ticks; the gap minus the interval
is how long a person's click or a repaint would have waited. Prints one JSON line (a
:class:`~tests.faults._report.KindReport`).
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from core.services.checks import CheckRun, RunSummary
from core.services.lanes import Lanes
from core.services.opening import open_workspace
from core.simulator import Simulator
from core.storage.keychain import MemorySecretStore
from gui.checks import start_connection_test
from gui.main_window import MainWindow
from gui.tasks import TaskRunner
from tests.benchmarks.check import StallMeter, _refuse_dialogs, wait_for_end
from tests.faults._report import KindReport
from tests.faults.network import ATTEMPTS, CHANNELS, SETTINGS, grant
from tests.integration.consent_support import simulator_workspace, start_amazon

TICK_MS = 10
OPEN_TIMEOUT_MS = 30_000
#: Issue 8: the GUI is never blocked for longer than this.
MAX_STALL_MS = 100.0

FAILED, WORKING = "could not be checked", "working"
#: Each fault, and what the status bar must say once the run ends.
FAULTS: list[tuple[str, Callable[[Simulator], object], str]] = [
    ("500 storm", lambda s: s.faults.fail_next(None), FAILED),
    ("dropped connections", lambda s: s.faults.drop_next(None), FAILED),
    ("429 storm", lambda s: s.faults.throttle_token_calls(1000, retry_after=0.2), FAILED),
    ("slow answers", lambda s: setattr(s.faults, "delay_s", 0.4), WORKING),
]


def main(seed: int) -> KindReport:
    report = KindReport("network")
    app = QApplication.instance() or QApplication(["faults"])
    _refuse_dialogs()
    amazon = start_amazon()
    sim = amazon.sim
    store = MemorySecretStore()
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="spconnect-faults-gui-") as tmp:
        folder = Path(tmp) / "data"
        ws = simulator_workspace(folder, amazon, store)
        grant(ws, amazon)
        channel_ids = list(CHANNELS)
        ws.close()
        window = MainWindow(TaskRunner(Lanes()), persist_settings=False)
        window.show()
        opening = QEventLoop()
        window.loaded.connect(opening.quit)
        window.openFailed.connect(opening.quit)
        window.open_inventory(lambda: open_workspace(folder, secrets=store))
        # It may have opened already (the event loop ran meanwhile): then quit came first.
        if window.workspace is None:
            QTimer.singleShot(OPEN_TIMEOUT_MS, opening.quit)
            opening.exec()
        opened = window.workspace
        if opened is None:
            report.fail(seed, "the inventory did not open in the window")
            return report
        for name, fault, said in FAULTS:
            sim.faults.clear()
            sim.clear_log()
            fault(sim)
            print(f"  window: Test connection with {name}", file=sys.stderr, flush=True)
            meter = StallMeter(TICK_MS)
            meter.start()
            run = start_connection_test(
                window, opened, channel_ids, runner=window.runner, bridge=window.bridge,
                settings=SETTINGS, status_bar=window.statusBar(), running=window.connection_tests,
            )  # fmt: skip
            if not report.check(isinstance(run, CheckRun), name, f"{name}: no run started"):
                continue
            assert isinstance(run, CheckRun)
            ended = wait_for_end(window, run)
            meter.stop()
            stall = meter.stall_ms
            worst = max(worst, stall)
            report.check(
                stall <= MAX_STALL_MS,
                f"{name}:{seed}",
                f"{name}: the window's event loop stalled {stall:.0f} ms "
                f"(at most {MAX_STALL_MS:g} ms)",
            )
            report.check(
                isinstance(ended, RunSummary) and ended.done == run.total,
                f"{name}:{seed}",
                f"{name}: the run did not end with a summary: {ended!r}",
            )
            report.check(
                sim.count("/auth/o2/token") <= ATTEMPTS * run.total,
                f"{name}:{seed}",
                f"{name}: {sim.count('/auth/o2/token')} token requests for {run.total} tests",
            )
            message = window.statusBar().currentMessage()
            report.check(
                said in message,
                f"{name}:{seed}",
                f"{name}: the status bar says {message!r}",
            )
        sim.faults.clear()
        window.close()
        sim.stop()
    report.figures["gui_max_stall_ms"] = round(worst, 1)
    del app
    return report


#: A hang here must not hang the fault run: every thread's stack goes to stderr, then exit.
HANG_S = 150

if __name__ == "__main__":
    faulthandler.dump_traceback_later(HANG_S, exit=True)
    result = main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
    print(json.dumps(result.to_json()), flush=True)
    sys.exit(0)
