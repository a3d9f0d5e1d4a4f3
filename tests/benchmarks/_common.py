"""What the benchmarks share: child processes, inventories to measure, floors and statistics.

The process that orchestrates a benchmark must stay small: a child's peak memory
(``ru_maxrss``) starts from its parent's at the fork, so whatever is big (building or loading an
inventory, Qt) runs in a child. Hence the core is imported only inside the functions that need
it.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "inventory.sqlite3"  # core.storage.backups.DB_NAME, without importing the core
FIRST, READY = "self-test: first paint", "self-test: ready"
FLOOR = Path(__file__).with_name("_floor.py")


def label(n_channels: int) -> str:
    """``empty``, ``1k``, ``50k``, ``12345``: how a size is named in figures' keys."""
    if n_channels == 0:
        return "empty"
    if n_channels % 1000 == 0:
        return f"{n_channels // 1000}k"
    return str(n_channels)


# --- statistics ------------------------------------------------------------------------------


def spread(values: Iterable[float]) -> dict[str, float]:
    """Median, min and max of some runs."""
    data = list(values)
    return {"median": statistics.median(data), "min": min(data), "max": max(data)}


def ms(figure: dict[str, float]) -> str:
    """``123 ms [110-140]``: a median in milliseconds with its min and max."""
    return (
        f"{figure['median'] * 1000:.0f} ms [{figure['min'] * 1000:.0f}-{figure['max'] * 1000:.0f}]"
    )


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes, after a collection so that no earlier garbage is paid."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- child processes -------------------------------------------------------------------------


def child_env(tmp: Path) -> dict[str, str]:
    """The environment every measured child runs in.

    Offscreen unless ``QT_QPA_PLATFORM`` says otherwise; the null keyring (SP Connect refuses it
    and opens with saving off, as on a machine without a keychain); settings and the log in
    ``tmp``; and a bytecode cache as an installed app has one (``PYTHONDONTWRITEBYTECODE``
    would make every start compile every module).
    """
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        XDG_CONFIG_HOME=str(tmp / "config"),
        PYTHONPYCACHEPREFIX=str(tmp / "pycache"),
        SPCONNECT_LOG_DIR=str(tmp / "log"),  # every start logs; never to the real log folder
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("SPCONNECT_DATA_DIR", None)
    return env


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
    _close(proc)
    missing = [m for m in markers if m not in found]
    if proc.returncode != 0 or missing:
        raise RuntimeError(f"{argv[1:]} failed ({proc.returncode}), missing {missing}: {stderr}")
    # Kilobytes on Linux; it includes this process's size at the fork: keep this one small.
    found["rss_mb"] = usage.ru_maxrss / 1024
    return found


def _close(proc: subprocess.Popen[str]) -> None:
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def app_argv(folder: Path) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--data-dir", str(folder), "--self-test"]


def floor_argv(folder: Path | None = None) -> list[str]:
    """The floor: a bare QMainWindow, plus a bare read of ``folder``'s rows when given."""
    argv = [sys.executable, str(FLOOR)]
    return [*argv, str(folder / DB_NAME)] if folder is not None else argv


def run_job(
    env: dict[str, str], benchmark: str, *args: str, echo: str | None = None
) -> dict[str, Any]:
    """``python -m tests.benchmarks BENCHMARK ARGS`` in a child; returns its last line's JSON.

    With ``echo``, the child's other lines are printed as they come, behind that prefix.
    """
    argv = [sys.executable, "-m", "tests.benchmarks", benchmark, *args]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if echo is not None and not line.startswith("{"):
            print(f"{echo}{line}", end="", flush=True)
    stderr = proc.stderr.read() if proc.stderr else ""
    proc.wait()
    _close(proc)
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{benchmark} {args} failed ({proc.returncode}): {stderr}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# --- inventories and floors ------------------------------------------------------------------


def build(folder: Path, n_channels: int, seed: int = 7) -> None:
    """Save a synthetic inventory of ``n_channels`` channels in ``folder`` (empty when 0)."""
    from core.domain import changes
    from core.domain.inventory import utcnow
    from core.domain.synthetic import generate_inventory
    from core.services.workspace import Workspace
    from core.storage.keychain import MemorySecretStore

    ws = Workspace.open(folder, MemorySecretStore())
    if n_channels:
        inventory, values = generate_inventory(n_channels, utcnow(), ws.namespace, seed=seed)
        ws.apply(changes.replace_all(inventory, values, utcnow()))
        ws.save()
    ws.close()
