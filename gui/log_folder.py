"""Help > Open log folder: the folder support asks for, in the desktop's file manager."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from core.services import logs


def open_log_folder() -> tuple[bool, Path]:
    """Open the log folder (created if missing); whether the desktop opened it, and the folder.

    ``QDesktopServices.openUrl`` goes through the desktop (``xdg-open``, Explorer, Finder) and
    returns False where there is none to ask, such as a machine without a file manager: the
    caller then says where the folder is (:func:`gui.dialogs.open_log_folder`).
    """
    folder = logs.created_log_folder()
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))), folder
