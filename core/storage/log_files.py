"""The log file support reads: rotating, private, every secret taken out before it is written.

One file, ``sp-connect.log``, in the user log folder (:func:`core.storage.paths.log_dir`; the
demo writes a file of its own there, see :mod:`core.services.logs`), kept to :data:`MAX_BYTES`
and :data:`BACKUPS` older files so it never grows without bound on a seller's
disk. Every record passes :class:`RedactingFilter` first, so neither a message, its arguments, a
traceback nor a stack shows a secret value (:mod:`core.domain.redaction`). The folder is 0700 and
the files 0600 like the data folder's: a log names sellers and companies.
"""

from __future__ import annotations

import logging
import os
from io import TextIOWrapper
from pathlib import Path

from core.domain.redaction import redact
from core.storage.files import FILE_MODE, make_private, private_folder

LOG_FILE_NAME = "sp-connect.log"
#: Rotate at this size: a day of DEBUG logging of a large inventory fits, a disk never fills.
MAX_BYTES = 2_000_000
#: How many rotated files are kept next to the current one.
BACKUPS = 4
FORMAT = "%(asctime)s %(levelname)s [%(process)d %(threadName)s] %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Replaces the record's message, traceback and stack by their redacted text.

    It changes the record itself (every handler after it sees the redacted text) and always
    lets it through: a filter that dropped records with secrets would hide that something tried
    to log one.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken %-format: keep what can be kept, still redacted
            message = f"{record.msg!s} (arguments did not fit the message)"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _PrivateRotatingFileHandler(logging.FileHandler):
    """A file handler that rotates at ``max_bytes`` and creates its files 0600 (not left to the
    umask).

    Written on :class:`logging.FileHandler` rather than ``logging.handlers``'s rotating handler:
    importing ``logging.handlers`` brings ``socket``, ``pickle`` and ``queue``, a few
    milliseconds of every start before the window's first paint, for handlers we never use.

    Rotation that fails is not an error: on Windows a file another process holds open cannot be
    renamed (the window's log while a scheduled ``main.py check`` writes the same file), and
    the standard handler would then print a "Logging error" for every record. Here the record
    goes on into the current file and rotation is tried again once it has grown by a tenth.
    """

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        self.max_bytes, self.backups = max_bytes, backups
        self._retry_at = 0  # after a failed rotation: the size at which to try again
        super().__init__(path, mode="a", encoding="utf-8")

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        make_private(Path(self.baseFilename))  # an older file made before this rule
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is None:
                self.stream = self._open()
            size = self.stream.seek(0, os.SEEK_END)
            if size >= max(self.max_bytes, self._retry_at):
                self._rotate(size)
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def _rotate(self, size: int) -> None:
        if self.stream is not None:
            self.stream.close()
        self.stream = None
        base = self.baseFilename
        try:
            for n in range(self.backups - 1, 0, -1):
                if os.path.exists(f"{base}.{n}"):
                    os.replace(f"{base}.{n}", f"{base}.{n + 1}")
            os.replace(base, f"{base}.1")
        except OSError:
            self._retry_at = size + self.max_bytes // 10
        else:
            self._retry_at = 0
        self.stream = self._open()


def file_handler(
    folder: Path,
    level: int = logging.NOTSET,
    *,
    name: str = LOG_FILE_NAME,
    max_bytes: int = MAX_BYTES,
    backups: int = BACKUPS,
) -> logging.Handler:
    """A handler writing to ``folder/name``; creates the folder. Raises ``OSError``."""
    private_folder(folder)
    handler = _PrivateRotatingFileHandler(folder / name, max_bytes, backups)
    handler.setLevel(level)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


def last_lines(
    folder: Path, count: int, max_bytes: int = 1_000_000, name: str = LOG_FILE_NAME
) -> list[str]:
    """The last ``count`` lines of the log (from its rotated files too), redacted again.

    Read from the end and at most ``max_bytes``, so a support bundle stays small and quick
    whatever the log holds. Redacted again because a file written before this version (or by
    hand) may hold what the filter would have taken out. No log yet gives an empty list.
    """
    files = [folder / name] + [folder / f"{name}.{n}" for n in range(1, BACKUPS + 1)]
    lines: list[str] = []
    budget = max_bytes
    for path in files:
        if len(lines) >= count or budget <= 0:
            break
        try:
            with path.open("rb") as stream:
                size = stream.seek(0, os.SEEK_END)
                start = max(0, size - budget)
                stream.seek(start)
                data = stream.read()
        except FileNotFoundError:
            continue
        budget -= len(data)
        text = data.decode("utf-8", errors="replace").splitlines()
        if start > 0 and text:
            text = text[1:]  # the first line was cut in the middle
        lines = text + lines
    return [redact(line) for line in lines[-count:]]
