"""GUI benchmark: start-up against a bare Qt window, filter keystrokes, peak memory.

``python -m tests.benchmarks gui [--runs N] [--sizes 0,5000,50000]``

For each inventory size (built with :func:`core.domain.samples.generate_inventory` and saved):

* start: wall time from spawning ``main.py --data-dir DIR --self-test`` until its window is
  first painted, against the floor: a bare ``QMainWindow`` script (``_floor.py``) started the
  same way in the same run (runs interleaved, medians). The window paints before the inventory
  is loaded (it opens on a worker thread), so *ready* is reported too: until the inventory
  itself has been painted;
* filter: the median (and worst) time of one keystroke in the real window's filter box, from
  the key press until the tree has repainted;
* memory: the peak resident memory of the ``main.py`` process.

This process only orchestrates: building inventories and timing keystrokes run in child
processes, so that each child's peak memory is its own (``ru_maxrss`` counts a forked child's
memory from before ``exec``). Children run with a bytecode cache, as an installed app does
(``PYTHONDONTWRITEBYTECODE`` would make every start compile every module), with
``QT_QPA_PLATFORM`` from the environment (default offscreen) and the null keyring (SP Connect
refuses it and opens with saving off, as on a machine without a keychain).

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLOOR = Path(__file__).with_name("_floor.py")
LABELS = {0: "empty", 5000: "5k", 50000: "50k"}
FIRST, READY = "self-test: first paint", "self-test: ready"


def spawn(argv: list[str], env: dict[str, str], markers: tuple[str, ...]) -> dict[str, float]:
    """Run a child; seconds from spawn to each marker line, and its peak RSS in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, cwd=ROOT
    )
    found: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        for marker in markers:
            if line.startswith(marker) and marker not in found:
                found[marker] = time.perf_counter() - start
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read() if proc.stderr else ""
    missing = [m for m in markers if m not in found]
    if proc.returncode != 0 or missing:
        raise RuntimeError(f"{argv[1:]} failed ({proc.returncode}), missing {missing}: {stderr}")
    found["rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return found


def child(env: dict[str, str], *args: str) -> dict[str, float]:
    """Run this module in a child process for one job; it prints one JSON line."""
    argv = [sys.executable, "-m", "tests.benchmarks", "gui", *args]
    out = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{args} failed: {out.stderr}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure_start(folder: Path, runs: int, env: dict[str, str]) -> dict[str, float]:
    app_argv = [sys.executable, str(ROOT / "main.py"), "--data-dir", str(folder), "--self-test"]
    floor_argv = [sys.executable, str(FLOOR)]
    spawn(app_argv, env, (READY,))  # warm the disk and bytecode caches for both
    spawn(floor_argv, env, ("first paint",))
    apps, floors = [], []
    for _ in range(runs):
        floors.append(spawn(floor_argv, env, ("first paint",)))
        apps.append(spawn(app_argv, env, (FIRST, READY)))
    floor = statistics.median(r["first paint"] for r in floors)
    first = statistics.median(r[FIRST] for r in apps)
    ready = statistics.median(r[READY] for r in apps)
    return {
        "floor_s": floor,
        "start_s": first,
        "start_ratio": first / floor,
        "ready_s": ready,
        "ready_ratio": ready / floor,
        "rss_mb": max(r["rss_mb"] for r in apps),
        "floor_rss_mb": max(r["rss_mb"] for r in floors),
    }


# --- jobs run in a child process -------------------------------------------------------------


def build(folder: Path, n_channels: int) -> dict[str, float]:
    from core.domain import changes
    from core.domain.inventory import utcnow
    from core.domain.samples import generate_inventory
    from core.services.workspace import Workspace
    from core.storage.keychain import MemorySecretStore

    ws = Workspace.open(folder, MemorySecretStore())
    if n_channels:
        inventory, values = generate_inventory(n_channels, utcnow(), ws.namespace, seed=7)
        ws.apply(changes.replace_all(inventory, values, utcnow()))
        ws.save()
    ws.close()
    return {"channels": n_channels}


def measure_filter(folder: Path) -> dict[str, float]:
    """Median and worst time of one keystroke in the real window's filter box."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from core.services.lanes import Lanes
    from core.services.opening import open_workspace
    from core.storage.keychain import MemorySecretStore
    from gui.main_window import MainWindow, load_rows
    from gui.tasks import TaskRunner

    app = QApplication([sys.argv[0]])
    workspace, rows = load_rows(lambda: open_workspace(folder, secrets=MemorySecretStore()))
    window = MainWindow(TaskRunner(Lanes.immediate()), persist_settings=False)
    window.build_chrome()
    window.show_workspace(workspace, rows)
    window.show()
    app.processEvents()
    assert window.page is not None
    edit, viewport = window.page.filter_edit, window.page.view.viewport()
    back = Qt.Key.Key_Backspace
    # Typing and erasing: broad matches first (many rows), then narrow ones.
    keys: list[str | Qt.Key] = [*"harbor", *[back] * 6, *"a1b", *[back] * 3]
    keys += [*"willow 0", *[back] * 8, *"germany", *[back] * 7]
    times: list[float] = []
    for key in keys:
        start = time.perf_counter()
        if isinstance(key, str):
            QTest.keyClicks(edit, key)
        else:
            QTest.keyClick(edit, key)
        app.processEvents()
        viewport.repaint()  # the keystroke counts until the tree shows its result
        times.append(time.perf_counter() - start)
    window.close()
    return {"filter_ms": statistics.median(times) * 1000, "filter_max_ms": max(times) * 1000}


# --- entry point -----------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks gui")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="0,5000,50000")
    parser.add_argument("--build", nargs=2, metavar=("DIR", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--filter", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        print(json.dumps(build(Path(args.build[0]), int(args.build[1]))))
        return 0
    if args.filter:
        print(json.dumps(measure_filter(Path(args.filter))))
        return 0

    platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    summary: dict[str, float | str] = {"platform": platform}
    with tempfile.TemporaryDirectory(prefix="spc-gui-bench-") as tmp:
        env = dict(
            os.environ,
            QT_QPA_PLATFORM=platform,
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
            XDG_CONFIG_HOME=str(Path(tmp) / "config"),
            PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"),
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("SPCONNECT_DATA_DIR", None)
        print(f"platform {platform}, {args.runs} runs each, medians")
        for size in (int(s) for s in args.sizes.split(",")):
            folder = Path(tmp) / f"inventory-{size}"
            child(env, "--build", str(folder), str(size))
            label = LABELS.get(size, str(size))
            result = measure_start(folder, args.runs, env)
            line = (
                f"{size:>6} channels | first paint {result['start_s'] * 1000:4.0f} ms "
                f"(floor {result['floor_s'] * 1000:4.0f} ms, x{result['start_ratio']:.2f}) | "
                f"ready {result['ready_s'] * 1000:5.0f} ms (x{result['ready_ratio']:.2f}) | "
            )
            if size:
                result.update(child(env, "--filter", str(folder)))
                line += f"filter {result['filter_ms']:5.1f} ms "
                line += f"(worst {result['filter_max_ms']:5.1f}) | "
            line += f"peak RSS {result['rss_mb']:.0f} MB (floor {result['floor_rss_mb']:.0f} MB)"
            print(line, flush=True)
            summary[f"start_ratio_{label}"] = round(result["start_ratio"], 3)
            summary[f"ready_ratio_{label}"] = round(result["ready_ratio"], 3)
            summary[f"ready_s_{label}"] = round(result["ready_s"], 3)
            summary[f"rss_mb_{label}"] = round(result["rss_mb"], 1)
            if size:
                summary[f"filter_ms_{label}"] = round(result["filter_ms"], 2)
                summary[f"filter_max_ms_{label}"] = round(result["filter_max_ms"], 2)
    print("targets: start ratio <= 1.3 empty and <= 1.6 at 50k; filter < 50 ms at 50k")
    print(json.dumps(summary))
    return 0
