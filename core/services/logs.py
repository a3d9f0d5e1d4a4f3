"""The log file as the surfaces see it: starting it, where it is, and its last lines (redacted).

Every start (the window, the demo, review mode, every command) calls :func:`start_logging`
first: the root logger at INFO (DEBUG with ``--verbose``), the private rotating file of
:mod:`core.storage.log_files`, and a stderr handler at WARNING (DEBUG with ``--verbose``); both
handlers redact (:class:`~core.storage.log_files.RedactingFilter`), so neither a terminal nor a
file shows a secret. A log folder that cannot be written costs the file, never the start: it
is said once on stderr and the crash dialog says it again (:func:`active_log_file` is ``None``).

The demo writes ``sp-connect-demo.log`` in the same folder, not ``sp-connect.log``: the window
starts the demo as a second process while it runs, and two processes rotating one file race
(on Windows the rotation fails outright, as a file another process holds open cannot be
renamed). It also keeps a rehearsal's lines out of what support reads about the real inventory.
A scheduled ``check`` while the window runs does share the file; the handler then carries on
in the current file when rotating fails (see the handler's docstring).
"""

from __future__ import annotations

import logging
import platform
import sys
from pathlib import Path
from typing import TextIO

from core.storage import log_files, paths
from core.storage.files import private_folder

log = logging.getLogger(__name__)

#: How many of the log's last lines a support bundle carries.
BUNDLE_LINES = 2000
#: The demo's own file (see the module's docstring).
DEMO_LOG_FILE_NAME = "sp-connect-demo.log"
#: What a terminal shows: short, the time is in the file.
STDERR_FORMAT = "%(levelname)s %(name)s: %(message)s"
#: Third-party loggers kept quieter than ours, even with ``--verbose``: urllib3 logs every
#: connection and request line at DEBUG (our clients log each call at INFO already, with
#: Amazon's request id), and keyring logs each backend it probes at DEBUG.
CAPPED = {"urllib3": logging.INFO, "keyring": logging.INFO}


class _Started:
    """What :func:`start_logging` changed, so that :func:`stop_logging` can put it back."""

    def __init__(self, file: Path | None, handlers: list[logging.Handler], level: int) -> None:
        self.file, self.handlers, self.level = file, handlers, level
        self.capped = {name: logging.getLogger(name).level for name in CAPPED}


# Logging is the process's by nature (the root logger is one per process): what was installed
# is remembered here, once, for stop_logging and for the crash dialog's path.
_started: list[_Started] = []


class _TerminalFormatter(logging.Formatter):
    """The short terminal line, with or without the record's traceback and stack."""

    def __init__(self, tracebacks: bool) -> None:
        super().__init__(STDERR_FORMAT)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks:
            return super().format(record)
        record.message = record.getMessage()
        return self.formatMessage(record)


def log_folder() -> Path:
    """The folder holding ``sp-connect.log`` (``$SPCONNECT_LOG_DIR`` or the user log folder)."""
    return paths.log_dir()


def log_file() -> Path:
    """The current log file (it may not exist yet): the one this process writes, once started."""
    if _started and _started[0].file is not None:
        return _started[0].file
    return log_folder() / log_files.LOG_FILE_NAME


def active_log_file() -> Path | None:
    """The file this process logs to, or ``None`` (not started, or the folder was not writable)."""
    return _started[0].file if _started else None


def recent_lines(count: int = BUNDLE_LINES) -> list[str]:
    """The log's last ``count`` lines, rotated files included, every secret taken out."""
    file = log_file()
    return log_files.last_lines(file.parent, count, name=file.name)


def start_logging(
    verbose: bool = False, *, demo: bool = False, stderr: TextIO | None = None
) -> Path | None:
    """Install the log file and the stderr handler; the log file, or ``None`` without one.

    Calling it again first undoes the previous call (tests start many commands in one
    process). ``stderr`` defaults to ``sys.stderr``, which a windowed build may not have.
    """
    stop_logging()
    err = stderr if stderr is not None else sys.stderr
    level = logging.DEBUG if verbose else logging.INFO
    root = logging.getLogger()
    handlers: list[logging.Handler] = []
    folder = log_folder()
    name = DEMO_LOG_FILE_NAME if demo else log_files.LOG_FILE_NAME
    file: Path | None = folder / name
    try:
        handlers.append(log_files.file_handler(folder, name=name))
    except OSError as exc:
        file = None
        if err is not None:
            why = exc.strerror or type(exc).__name__
            print(
                f"SP Connect cannot write its log file in {folder} ({why}); it carries on "
                "without one. Check that this folder can be written, or set "
                f"{paths.ENV_LOG_DIR} to a folder that can.",
                file=err,
            )
    if err is not None:
        terminal = logging.StreamHandler(err)
        terminal.setLevel(logging.DEBUG if verbose else logging.WARNING)
        terminal.addFilter(log_files.RedactingFilter())
        # Tracebacks go to the file; the terminal gets them with --verbose, or when there is no
        # file (support still needs them).
        terminal.setFormatter(_TerminalFormatter(verbose or file is None))
        handlers.append(terminal)
    _started.append(_Started(file, handlers, root.level))
    for name_, cap in CAPPED.items():
        logging.getLogger(name_).setLevel(max(cap, level))
    root.setLevel(level)
    for handler in handlers:
        root.addHandler(handler)
    log.debug(
        "logging at %s to %s and stderr (at %s)",
        logging.getLevelName(level),
        file or "no file",
        logging.getLevelName(logging.DEBUG if verbose else logging.WARNING),
    )
    return file


def stop_logging() -> None:
    """Remove what :func:`start_logging` installed (the file is flushed and closed)."""
    root = logging.getLogger()
    while _started:
        started = _started.pop()
        for handler in started.handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(started.level)
        for name, level in started.capped.items():
            logging.getLogger(name).setLevel(level)


def log_start(surface: str, version: str) -> None:
    """The first line support reads: which SP Connect, where, and what was started.

    ``surface`` names the window or the command only, never its arguments: ``exec``'s command
    line is the person's own business and may carry anything.
    """
    log.info(
        "SP Connect %s started: %s; Python %s; %s %s %s%s",
        version,
        surface,
        platform.python_version(),
        platform.system(),
        platform.release(),
        platform.machine(),
        " (bundled)" if getattr(sys, "frozen", False) else "",
    )


def unexpected_error(surface: str) -> str:
    """Log the exception being handled with its traceback; the plain line to show for it.

    For a command without a window: the person sees one line with where the details are, the
    traceback goes to the log (redacted like every record).
    """
    log.error("unexpected error in %s", surface, exc_info=True)
    file = active_log_file()
    where = f"the details are in {file}" if file else "no log file could be written"
    return (
        f"error: something went wrong inside SP Connect and {surface} stopped; {where}. "
        "Your saved data is safe. If it happens again, send that file to support."
    )


def created_log_folder() -> Path:
    """The log folder, created (private) if missing; a folder that cannot be made is still
    returned, so that whoever asked can say where it should be."""
    folder = log_folder()
    try:
        private_folder(folder)
    except OSError as exc:
        log.info("the log folder %s cannot be created (%s)", folder, type(exc).__name__)
    return folder
