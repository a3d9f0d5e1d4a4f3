"""The floor for the GUI start benchmark: a bare QMainWindow, started like main.py.

Prints ``first paint`` when the window has been painted, then exits.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class _OnPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            # Printed once the paint is done, as main.py --self-test does.
            QTimer.singleShot(0, _done)
        return False


def _done() -> None:
    print("first paint", flush=True)
    QApplication.quit()


def main() -> int:
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("floor")
    window.resize(1280, 800)
    watcher = _OnPaint(window)
    window.installEventFilter(watcher)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
