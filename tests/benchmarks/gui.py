"""GUI benchmark: start-up to a usable window against bare floors, filter keystrokes, memory.

``python -m tests.benchmarks gui [--runs N] [--sizes 0,5000,50000]``

For each inventory size (built with :func:`core.domain.synthetic.generate_inventory` and saved):

* ready: wall time from spawning ``main.py --data-dir DIR --self-test`` until it prints
  ``self-test: ready``: the inventory's rows are painted in the tree and a keystroke posted to
  the filter box has been handled (see :class:`gui.app.SelfTest`). Its floors, started the same
  way in the same run (runs interleaved): a bare ``QMainWindow`` (``_floor.py``), and for a
  non-empty inventory the same bare window that first reads the same rows with bare ``sqlite3``.
  ``first paint`` (the window before the inventory is in it) is reported too;
* filter: one keystroke in the real window's filter box, from the key press until the tree has
  repainted, against the stock answer: a recursive ``QSortFilterProxyModel`` over a
  ``QStandardItemModel`` of the same rows and texts, in the same process, keystrokes interleaved;
* one Test connection result: the window recording one channel's health and repainting,
  against a bare one-row commit on the same connection and a repaint of the tree;
* memory: the peak resident memory of the ``main.py`` process.

This process only orchestrates: building inventories and timing keystrokes run in child
processes, so that each child's peak memory is its own (see ``_common.spawn``). The last line is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks._common import (
    FIRST,
    READY,
    app_argv,
    child_env,
    floor_argv,
    label,
    ms,
    run_job,
    spawn,
    spread,
)
from tests.benchmarks._floor import FLOOR_PAINT

TARGETS = (
    "targets: ready <= 1.6x the bare window (empty) and <= 2x the bare window + bare read "
    "(50k); filter < 50 ms and <= 0.5x the stock proxy at 50k"
)


def measure_start(folder: Path, n_channels: int, runs: int, env: dict[str, str]) -> dict[str, Any]:
    """Ready and first paint of the real app, against its floors, runs interleaved."""
    app, bare = app_argv(folder), floor_argv()
    read = floor_argv(folder) if n_channels else None
    spawn(app, env, (READY,))  # warm the disk and bytecode caches for every one of them
    spawn(bare, env, (FLOOR_PAINT,))
    if read is not None:
        spawn(read, env, (FLOOR_PAINT,))
    apps, bares, reads = [], [], []
    for _ in range(runs):
        bares.append(spawn(bare, env, (FLOOR_PAINT,)))
        if read is not None:
            reads.append(spawn(read, env, (FLOOR_PAINT,)))
        apps.append(spawn(app, env, (FIRST, READY)))
    ready = spread(r[READY] for r in apps)
    floor = spread(r[FLOOR_PAINT] for r in bares)
    # An empty inventory has no rows to read: its floor is the bare window.
    floor_read = spread(r[FLOOR_PAINT] for r in reads) if reads else floor
    return {
        "first_paint": spread(r[FIRST] for r in apps),
        "ready": ready,
        "floor": floor,
        "floor_read": floor_read,
        "ready_ratio": ready["median"] / floor_read["median"],
        "ready_ratio_bare": ready["median"] / floor["median"],
        "rss_mb": max(r["rss_mb"] for r in apps),
        "floor_rss_mb": max(r["rss_mb"] for r in bares),
    }


# --- the filter, in a child process ----------------------------------------------------------

#: What is typed and erased in each round: broad matches first (many rows), then narrow ones.
#: Every round types other words, so that no round finds what an earlier one typed (the real
#: filter keeps the answers of the words just typed, as a person erasing them meets them again).
FILTER_TEXTS = (
    ("harbor", "a1b", "willow 0", "germany"),
    ("maple", "b2c", "cedar 1", "france"),
    ("copper", "c3d", "golden 2", "japan"),
    ("river", "d4e", "north 3", "canada"),
    ("stone", "e5f", "wave 4", "italy"),
    ("trail", "f6g", "oak 5", "sweden"),
    ("fox", "g7h", "leaf 6", "poland"),
    ("hill", "h8i", "red 7", "mexico"),
)


def _keys(round_number: int) -> list[Any]:
    from PySide6.QtCore import Qt

    back = Qt.Key.Key_Backspace
    keys: list[Any] = []
    for text in FILTER_TEXTS[round_number % len(FILTER_TEXTS)]:
        keys += [*text, *[back] * len(text)]
    return keys


def _stock_tree(rows: Any) -> Any:
    """The stock answer: the same rows and texts in a QStandardItemModel, a recursive proxy."""
    from PySide6.QtCore import QSortFilterProxyModel, Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel

    from core.domain.inventory import utcnow
    from core.services.view import texts
    from core.services.view.sorting import Column

    now, columns = utcnow(), range(len(Column))
    model = QStandardItemModel()
    model.setColumnCount(len(Column))

    def add(parent: QStandardItem, company: Any) -> None:
        items = [QStandardItem(texts.company_cell(company, c)) for c in columns]
        for channel in company.channels:
            cells = [QStandardItem(texts.channel_cell(channel, c, now)) for c in columns]
            items[0].appendRow(cells)
        for child in company.children:
            add(items[0], child)
        parent.appendRow(items)

    for company in rows.roots:
        add(model.invisibleRootItem(), company)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setRecursiveFilteringEnabled(True)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)  # any column, as the real filter looks at several
    return model, proxy


def measure_filter(folder: Path, runs: int) -> dict[str, Any]:
    """One keystroke in the real window and in the stock tree, interleaved, ``runs`` rounds."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QLineEdit, QTreeView

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
    assert window.page is not None
    page = window.page

    stock_model, proxy = _stock_tree(rows)
    view, edit = QTreeView(), QLineEdit()
    view.setUniformRowHeights(True)
    view.setModel(proxy)
    view.resize(page.view.size())
    edit.textChanged.connect(proxy.setFilterFixedString)
    view.show()
    edit.show()
    app.processEvents()

    def keystroke(target: QLineEdit, tree: QTreeView, key: Any) -> float:
        start = time.perf_counter()
        if isinstance(key, str):
            QTest.keyClicks(target, key)
        else:
            QTest.keyClick(target, key)
        app.processEvents()
        tree.viewport().repaint()  # the keystroke counts until the tree shows its result
        return time.perf_counter() - start

    ours: list[float] = []
    stock: list[float] = []
    for round_number in range(runs):
        for key in _keys(round_number):
            ours.append(keystroke(page.filter_edit, page.view, key))
            stock.append(keystroke(edit, view, key))
    view.close()
    edit.close()
    del stock_model
    results = measure_results(window, 10 * runs)
    window.close()
    return {"filter": spread(ours), "stock": spread(stock), **results}


def measure_results(window: Any, count: int) -> dict[str, Any]:
    """One Test connection result as the window takes it, against a bare commit and repaint.

    :meth:`Workspace.record_health` on the GUI thread, as the test run does, until the tree
    has repainted; the floor is the least a window showing it must do: the same row's
    ``UPDATE`` and ``COMMIT`` with bare ``sqlite3`` on the store's own connection, and a
    repaint of the tree, each right after a result.
    """
    from PySide6.QtWidgets import QApplication

    from core.domain.inventory import CheckResult, Health, utcnow

    ws = window.workspace
    assert ws is not None
    conn = ws.store._conn
    viewport = window.page.view.viewport()
    ids = list(ws.current.channels)
    results, floors = [], []
    for n in range(count):
        channel_id = ids[(n * 7919) % len(ids)]  # spread over the inventory
        health = Health(utcnow(), CheckResult.FAILED, utcnow(), f"no answer {n}")
        start = time.perf_counter()
        ws.record_health({channel_id: health})
        QApplication.processEvents()
        viewport.repaint()
        results.append(time.perf_counter() - start)
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        bare = (f"bare {n}", channel_id)
        conn.execute("UPDATE channels SET check_message = ? WHERE id = ?", bare)
        conn.execute("COMMIT")
        viewport.repaint()
        floors.append(time.perf_counter() - start)
    return {"result": spread(results), "result_floor": spread(floors)}


# --- entry point -----------------------------------------------------------------------------


def measure_size(
    folder: Path, n_channels: int, runs: int, env: dict[str, str], filter_runs: int | None = None
) -> dict[str, Any]:
    """Everything this benchmark measures for one saved inventory."""
    result = measure_start(folder, n_channels, runs, env)
    if n_channels:
        result.update(
            run_job(env, "gui", "--filter", str(folder), "--runs", str(filter_runs or runs))
        )
        result["filter_ratio"] = result["filter"]["median"] / result["stock"]["median"]
        result["result_ratio"] = result["result"]["median"] / result["result_floor"]["median"]
    return result


def describe(n_channels: int, r: dict[str, Any]) -> str:
    line = (
        f"{n_channels:>6} channels | ready {ms(r['ready'])} (x{r['ready_ratio']:.2f} of "
        f"{ms(r['floor_read'])}; bare window {ms(r['floor'])}) | "
        f"first paint {ms(r['first_paint'])}"
    )
    if n_channels:
        f, s = r["filter"], r["stock"]
        line += (
            f" | filter {f['median'] * 1000:.1f} ms [{f['min'] * 1000:.1f}-{f['max'] * 1000:.1f}]"
            f" (x{r['filter_ratio']:.2f} of stock {s['median'] * 1000:.1f} ms)"
            f" | test result {ms(r['result'])} (x{r['result_ratio']:.2f} of commit + repaint)"
        )
    return line + f" | peak RSS {r['rss_mb']:.0f} MB (floor {r['floor_rss_mb']:.0f} MB)"


def figures(n_channels: int, r: dict[str, Any]) -> dict[str, float]:
    """The JSON figures of one size, keyed by its label (``ready_ratio_50k``...)."""
    name = label(n_channels)
    out = {
        f"ready_ratio_{name}": round(r["ready_ratio"], 3),
        f"ready_s_{name}": round(r["ready"]["median"], 3),
        f"first_paint_s_{name}": round(r["first_paint"]["median"], 3),
        f"rss_mb_{name}": round(r["rss_mb"], 1),
    }
    if n_channels:
        out[f"filter_ms_{name}"] = round(r["filter"]["median"] * 1000, 2)
        out[f"filter_max_ms_{name}"] = round(r["filter"]["max"] * 1000, 2)
        out[f"filter_stock_ms_{name}"] = round(r["stock"]["median"] * 1000, 2)
        out[f"filter_ratio_{name}"] = round(r["filter_ratio"], 3)
        out[f"result_ms_{name}"] = round(r["result"]["median"] * 1000, 2)
        out[f"result_ratio_{name}"] = round(r["result_ratio"], 3)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks gui")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="0,5000,50000")
    parser.add_argument("--build", nargs=2, metavar=("DIR", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--filter", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        from tests.benchmarks._common import build

        build(Path(args.build[0]), int(args.build[1]))
        print(json.dumps({"channels": int(args.build[1])}))
        return 0
    if args.filter:
        print(json.dumps(measure_filter(Path(args.filter), args.runs)))
        return 0

    platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    summary: dict[str, Any] = {"platform": platform}
    with tempfile.TemporaryDirectory(prefix="spc-gui-bench-") as tmp:
        env = child_env(Path(tmp))
        print(f"platform {platform}, {args.runs} runs each: median [min-max]", flush=True)
        for size in (int(s) for s in args.sizes.split(",")):
            folder = Path(tmp) / f"inventory-{size}"
            run_job(env, "gui", "--build", str(folder), str(size))
            result = measure_size(folder, size, args.runs, env)
            print(describe(size, result), flush=True)
            summary.update(figures(size, result))
    print(TARGETS)
    print(json.dumps(summary))
    return 0
