"""What every test is held to, besides its own assertions (Qt-free; used by tests/conftest.py).

* **CI skips are failures.** With ``CI=true`` a test marked ``keychain``, ``xvfb``,
  ``chromium`` or ``desktop_validators`` that was skipped fails instead: CI has the Secret
  Service, the X server, Chromium and the desktop file validators, so a skip there means the
  check silently did not run.
* **No unexpected WARNING-or-worse log record.** A test that expects one declares it: with the
  ``expected_warnings`` fixture (each declared pattern must then be logged), or by requesting
  ``caplog``, which makes the test the owner of its log records (it asserts on them itself).
* **No leaked thread.** Threads a test started must have ended by the end of its teardown (a
  short bounded join lets the ones already on their way out finish). A daemon that must live
  for the whole process would be allowed by name in :data:`ALLOWED_THREADS`, with the reason;
  there is none today.

Messages name the test, the thread or record, and where in our code the thread was started, so
a failure in someone else's new test says what to fix.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import sys
import sysconfig
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import pytest

#: Markers of tests that need something CI has and a developer's machine may not.
CI_ONLY_SKIPS = ("keychain", "xvfb", "chromium", "desktop_validators")

#: Threads that outlive the test that started them on purpose, by exact name, with why. None
#: today: even the keychain lane ends with its store (core/storage/keychain.py).
ALLOWED_THREADS: dict[str, str] = {}

#: How long, in total, the check waits for new threads that are already ending: a first look,
#: then (after a garbage collection) the grace period.
THREAD_FIRST_LOOK_S = 0.05
THREAD_GRACE_S = 2.0

ROOT = Path(__file__).resolve().parent.parent
_LIBRARY = tuple(
    {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
)
#: These helpers themselves, and the GUI's (tests/gui/qt_leaks.py), never the place to look.
_HELPERS = {str(Path(__file__).resolve()), str(ROOT / "tests" / "gui" / "qt_leaks.py")}


#: The call phase's report (tests/conftest.py keeps it), for teardown checks that stay quiet
#: after a failed test: its leftovers are a consequence, the failure is what to read.
CALL_REPORT = pytest.StashKey[pytest.TestReport]()


def call_failed(item: pytest.Item) -> bool:
    report = item.stash.get(CALL_REPORT, None)
    return report is not None and report.failed


def ci_enabled() -> bool:
    """``CI=true`` (as GitHub Actions, GitLab and `.ci/run` environments set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def skip_reason(longrepr: object) -> str:
    """The reason of a skip report (pytest keeps it as ``(path, line, "Skipped: reason")``)."""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr)


def ci_skip_failure(nodeid: str, needs: Iterable[str], reason: str) -> str:
    what = ", ".join(needs)
    return (
        f"CI=true: {nodeid} needs {what} and was skipped ({reason}). CI must run it: "
        "install what it needs (scripts/setup.sh) and run it from the matching step of "
        "scripts/test; unset CI to allow the skip on a developer's machine."
    )


# --- where a thread was started ----------------------------------------------------------------


def _library(filename: str) -> bool:
    return filename.startswith(_LIBRARY) or filename in _HELPERS or filename.startswith("<")


def where(filename: str, line: int, function: str) -> str:
    """``path:line in function``, the path relative to this checkout (or the working directory)."""
    path = Path(filename)
    for base in (ROOT, Path.cwd()):
        if path.is_relative_to(base):
            return f"{path.relative_to(base)}:{line} in {function}"
    return f"{filename}:{line} in {function}"


def our_caller(skip: int = 2, depth: int = 4) -> str:
    """Where a thread or timer was started: the innermost ``depth`` calling frames outside the
    standard library, installed packages and these helpers (so through an executor or Qt, the
    lines of ours that asked for it), innermost first."""
    frame: FrameType | None = sys._getframe(skip)
    found: list[str] = []
    while frame is not None and len(found) < depth:
        code = frame.f_code
        if not _library(code.co_filename):
            found.append(where(code.co_filename, frame.f_lineno, code.co_name))
        frame = frame.f_back
    return " <- ".join(found) or "an unknown place"


_ORIGIN = "_spconnect_started_at"
_original_start = threading.Thread.start


def _start_and_remember(self: threading.Thread) -> None:
    setattr(self, _ORIGIN, our_caller())
    _original_start(self)


def remember_thread_origins() -> None:
    """Every ``Thread.start`` from now on notes where in our code it was called (for messages)."""
    threading.Thread.start = _start_and_remember  # type: ignore[method-assign]


def forget_thread_origins() -> None:
    threading.Thread.start = _original_start  # type: ignore[method-assign]


def describe_thread(thread: threading.Thread) -> str:
    target = getattr(thread, "_target", None)
    runs = getattr(target, "__qualname__", None) or type(thread).__qualname__
    if isinstance(thread, threading._DummyThread):
        return f"{thread.name!r}, a thread not started by Python (Qt's or a C library's)"
    origin = getattr(thread, _ORIGIN, "an unknown place")
    kind = "daemon" if thread.daemon else "non-daemon"
    return f"{thread.name!r} ({kind}, runs {runs}), started at {origin}"


def leaked_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    """Threads alive now that were not before, the allowed daemons left out, after a bounded
    join of those that are ending."""
    new = [
        t
        for t in threading.enumerate()
        if t not in before
        and t is not threading.current_thread()
        and not (t.daemon and t.name in ALLOWED_THREADS)
    ]
    new = _join(new, THREAD_FIRST_LOOK_S)
    if new:
        # A thread that ends with its owner (the keychain lane ends with its store) waits for
        # the owner's collection when a reference cycle holds it (an exception's traceback
        # does): collect, then give the rest the grace period.
        gc.collect()
        new = _join(new, THREAD_GRACE_S)
    return new


def _join(threads: list[threading.Thread], seconds: float) -> list[threading.Thread]:
    deadline = time.monotonic() + seconds
    for thread in threads:
        # A thread Python did not start (a Qt or C thread that called into Python) cannot be
        # joined; it is reported as it is.
        if not isinstance(thread, threading._DummyThread):
            thread.join(max(0.0, deadline - time.monotonic()))
    return [t for t in threads if t.is_alive()]


def thread_leak_message(nodeid: str, threads: list[threading.Thread]) -> str:
    lines = [f"{nodeid} left {len(threads)} thread(s) running after its teardown:"]
    lines += [f"  - {describe_thread(t)}" for t in threads]
    lines.append(
        "Stop what started it (close the listener, shut the executor down, stop the simulator) "
        "before the test ends. A thread that must live for the whole process goes in "
        "tests/leaks.py's ALLOWED_THREADS, with the reason."
    )
    return "\n".join(lines)


# --- log records ------------------------------------------------------------------------------


@dataclass
class ExpectedWarnings:
    """Declares the WARNING-or-worse records a test expects: ``allow(logger, pattern)``.

    ``logger`` is a logger name (its children count too); ``pattern`` a regular expression
    searched in the formatted message. Each declared pattern must be logged at least once.
    """

    allowed: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)

    def allow(self, logger: str, pattern: str = "") -> None:
        self.allowed.append((logger, re.compile(pattern)))

    def accepts(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for index, (logger, pattern) in enumerate(self.allowed):
            in_logger = record.name == logger or record.name.startswith(logger + ".")
            if in_logger and pattern.search(message):
                self.seen.add(index)
                return True
        return False

    def never_logged(self) -> list[str]:
        return [
            f"{logger}: /{pattern.pattern}/"
            for index, (logger, pattern) in enumerate(self.allowed)
            if index not in self.seen
        ]


class WarningRecorder(logging.Handler):
    """Keeps every WARNING-or-worse record, from any thread, while a test runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[logging.LogRecord, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record, record_origin(record)))


def record_origin(record: logging.LogRecord) -> str:
    return where(record.pathname, record.lineno, record.funcName)


def unexpected_records(
    recorder: WarningRecorder, expected: Callable[[logging.LogRecord], bool]
) -> list[str]:
    return [
        f"  - {record.levelname} on {record.name!r} at {where} ({record.threadName}): "
        f"{record.getMessage()}"
        for record, where in recorder.records
        if not expected(record)
    ]


def log_failure_message(nodeid: str, lines: list[str], missing: list[str]) -> str:
    parts = []
    if lines:
        parts.append(f"{nodeid} logged {len(lines)} unexpected WARNING-or-worse record(s):")
        parts += lines
        parts.append(
            "Fix what made the code warn, or declare the record: request the "
            "`expected_warnings` fixture and call expected_warnings.allow(logger, pattern)."
        )
    if missing:
        parts.append(f"{nodeid} declared warnings that were never logged:")
        parts += [f"  - {m}" for m in missing]
    return "\n".join(parts)


def assert_clean(message: str) -> None:
    """Fails the test with ``message`` (pytest.fail without its traceback noise)."""
    if message:
        pytest.fail(message, pytrace=False)
