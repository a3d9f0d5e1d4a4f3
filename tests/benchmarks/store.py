"""Store benchmark: opening an inventory and saving one change, against SQLite's own floor.

``python -m tests.benchmarks store [--runs N] [--sizes 5000,50000]``

For each size it builds an inventory with
:func:`core.domain.synthetic.generate_inventory`, saves it, then measures (``--runs`` runs
each, all on the same disk in the same run):

* ``open``: :meth:`Workspace.open` (lock, migrations check, orphan clean-up, load of every
  row into domain objects; no secret is read), against the floor of a bare ``sqlite3`` query
  that fetches the same rows, interleaved;
* ``save one``: :meth:`Workspace.save` of one renamed channel (50 of them), against the floor
  of a bare one-row ``UPDATE`` + ``COMMIT`` on the store's own connection (same pragmas: WAL,
  ``synchronous=FULL``), each floor run right after a Save so that load drift hits both;
* peak memory: Python allocations at their peak while opening (``tracemalloc``).

The last line is one JSON object with the figures of the largest size.
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Any

from core.domain import changes as ch
from core.services.workspace import Workspace
from core.storage.backups import DB_NAME
from core.storage.keychain import MemorySecretStore
from tests.benchmarks._common import build, spread, timed
from tests.benchmarks._floor import bare_read

TARGETS = "targets: open < 1 s and <= 3x floor; save one <= 2x floor, flat with size"


def open_workspace(folder: Path) -> None:
    Workspace.open(folder, MemorySecretStore()).close()


def measure(folder: Path, runs: int, save_runs: int = 50) -> dict[str, Any]:
    """Open and one Save of the inventory saved in ``folder`` (its channels get renamed)."""
    path = folder / DB_NAME
    # Interleaved, so that drift in the machine's load hits the figure and its floor alike.
    opens, open_floors = [], []
    for _ in range(runs):
        opens.append(timed(lambda: open_workspace(folder)))
        open_floors.append(timed(lambda: bare_read(path)))

    tracemalloc.start()
    open_workspace(folder)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    ws = Workspace.open(folder, MemorySecretStore())
    assert ws.store is not None
    conn = ws.store._conn  # the floor runs on the very same connection and settings
    ids = list(ws.current.channels)[: save_runs + 1]
    saves, save_floors = [], []
    for i, channel_id in enumerate(ids):
        channel = ws.current.channels[channel_id]
        ws.apply(ch.edit_channel(replace(channel, name=f"renamed {i}")))
        saves.append(timed(ws.save))
        gc.collect()  # the same preparation as before the Save: caches equally cold
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE channels SET name = ? WHERE id = ?", (f"bare {i}", channel_id))
        conn.execute("COMMIT")
        save_floors.append(time.perf_counter() - start)
    ws.close()
    # The first Save of the day makes a backup: not what is measured here.
    save, save_floor = spread(saves[1:]), spread(save_floors[1:])
    open_, open_floor = spread(opens), spread(open_floors)
    return {
        "open": open_,
        "open_floor": open_floor,
        "open_ratio": open_["median"] / open_floor["median"],
        "save": save,
        "save_floor": save_floor,
        "save_ratio": save["median"] / save_floor["median"],
        "peak_mb": peak / 2**20,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks store")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--measure", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:  # one saved inventory, for a benchmark that runs this in a child
        print(json.dumps(measure(Path(args.measure), max(5, args.runs))))
        return 0
    last: dict[str, Any] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="spc-bench-") as tmp:
            build(Path(tmp), size, seed=0)
            r = measure(Path(tmp), max(5, args.runs))
        print(
            f"{size:>6} channels | open {r['open']['median'] * 1000:7.1f} ms "
            f"(floor {r['open_floor']['median'] * 1000:6.1f} ms, x{r['open_ratio']:.2f}) | "
            f"save one {r['save']['median'] * 1000:6.2f} ms "
            f"(floor {r['save_floor']['median'] * 1000:5.2f} ms, x{r['save_ratio']:.2f}) | "
            f"peak {r['peak_mb']:.0f} MB",
            flush=True,
        )
        last = {
            "channels": size,
            "open_s": round(r["open"]["median"], 5),
            "open_floor_s": round(r["open_floor"]["median"], 5),
            "open_ratio": round(r["open_ratio"], 3),
            "save_one_s": round(r["save"]["median"], 5),
            "save_floor_s": round(r["save_floor"]["median"], 5),
            "save_ratio": round(r["save_ratio"], 3),
            "peak_mb": round(r["peak_mb"], 1),
        }
    print(TARGETS)
    print(json.dumps(last))
    return 0
