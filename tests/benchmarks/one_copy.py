"""One running copy: what the hand-over costs a first start, and how long a second one takes.

``python -m tests.benchmarks one_copy [--runs N]``

* claim: in a fresh process with its QApplication, the time a start that takes part spends on
  the hand-over before its window is built: asking (nobody there) plus listening, QtNetwork's
  import included. ``main.py --self-test`` (what the ``gui`` benchmark times) takes no part,
  so this is the figure to add to its first paint for a person's own start;
* hand-over: wall time of a second ``main.py --data-dir DIR`` while a first runs on DIR, from
  spawn until it has exited with the plain line, against ``main.py --version`` (Python, the
  argument parser, no Qt) as its floor.

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks._common import ROOT, child_env, ms, spread

_CLAIM = """
import json, sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gui.app import AppOptions
start = time.perf_counter()
from gui.single_instance import OneCopy
copy = OneCopy.for_start(AppOptions(data_dir=sys.argv[1]))
assert copy is not None and not copy.hand_over()
asked = time.perf_counter()
assert copy.listen()
done = time.perf_counter()
copy.close()
print(json.dumps({"ask": asked - start, "claim": done - start}))
"""


def _claim(folder: Path, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CLAIM, str(folder)],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True, timeout=120,
    )  # fmt: skip
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def _wall(argv: list[str], env: dict[str, str], expect: str) -> float:
    start = time.perf_counter()
    run = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    took = time.perf_counter() - start
    if run.returncode != 0 or expect not in run.stdout + run.stderr:
        raise RuntimeError(f"{argv[1:]} failed ({run.returncode}): {run.stderr}")
    return took


def _wait_listening(address: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the first copy ended before it listened")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(address)
            return
        except OSError:
            time.sleep(0.02)  # a benchmark's set-up, not a measurement
        finally:
            probe.close()
    raise RuntimeError("the first copy did not listen within 60 s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks one_copy")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    from core.services.running_copy import copy_address
    from gui.single_instance import HANDED_OVER

    work = Path(tempfile.mkdtemp(prefix="spc-bench-", dir="/tmp"))
    runtime = work / "run"
    runtime.mkdir(mode=0o700)
    env = dict(child_env(work), XDG_RUNTIME_DIR=str(runtime))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    folder = work / "inventory"
    main_py = [sys.executable, str(ROOT / "main.py")]
    try:
        claims = [_claim(work / "claim", env) for _ in range(args.runs + 1)][1:]
        first = subprocess.Popen(
            [*main_py, "--data-dir", str(folder)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_listening(copy_address(folder, env=env), first)
            second = [[*main_py, "--data-dir", str(folder)]] * (args.runs + 1)
            floor = [*main_py, "--version"]
            handed, floors = [], []
            for i, run in enumerate(second):  # interleaved; the first of each warms caches
                took = _wall(run, env, HANDED_OVER)
                bare = _wall(floor, env, "SP Connect")
                if i:
                    handed.append(took)
                    floors.append(bare)
        finally:
            first.terminate()
            first.wait(timeout=60)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ask = spread(c["ask"] for c in claims)
    claim = spread(c["claim"] for c in claims)
    hand_over, floor_s = spread(handed), spread(floors)
    platform = env["QT_QPA_PLATFORM"]
    print(f"platform {platform}, {args.runs} runs each: median [min-max]")
    print(f"  claim (ask nobody + listen, before the window): {_fine(claim)} (ask {_fine(ask)})")
    print(f"  second start until it exits: {ms(hand_over)} (main.py --version: {ms(floor_s)})")
    print(
        json.dumps(
            {
                "platform": platform,
                "claim_ms": round(claim["median"] * 1000, 2),
                "ask_ms": round(ask["median"] * 1000, 2),
                "handover_s": round(hand_over["median"], 3),
                "handover_floor_s": round(floor_s["median"], 3),
            }
        )
    )
    return 0


def _fine(figure: dict[str, float]) -> str:
    return (
        f"{figure['median'] * 1000:.1f} ms [{figure['min'] * 1000:.1f}-{figure['max'] * 1000:.1f}]"
    )


if os.name != "posix":  # pragma: no cover - the probe above is a Unix socket
    raise ImportError("tests.benchmarks.one_copy runs on Unix")
