"""The log file as the surfaces see it: starting it, where it is, and its last lines (redacted).

Every start (the window, the demo, review mode, every command) calls :func:`start_logging`
first: the root logger at INFO (DEBUG with ``--verbose``), the private rotating file of
:mod:`core.storage.log_files`, and a stderr handler at WARNING (DEBUG with ``--verbose``); both
handlers redact (:class:`~core.storage.log_files.RedactingFilter`), so neither a terminal nor a
file shows a secret. A log folder that cannot be written costs the file, never the start: it
is said once on stderr and the crash dialog says it again (:func:`active_log_file` is ``None``).
The window opens its file just after its first paint (finding the user log folder costs time
the paint cannot spare); the records of those first moments are kept and written first.

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
import threading
from pathlib import Path
from typing import TextIO

from core.storage import log_files
from core.storage.files import private_folder

log = logging.getLogger(__name__)

#: How many of the log's last lines a support bundle carries.
BUNDLE_LINES = 2000
#: The demo's own file (see the module's docstring).
DEMO_LOG_FILE_NAME = "sp-connect-demo.log"
#: What a terminal shows: short, the time is in the file.
STDERR_FORMAT = "%(levelname)s %(name)s: %(message)s"
#: How many records a start keeps before its log file is open (see :class:`_Held`).
HELD_RECORDS = 10_000
#: Third-party loggers kept quieter than ours, even with ``--verbose``: urllib3 logs every
#: connection and request line at DEBUG (our clients log each call at INFO already, with
#: Amazon's request id), and keyring logs each backend it probes at DEBUG.
CAPPED = {"urllib3": logging.INFO, "keyring": logging.INFO}


class _Held(logging.Handler):
    """Keeps the records of a start's first moments until the log file is open (at most
    :data:`HELD_RECORDS`; the window opens its file after its first paint)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < HELD_RECORDS:
            self.records.append(record)


class _Started:
    """What :func:`start_logging` installed and changed, so that it can be undone."""

    def __init__(self, verbose: bool, demo: bool, err: TextIO | None) -> None:
        self.verbose, self.err = verbose, err
        self.name = DEMO_LOG_FILE_NAME if demo else log_files.LOG_FILE_NAME
        self.level = logging.getLogger().level
        self.capped = {name: logging.getLogger(name).level for name in CAPPED}
        self.handlers: list[logging.Handler] = []
        self.file: Path | None = None
        self.failed = False  # the folder could not be written: no file for this start
        self.held: _Held | None = None
        self.thread_hook = threading.excepthook

    def open_file(self) -> Path | None:
        """Open the log file if not yet done; the file, or ``None`` if it cannot be written."""
        if self.file is not None or self.failed:
            return self.file
        root, folder = logging.getLogger(), log_folder()
        try:
            handler = log_files.file_handler(folder, name=self.name)
        except OSError as exc:
            self.failed = True
            if self.err is not None:
                print(
                    f"SP Connect cannot write its log file in {folder} "
                    f"({exc.strerror or type(exc).__name__}); it carries on without one. "
                    "Check that this folder can be written, or set SPCONNECT_LOG_DIR to a "
                    "folder that can.",
                    file=self.err,
                )
        else:
            self.file = folder / self.name
            for record in self.held.records if self.held is not None else ():
                handler.handle(record)  # the first moments, in order, before anything newer
            root.addHandler(handler)
            self.handlers.append(handler)
        if self.held is not None:
            root.removeHandler(self.held)
            self.held = None
        log.debug(
            "logging at %s to %s and stderr (at %s)",
            logging.getLevelName(root.level),
            self.file or "no file",
            "DEBUG" if self.verbose else "WARNING",
        )
        return self.file


# Logging is the process's by nature (the root logger is one per process): what was installed
# is remembered here, once, for stop_logging and for the crash dialog's path.
_started: list[_Started] = []


class _TerminalFormatter(logging.Formatter):
    """The short terminal line; the traceback only with ``--verbose`` or without a log file
    (it goes to the file, and support still needs it when there is none)."""

    def __init__(self, started: _Started) -> None:
        super().__init__(STDERR_FORMAT)
        self.started = started

    def format(self, record: logging.LogRecord) -> str:
        if self.started.verbose or self.started.failed:
            return super().format(record)
        record.message = record.getMessage()
        return self.formatMessage(record)


def log_folder() -> Path:
    """The folder holding ``sp-connect.log`` (``$SPCONNECT_LOG_DIR`` or the user log folder)."""
    from core.storage import paths  # platformdirs: only once the window is painted

    return paths.log_dir()


def log_file() -> Path:
    """The current log file (it may not exist yet): the one this process writes, once started."""
    if _started and _started[0].file is not None:
        return _started[0].file
    return log_folder() / (_started[0].name if _started else log_files.LOG_FILE_NAME)


def active_log_file() -> Path | None:
    """The file this process logs to (opened now if it was waiting), or ``None``: logging not
    started, or the folder could not be written."""
    return _started[0].open_file() if _started else None


def open_log_file() -> Path | None:
    """Open the file that :func:`start_logging` left waiting (``defer_file``); as above."""
    return active_log_file()


def recent_lines(count: int = BUNDLE_LINES) -> list[str]:
    """The log's last ``count`` lines, rotated files included, every secret taken out."""
    file = log_file()
    return log_files.last_lines(file.parent, count, name=file.name)


def start_logging(
    verbose: bool = False,
    *,
    demo: bool = False,
    stderr: TextIO | None = None,
    defer_file: bool = False,
) -> Path | None:
    """Install the log file and the stderr handler; the log file, or ``None`` without one.

    With ``defer_file`` the file waits for :func:`open_log_file` (``None`` is returned) and the
    records until then are kept for it: finding the user log folder imports platformdirs,
    which the window's first paint cannot spare. Calling it again first undoes the previous
    call (tests start many commands in one process). ``stderr`` defaults to ``sys.stderr``,
    which a windowed build may not have.
    """
    stop_logging()
    started = _Started(verbose, demo, stderr if stderr is not None else sys.stderr)
    _started.append(started)
    level = logging.DEBUG if verbose else logging.INFO
    root = logging.getLogger()
    if started.err is not None:
        terminal = logging.StreamHandler(started.err)
        terminal.setLevel(logging.DEBUG if verbose else logging.WARNING)
        terminal.addFilter(log_files.RedactingFilter())
        terminal.setFormatter(_TerminalFormatter(started))
        started.handlers.append(terminal)
        root.addHandler(terminal)
    for name, cap in CAPPED.items():
        logging.getLogger(name).setLevel(max(cap, level))
    root.setLevel(level)
    started.held = _Held()
    root.addHandler(started.held)
    threading.excepthook = _thread_crashed
    return None if defer_file else started.open_file()


def stop_logging() -> None:
    """Remove what :func:`start_logging` installed; a file still waiting gets its records
    first, then every file is flushed and closed."""
    root = logging.getLogger()
    while _started:
        started = _started[-1]
        started.open_file()
        _started.pop()
        for handler in started.handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(started.level)
        for name, level in started.capped.items():
            logging.getLogger(name).setLevel(level)
        threading.excepthook = started.thread_hook


def _thread_crashed(args: threading.ExceptHookArgs) -> None:
    """An exception that ended a thread goes to the log (redacted), not raw to stderr as
    Python's own hook prints it: its message may quote what the thread was given."""
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "a thread"
    exc_info = (args.exc_type, args.exc_value, args.exc_traceback)
    log.error("unexpected error in %s", name, exc_info=exc_info)  # type: ignore[arg-type]


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
