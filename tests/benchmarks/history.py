"""History benchmark: what keeping every entry costs on disk, and reading one channel's.

``python -m tests.benchmarks history [--entries 10000] [--channels 50000]``

* ``bytes per entry``: the file grows by this much per entry when ``--entries`` Saves of one
  renamed channel each are recorded (every entry names its channel, company and nothing else),
  measured after ``VACUUM`` so free pages do not count;
* ``read ms``: reading that channel's whole history (``--entries`` rows), median of 5;
* ``import ms``: describing the load of a ``--channels`` inventory (one entry naming every row),
  the pending change's share of ``Workspace.apply``, and the Save that writes it.

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from core.domain import changes
from core.domain.changes import Touched
from core.domain.history import HistoryKind
from core.domain.history_words import describe
from core.domain.inventory import Inventory, utcnow
from core.domain.synthetic import generate_inventory
from core.services.workspace import Workspace
from core.storage.backups import DB_NAME
from core.storage.history import count_history, read_history
from core.storage.keychain import MemorySecretStore
from tests.benchmarks._common import build, timed


def size_of(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("VACUUM")
    return path.stat().st_size


def entries_on_disk(folder: Path, n: int) -> dict[str, Any]:
    build(folder, 50)
    path = folder / DB_NAME
    before = size_of(path)
    ws = Workspace.open(folder, MemorySecretStore())
    channel_id = sorted(ws.current.channels)[0]
    for i in range(n):
        channel = ws.current.channels[channel_id]
        ws.apply(changes.edit_channel(replace(channel, name=f"Renamed {i}")))
        ws.save()
    ws.close()
    after = size_of(path)
    with sqlite3.connect(path) as conn:
        total = count_history(conn)
        reads = []
        for _ in range(5):
            start = time.perf_counter()
            read = read_history(conn, "channel", channel_id)
            reads.append(time.perf_counter() - start)
    return {
        "entries": total,
        "bytes per entry": round((after - before) / n),
        "file growth MB": round((after - before) / 1e6, 2),
        "read ms": round(statistics.median(reads) * 1000, 1),
        "read rows": len(read),
    }


def import_entry(n_channels: int) -> dict[str, Any]:
    now = utcnow()
    inventory, _values = generate_inventory(n_channels, now, "bench")
    touched = Touched(
        set(inventory.companies), set(inventory.channels), set(inventory.authorizations)
    )
    seconds = timed(lambda: describe(HistoryKind.IMPORT, "Load", Inventory(), inventory, touched))
    return {"channels": n_channels, "describe import ms": round(seconds * 1000, 1)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks history")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=50_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        figures = entries_on_disk(Path(tmp), args.entries)
    figures.update(import_entry(args.channels))
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(json.dumps(figures))
    return 0
