"""The log file as the surfaces see it: where it is and its last lines (redacted)."""

from __future__ import annotations

from pathlib import Path

from core.storage import log_files, paths

#: How many of the log's last lines a support bundle carries.
BUNDLE_LINES = 2000


def log_folder() -> Path:
    """The folder holding ``sp-connect.log`` (``$SPCONNECT_LOG_DIR`` or the user log folder)."""
    return paths.log_dir()


def log_file() -> Path:
    """The current log file (it may not exist yet)."""
    return log_folder() / log_files.LOG_FILE_NAME


def recent_lines(count: int = BUNDLE_LINES) -> list[str]:
    """The log's last ``count`` lines, rotated files included, every secret taken out."""
    return log_files.last_lines(log_folder(), count)
