"""The floor for the GUI start benchmarks: a bare QMainWindow, started like main.py.

``python tests/benchmarks/_floor.py [DB]``: with ``DB``, it also reads every row of that
inventory with bare ``sqlite3`` before showing the window (the least any app showing those rows
must do). Prints ``first paint`` when the window has been painted, then exits.

It imports nothing it does not use (not even the benchmarks' own helpers): whatever a floor
pays for more than it must makes every ratio against it look better than it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

FLOOR_PAINT = "first paint"
TABLES = ("companies", "authorizations", "channels", "app_credentials")


def bare_read(path: Path) -> int:
    """Every row of the inventory's tables, fetched by bare ``sqlite3``; how many."""
    import sqlite3

    conn = sqlite3.connect(path)
    count = sum(len(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES)  # noqa: S608
    conn.close()
    return count


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    # The window's own size rule (a few lines), so both windows paint the same area. The
    # checkout first on the path: this script's folder has a gui.py of its own.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from gui.window_size import first_size

    def done() -> None:
        print(FLOOR_PAINT, flush=True)
        QApplication.quit()

    class OnPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, done)  # once the paint is done, as main.py --self-test does
            return False

    app = QApplication(sys.argv[:1])
    if argv:
        bare_read(Path(argv[0]))
    window = QMainWindow()
    window.setWindowTitle("floor")
    window.resize(first_size(window))  # the same area to paint as SP Connect's window
    window.installEventFilter(OnPaint(window))
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
