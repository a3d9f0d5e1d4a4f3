"""Store benchmark: opening an inventory and saving one change, against SQLite's own floor.

``python -m tests.benchmarks store [--runs N] [--sizes 5000,50000]``

For each size it builds an inventory with :func:`core.domain.samples.generate_inventory`, saves it,
then measures (medians of ``--runs`` runs, all on the same disk in the same run):

* ``open``: :meth:`Workspace.open` (lock, migrations check, orphan clean-up, load of every
  row into domain objects; no secret is read), against the floor of a bare ``sqlite3`` query
  that fetches the same rows;
* ``save one``: :meth:`Workspace.save` of one renamed channel (median of 50), against the floor
  of a bare one-row ``UPDATE`` + ``COMMIT`` on the store's own connection (same pragmas: WAL,
  ``synchronous=FULL``), each floor run right after a Save so that load drift hits both;
* peak memory: Python allocations at their peak while opening (``tracemalloc``).

The last line is one JSON object with the figures of the largest size.
"""

from __future__ import annotations

import argparse
import gc
import json
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from core.domain import changes as ch
from core.domain.inventory import utcnow
from core.domain.samples import generate_inventory
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from core.storage.store import DB_NAME


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build(folder: Path, n_channels: int, secrets: MemorySecretStore) -> None:
    ws = Workspace.open(folder, secrets)
    inventory, values = generate_inventory(n_channels, utcnow(), ws.namespace)
    ws.apply(ch.replace_all(inventory, values, utcnow()))
    ws.save()
    ws.close()


def bare_read(path: Path) -> None:
    conn = sqlite3.connect(path)
    for table in ("companies", "authorizations", "channels", "app_credentials"):
        conn.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608 - fixed names
    conn.close()


def open_workspace(folder: Path, secrets: MemorySecretStore) -> None:
    Workspace.open(folder, secrets).close()


def measure(n_channels: int, runs: int, save_runs: int = 51) -> dict[str, float]:
    secrets = MemorySecretStore()
    with tempfile.TemporaryDirectory(prefix="spc-bench-") as tmp:
        folder = Path(tmp)
        build(folder, n_channels, secrets)
        path = folder / DB_NAME

        # Interleaved, so that drift in the machine's load hits the figure and its floor alike.
        opens, open_floors = [], []
        for _ in range(runs):
            opens.append(median_time(lambda: open_workspace(folder, secrets), 1))
            open_floors.append(median_time(lambda: bare_read(path), 1))
        open_s, open_floor = statistics.median(opens), statistics.median(open_floors)

        tracemalloc.start()
        open_workspace(folder, secrets)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        ws = Workspace.open(folder, secrets)
        assert ws.store is not None
        conn = ws.store._conn  # the floor runs on the very same connection and settings
        ids = list(ws.current.channels)[: save_runs + 1]
        saves, save_floors = [], []
        for i in range(save_runs + 1):
            channel = ws.current.channels[ids[i]]
            ws.apply(ch.edit_channel(replace(channel, name=f"renamed {i}")))
            gc.collect()
            start = time.perf_counter()
            ws.save()
            saves.append(time.perf_counter() - start)
            gc.collect()  # the same preparation as before the Save: caches equally cold
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE channels SET name = ? WHERE id = ?", (f"bare {i}", ids[i]))
            conn.execute("COMMIT")
            save_floors.append(time.perf_counter() - start)
        # The first Save of the day makes a backup: not what is measured here.
        save_s, save_floor = statistics.median(saves[1:]), statistics.median(save_floors[1:])
        ws.close()
    return {
        "channels": n_channels,
        "open_s": open_s,
        "open_floor_s": open_floor,
        "open_ratio": open_s / open_floor,
        "save_one_s": save_s,
        "save_floor_s": save_floor,
        "save_ratio": save_s / save_floor,
        "peak_mb": peak / 2**20,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks store")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="5000,50000")
    args = parser.parse_args(argv)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        r = measure(size, max(5, args.runs))
        results.append(r)
        print(
            f"{size:>6} channels | open {r['open_s'] * 1000:7.1f} ms "
            f"(floor {r['open_floor_s'] * 1000:6.1f} ms, x{r['open_ratio']:.2f}) | "
            f"save one {r['save_one_s'] * 1000:6.2f} ms "
            f"(floor {r['save_floor_s'] * 1000:5.2f} ms, x{r['save_ratio']:.2f}) | "
            f"peak {r['peak_mb']:.0f} MB"
        )
    print("targets: open < 1 s and <= 3x floor; save one <= 2x floor, flat with size")
    print(json.dumps({k: round(v, 5) for k, v in results[-1].items()}))
    return 0
