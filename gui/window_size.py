"""The main window's first size: roomy where the screen allows, never larger than the screen.

1280x800 shows every column of the tree beside the details panel. A common laptop screen is
1366x768, and less than that is left between the taskbar and the title bar: a window taller than
that would hide its status bar and the bottom rows under the taskbar, and some window managers
leave it so. Later starts restore the size the person chose (``QWidget.restoreGeometry``, which
Qt fits to the screens it finds).
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

PREFERRED = QSize(1280, 800)
#: Room kept free around the window for the window's frame, its title bar and a taskbar.
MARGIN = QSize(40, 80)


def first_size(window: QWidget) -> QSize:
    """:data:`PREFERRED`, shrunk to fit the screen the window is on (never below its minimum)."""
    room = window.screen().availableGeometry().size() - MARGIN
    return PREFERRED.boundedTo(room).expandedTo(window.minimumSize())
