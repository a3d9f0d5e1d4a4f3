"""``python -m tests.faults [--quick] [--kinds save_kill,network] [--seed N]``.

Runs each kind of fault (see :mod:`tests.faults`), prints every failure plainly as it is found
(kind, seed, what was wrong), and ends with one JSON line: ``runs``, ``failures``,
``not_available`` and a ``kinds`` object with each kind's counts. Exit status 1 when any
check failed, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import logging
import sys
import time
from typing import Any

from tests.faults._report import KindReport

#: Every kind, in the order they run, with (quick, full) counts.
KINDS: dict[str, tuple[int, int]] = {
    "hostile_input": (60, 600),
    "keychain": (1, 5),
    "network": (1, 5),
    "leak_scan": (1, 3),
    "save_kill": (40, 200),
}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="every kind, small counts (CI)")
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help=f"comma-separated, of: {', '.join(KINDS)}"
    )
    parser.add_argument("--seed", type=int, default=8, help="the base seed of every random choice")
    parser.add_argument("--count", type=int, default=None, help="override every kind's count")
    args = parser.parse_args(argv)
    args.kinds = [k.strip().replace("-", "_") for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in args.kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown kind(s) {', '.join(unknown)}; there are: {', '.join(KINDS)}")
    return args


def run_kind(kind: str, count: int, seed: int, quick: bool = False) -> KindReport:
    """Run one kind; a crash of the harness itself counts as a failure, not as a pass.

    A kind whose ``run`` takes ``quick`` leaves out its slowest cases in quick runs.
    """
    module = importlib.import_module(f"tests.faults.{kind}")
    extra = {"quick": quick} if "quick" in inspect.signature(module.run).parameters else {}
    try:
        report: KindReport = module.run(count, seed, **extra)
    except Exception as exc:  # the harness or the product broke: say so and go on
        report = KindReport(kind)
        report.fail(seed, f"the fault run itself failed: {type(exc).__name__}: {exc}")
    return report


def main(argv: list[str]) -> int:
    args = parse(argv)
    # The product's own warnings (a refused keychain call...) are expected here by the hundred;
    # errors still show. The leak scan adds its DEBUG file handler for its flow.
    logging.basicConfig(format="log %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.ERROR)
    started = time.monotonic()
    reports: list[KindReport] = []
    for kind in args.kinds:
        quick, full = KINDS[kind]
        count = args.count if args.count is not None else (quick if args.quick else full)
        print(f"==> {kind} ({count})", flush=True)
        kind_started = time.monotonic()
        report = run_kind(kind, count, args.seed, args.quick)
        report.figures["seconds"] = round(time.monotonic() - kind_started, 1)
        reports.append(report)
        print(
            f"    {kind}: {report.runs} runs, {len(report.failures)} failures, "
            f"{len(report.not_available)} not available, {report.figures['seconds']} s",
            flush=True,
        )
    summary: dict[str, Any] = {
        "runs": sum(r.runs for r in reports),
        "failures": sum(len(r.failures) for r in reports),
        "not_available": sum(len(r.not_available) for r in reports),
        "quick": args.quick,
        "seed": args.seed,
        "seconds": round(time.monotonic() - started, 1),
        "kinds": {r.kind: r.summary() for r in reports},
    }
    print(json.dumps(summary, sort_keys=True), flush=True)
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
