"""Export and import benchmark: an inventory of 50,000 channels to JSON and CSV and back.

``python -m tests.benchmarks exchange [--channels 50000]``

Measures, on a synthetic inventory (:func:`core.domain.synthetic.generate_inventory`):

* ``export_json``/``export_csv``: building and writing the file (badges and plan included);
* ``read_json``/``read_csv``: reading and checking the file on its own;
* ``import_json_empty``: :func:`import_changes` of the JSON into an empty inventory, plus applying
  the change to the workspace (its history description included) and Save;
* ``import_json_same``: the same file against the inventory it came from ("nothing new");
* ``import_csv_empty``: the CSV into an empty inventory (checked and applied, not saved).

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from core.domain.changes import replace_all
from core.domain.inventory import utcnow
from core.domain.synthetic import generate_inventory
from core.services.exchange.importing import import_changes
from core.services.exchange.reading import read_inventory_file
from core.services.exchange.writing import write_export
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore

T = TypeVar("T")


def _timed(figures: dict[str, float], name: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = fn()
    figures[name] = round(time.perf_counter() - start, 3)
    print(f"{name:>20}: {figures[name]:.3f} s", flush=True)
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="exchange")
    parser.add_argument("--channels", type=int, default=50_000)
    args = parser.parse_args(argv)
    now = utcnow()
    figures: dict[str, Any] = {"channels": args.channels}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = Workspace.open(root / "source", MemorySecretStore())
        inventory, secrets = generate_inventory(args.channels, now, source.namespace)
        source.apply(replace_all(inventory, secrets, now))
        source.save(now)
        json_file, csv_file = root / "inv.json", root / "inv.csv"
        _timed(figures, "export_json", lambda: write_export(source, "json", json_file, now=now))
        _timed(figures, "export_csv", lambda: write_export(source, "csv", csv_file, now=now))
        figures["json_mb"] = round(json_file.stat().st_size / 1e6, 1)
        figures["csv_mb"] = round(csv_file.stat().st_size / 1e6, 1)
        parsed_json = _timed(figures, "read_json", lambda: read_inventory_file(json_file))
        parsed_csv = _timed(figures, "read_csv", lambda: read_inventory_file(csv_file))
        same = _timed(
            figures, "import_json_same", lambda: import_changes(parsed_json, source.current)
        )
        assert same.ok, same.problems[:3]
        assert same.change is None
        source.close()

        target = Workspace.open(root / "target", MemorySecretStore())

        def into_empty() -> None:
            plan = import_changes(parsed_json, target.current)
            assert plan.change is not None, plan.problems[:3]
            target.apply(plan.change)
            target.save(now)

        _timed(figures, "import_json_empty", into_empty)
        target.close()
        other = Workspace.open(root / "other", MemorySecretStore())

        def csv_into_empty() -> None:
            plan = import_changes(parsed_csv, other.current)
            assert plan.change is not None, plan.problems[:3]
            other.apply(plan.change)

        _timed(figures, "import_csv_empty", csv_into_empty)
        other.close()
    print(json.dumps(figures))
    return 0
