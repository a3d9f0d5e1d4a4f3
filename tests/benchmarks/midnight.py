"""Midnight benchmark: what a window left open overnight spends when the local day changes.

``python -m tests.benchmarks midnight [--channels 50000] [--runs 5]``

On a synthetic inventory (:func:`core.domain.synthetic.generate_inventory`) shown by the real
tree model, offscreen, runs interleaved:

* day change: :meth:`gui.inventory.model.InventoryModel.day_changed` (every channel's status
  derived again as of the new day, counts, repaint signals), with the ``All`` filter and name
  sort (rows stay put), and with the ``Needs attention`` filter (the model resets);
* banner: the first sentence (:func:`core.services.view.first_step.first_step`) and the next
  end moment today (:func:`core.services.view.ends.next_end_today`), one pass each;
* floor: building the rows from scratch (:class:`core.services.view.rows.InventoryRows`), what
  opening the inventory costs.

It runs once a day, so the figure only has to stay well under the floor. The last line is one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import timedelta
from typing import Any

from tests.benchmarks._common import ms, spread


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks midnight")
    parser.add_argument("--channels", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from core.domain.inventory import utcnow
    from core.domain.synthetic import generate_inventory
    from core.services.view.ends import next_end_today
    from core.services.view.first_step import first_step
    from core.services.view.rows import InventoryRows, QuickFilter
    from gui.inventory.model import InventoryModel

    app = QApplication.instance() or QApplication([])
    now = utcnow()
    inventory, _ = generate_inventory(args.channels, now, "bench")
    clock = {"now": now}
    model = InventoryModel(clock=lambda: clock["now"])
    rows = InventoryRows(inventory, now)
    model.load(rows, None)  # type: ignore[arg-type]  # the model reads no workspace here
    model.limit = len(rows.shown)  # as if every company had been fetched

    kept, reset, banner, floor = [], [], [], []
    for run in range(args.runs):
        clock["now"] = now + timedelta(days=run + 1)
        rows.set_filter("", QuickFilter.ALL)
        start = time.perf_counter()
        model.day_changed()
        kept.append(time.perf_counter() - start)

        clock["now"] += timedelta(hours=12)
        rows.set_filter("", QuickFilter.ATTENTION)
        start = time.perf_counter()
        model.day_changed()
        reset.append(time.perf_counter() - start)

        start = time.perf_counter()
        first_step(rows.channels.values(), inventory.app, clock["now"])
        next_end_today(rows.channels.values(), inventory.app, clock["now"])
        banner.append(time.perf_counter() - start)

        start = time.perf_counter()
        InventoryRows(inventory, clock["now"])
        floor.append(time.perf_counter() - start)
        app.processEvents()

    figures: dict[str, Any] = {
        "channels": args.channels,
        "day_change_kept": spread(kept),
        "day_change_reset": spread(reset),
        "banner": spread(banner),
        "floor_build": spread(floor),
    }
    print(f"{args.channels} channels, {args.runs} runs (median [min-max]):")
    print(f"  day change, rows kept in place: {ms(figures['day_change_kept'])}")
    print(f"  day change, filtered (reset):   {ms(figures['day_change_reset'])}")
    print(f"  first sentence + next end:      {ms(figures['banner'])}")
    print(f"  floor: building the rows:       {ms(figures['floor_build'])}")
    print(json.dumps(figures))
    return 0
