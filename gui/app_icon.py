"""The window's icon: the committed PNGs, one per size, so no SVG plug-in is needed to show it."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from core.services import desktop

log = logging.getLogger(__name__)


def app_icon() -> QIcon:
    """SP Connect's icon in every size launchers want (empty, and logged, if one is missing)."""
    icon = QIcon()
    try:
        files = desktop.icon_files()
    except FileNotFoundError as exc:
        # A window without an icon still works: say so in the log, do not stop the start.
        log.warning("the app icon is missing: %s", exc)
        return icon
    for size, path in files:
        # With the size given, Qt reads the file only when that size is drawn.
        icon.addFile(str(path), QSize(size, size))
    return icon
