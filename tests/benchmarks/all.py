"""Every benchmark at once, with a scaling table: ``python -m tests.benchmarks all``.

``python -m tests.benchmarks all [--runs 5] [--sizes 1000,10000,50000,100000] [--quick]``

For an empty inventory and each size (synthetic inventories from
:func:`core.domain.synthetic.generate_inventory`), every figure is the median of ``--runs`` runs
(at least 5, except ``--quick``) with its min and max, beside a floor measured in the same run,
interleaved with it:

* ready (``gui``): ``main.py --self-test`` until the rows are painted and a keystroke is taken,
  against a bare ``QMainWindow`` (empty) or the same bare window that first reads the same rows
  with bare ``sqlite3``;
* filter (``gui``): one keystroke in the real window, against the stock recursive
  ``QSortFilterProxyModel`` over a ``QStandardItemModel`` of the same rows, same process;
* one Test connection result (``gui``): the window recording a channel's health until the tree
  has repainted, against a bare one-row commit on the same connection and a repaint;
* open and one Save (``store``): :meth:`Workspace.open` against a bare ``sqlite3`` read, and one
  Save against a bare one-row commit on the same connection;
* memory: peak resident memory of the ``main.py`` process at ready, and of its bare floor;
* Test connection (``check``): its own figures, passed through (``rate_ratio``,
  ``max_stall_ms``), from ``python -m tests.benchmarks check``.

Each measurement runs in its own child process (see ``_common``), so this one stays small and
the children's peak memory is their own. ``--quick`` (tiny sizes, 2 runs, a small Test
connection) only proves that the code runs: its figures mean nothing. The last line is one JSON
object: per-size figures keyed by size (``ready_ratio_50k``...) and the headline ones
(``open_ratio``, ``save_ratio``, ``rate_ratio``, ``max_stall_ms``) at 50,000 channels, or at
the largest size when 50,000 is not among them.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tests.benchmarks import gui
from tests.benchmarks._common import child_env, label, ms, run_job

SIZES = "1000,10000,50000,100000"
QUICK_SIZES = "200,1000"
HEADLINE = 50_000
QUICK_CHECK = ("--authorizations", "10", "--rate", "400")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}" if seconds < 0.1 else f"{seconds * 1000:.0f}"


def _spread(figure: dict[str, float]) -> str:
    """``1.4 ms [1.2-2.0]``, with a decimal where it matters."""
    return f"{_ms(figure['median'])} ms [{_ms(figure['min'])}-{_ms(figure['max'])}]"


def _row(name: str, figure: dict[str, float], floor_name: str, floor: dict[str, float]) -> str:
    ratio = figure["median"] / floor["median"]
    return f"  {name:<9} {_spread(figure):<26} {floor_name:<34} {_spread(floor):<26} x{ratio:.2f}"


def measure_size(tmp: Path, n_channels: int, runs: int, env: dict[str, str]) -> dict[str, Any]:
    folder = tmp / f"inventory-{n_channels}"
    run_job(env, "gui", "--build", str(folder), str(n_channels))
    result = gui.measure_size(folder, n_channels, runs, env)
    if n_channels:  # after the GUI's figures: the Saves rename channels
        result.update(run_job(env, "store", "--measure", str(folder), "--runs", str(runs)))
    print(f"{n_channels:,} channels" if n_channels else "empty inventory")
    print(_row("ready", result["ready"], "floor: bare window + bare read", result["floor_read"]))
    print(
        f"  {'':<9} first paint {ms(result['first_paint'])}; "
        f"bare window alone {ms(result['floor'])}"
    )
    if n_channels:
        print(_row("filter", result["filter"], "stock recursive proxy", result["stock"]))
        print(
            _row("result", result["result"], "floor: bare commit + repaint", result["result_floor"])
        )
        print(_row("open", result["open"], "floor: bare sqlite3 read", result["open_floor"]))
        print(_row("save one", result["save"], "floor: bare one-row commit", result["save_floor"]))
    print(
        f"  {'memory':<9} {result['rss_mb']:.0f} MB peak RSS{'':<13} "
        f"{'floor: bare window':<34} {result['floor_rss_mb']:.0f} MB",
        flush=True,
    )
    return result


def table(results: dict[int, dict[str, Any]]) -> list[str]:
    """The scaling table: medians, and each one's ratio to its floor."""
    lines = [
        "Scaling (medians; xN = ratio to the floor measured in the same run)",
        f"{'channels':>9} | {'open':>16} | {'ready':>17} | {'filter (worst) x stock':>26} | "
        f"{'test result':>15} | {'one Save':>15} | {'peak RSS':>8}",
    ]
    for n, r in results.items():
        cells = [f"{n:>9,}" if n else f"{'empty':>9}"]
        if n:
            cells.append(f"{_ms(r['open']['median']):>7} ms x{r['open_ratio']:<5.2f}")
        else:
            cells.append(f"{'-':>16}")
        cells.append(f"{_ms(r['ready']['median']):>7} ms x{r['ready_ratio']:<6.2f}")
        if n:
            f = r["filter"]
            cells.append(
                f"{_ms(f['median']):>5} ms ({_ms(f['max']):>5}) x{r['filter_ratio']:<6.2f}"
            )
            cells.append(f"{_ms(r['result']['median']):>6} ms x{r['result_ratio']:<5.2f}")
            cells.append(f"{_ms(r['save']['median']):>6} ms x{r['save_ratio']:<4.2f}")
        else:
            cells += [f"{'-':>26}", f"{'-':>15}", f"{'-':>15}"]
        cells.append(f"{r['rss_mb']:>5.0f} MB")
        lines.append(" | ".join(cells))
    return lines


def summarize(results: dict[int, dict[str, Any]], check: dict[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for n, r in results.items():
        summary.update(gui.figures(n, r))
        if n:
            name = label(n)
            summary[f"open_ratio_{name}"] = round(r["open_ratio"], 3)
            summary[f"open_s_{name}"] = round(r["open"]["median"], 4)
            summary[f"save_ratio_{name}"] = round(r["save_ratio"], 3)
            summary[f"save_ms_{name}"] = round(r["save"]["median"] * 1000, 3)
    sizes = [n for n in results if n]
    if sizes:
        headline = HEADLINE if HEADLINE in sizes else max(sizes)
        top = results[headline]
        summary["headline_channels"] = headline
        summary["open_ratio"] = round(top["open_ratio"], 3)
        summary["save_ratio"] = round(top["save_ratio"], 3)
        # Flat with size: every size's Save within its floor's ratio, and how much the largest
        # inventory's Save and test result take against the smallest's (the floors grow too).
        summary["save_ratio_max"] = round(max(results[n]["save_ratio"] for n in sizes), 3)
        small, large = results[min(sizes)], results[max(sizes)]
        summary["save_growth"] = round(large["save"]["median"] / small["save"]["median"], 3)
        summary["result_growth"] = round(large["result"]["median"] / small["result"]["median"], 3)
    summary["rate_ratio"] = check.get("rate_ratio")
    summary["max_stall_ms"] = check.get("max_stall_ms")
    return summary


def verdicts(summary: dict[str, Any]) -> list[str]:
    """Each target of the issue against the figures, in words."""

    def say(name: str, value: Any, ok: bool | None, target: str) -> str:
        state = "n/a" if ok is None else ("met" if ok else "NOT met")
        return f"  {name:<22} {value!s:>9}  target {target:<28} {state}"

    def check(key: str, test: Any, target: str) -> str:
        value = summary.get(key)
        return say(key, value, None if value is None else bool(test(value)), target)

    return [
        "Targets",
        check("ready_ratio_empty", lambda v: v <= 1.6, "<= 1.6 (bare window)"),
        check("ready_ratio_50k", lambda v: v <= 2, "<= 2 (bare window + read)"),
        check("filter_ms_50k", lambda v: v < 50, "< 50 ms"),
        check("filter_ratio_50k", lambda v: v <= 0.5, "<= 0.5 (stock proxy)"),
        check("save_ratio", lambda v: v <= 2, "<= 2 (bare one-row commit)"),
        check("save_ratio_max", lambda v: v <= 2, "<= 2 at every size (flat)"),
        check("result_growth", lambda v: v <= 1.5, "flat: <= 1.5 smallest->largest"),
        check("rate_ratio", lambda v: v >= 0.9, ">= 0.9 (check's own)"),
        check("max_stall_ms", lambda v: v < 100, "< 100 ms (check's own)"),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks all")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (at least 5)")
    parser.add_argument("--sizes", default=None, help=f"channels, comma-separated ({SIZES})")
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes and 2 runs: proves the code runs"
    )
    args = parser.parse_args(argv)
    runs = 2 if args.quick else max(5, args.runs)
    sizes = [int(s) for s in (args.sizes or (QUICK_SIZES if args.quick else SIZES)).split(",")]
    platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    load_before = os.getloadavg()
    print(
        f"platform {platform}, {os.cpu_count()} CPUs, load average {load_before[0]:.2f}; "
        f"{runs} runs per figure: median [min-max]",
        flush=True,
    )
    results: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="spc-bench-all-") as tmp:
        env = child_env(Path(tmp))
        for n in [0, *(s for s in sizes if s)]:
            results[n] = measure_size(Path(tmp), n, runs, env)
        print("Test connection (python -m tests.benchmarks check)", flush=True)
        check_args = [*(QUICK_CHECK if args.quick else ()), "--runs", str(runs)]
        check = run_job(env, "check", *check_args, echo="  ")
    load_after = os.getloadavg()
    print("\n".join(table(results)))
    summary = summarize(results, check)
    print("\n".join(verdicts(summary)))
    summary.update(
        platform=platform,
        runs=runs,
        quick=args.quick,
        load_average=[round(load_before[0], 2), round(load_after[0], 2)],
    )
    print(json.dumps(summary))
    return 0
