"""The log file support reads: rotating, private, every secret taken out before it is written.

One file, ``sp-connect.log``, in the user log folder (:func:`core.storage.paths.log_dir`), kept
to :data:`MAX_BYTES` and :data:`BACKUPS` older files so it never grows without bound on a seller's
disk. Every record passes :class:`RedactingFilter` first, so neither a message, its arguments, a
traceback nor a stack shows a secret value (:mod:`core.domain.redaction`). The folder is 0700 and
the files 0600 like the data folder's: a log names sellers and companies.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
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


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are created 0600 (not left to the umask)."""

    def _open(self):  # type: ignore[no-untyped-def]  # typeshed returns a TextIO
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        make_private(Path(self.baseFilename))  # an older file made before this rule
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def file_handler(folder: Path, level: int = logging.INFO) -> logging.Handler:
    """A handler writing to ``folder/sp-connect.log``; creates the folder. Raises ``OSError``."""
    private_folder(folder)
    handler = _PrivateRotatingFileHandler(
        folder / LOG_FILE_NAME, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handler.setLevel(level)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


def last_lines(folder: Path, count: int, max_bytes: int = 1_000_000) -> list[str]:
    """The last ``count`` lines of the log (from its rotated files too), redacted again.

    Read from the end and at most ``max_bytes``, so a support bundle stays small and quick
    whatever the log holds. Redacted again because a file written before this version (or by
    hand) may hold what the filter would have taken out. No log yet gives an empty list.
    """
    files = [folder / LOG_FILE_NAME] + [
        folder / f"{LOG_FILE_NAME}.{n}" for n in range(1, BACKUPS + 1)
    ]
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
