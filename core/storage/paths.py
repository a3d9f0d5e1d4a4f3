"""Where SP Connect keeps its files: the only caller of platformdirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "SP Connect"
ENV_DATA_DIR = "SPCONNECT_DATA_DIR"
ENV_LOG_DIR = "SPCONNECT_LOG_DIR"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: ``--data-dir``, else ``$SPCONNECT_DATA_DIR``, else the user data dir.

    The platform default is ``~/.local/share/SP Connect`` on Linux, ``%LOCALAPPDATA%\\SP Connect``
    on Windows and ``~/Library/Application Support/SP Connect`` on macOS. Always absolute: a
    relative folder is taken from the current one, once, here (SQLite's read-only open needs a
    file URI, which a relative path cannot be).
    """
    if override:
        return Path(override).expanduser().absolute()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().absolute()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False)).absolute()


def log_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The log folder: ``override``, else ``$SPCONNECT_LOG_DIR``, else the user log folder.

    Logs are the person's, not the inventory's, so ``--data-dir`` does not move them: the platform
    default is ``~/.local/state/SP Connect/log`` on Linux, ``%LOCALAPPDATA%\\SP Connect\\Logs`` on
    Windows and ``~/Library/Logs/SP Connect`` on macOS.
    """
    if override:
        return Path(override).expanduser().absolute()
    env = os.environ.get(ENV_LOG_DIR)
    if env:
        return Path(env).expanduser().absolute()
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)).absolute()
