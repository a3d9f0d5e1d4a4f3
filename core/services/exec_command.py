"""``main.py exec``: run the seller's own command with one channel's credentials.

The credentials (:mod:`core.services.credentials_env`) are read from the keychain when the
command starts and handed to it in its environment only: never in its arguments (other users of
the computer can list those), never in a file, never printed or logged, and never put into our
own ``os.environ`` (the child's environment is a dict built for it alone). The inventory is
opened read-only without the lock, so a window may stay open; it is closed before the command
starts. In the demo (``--demo``), the secrets are the demo's in-memory ones and the endpoints
its simulator's, which keeps running in this process until the command ends.

Exit codes: the command's own (``128 + N`` when signal N ended it, as shells report it). Our own
failures use the codes ``env``, ``nohup`` and ``timeout`` use, which ordinary commands do not,
so a script can tell them from the command's: :data:`REFUSED` (125) when the channel is unknown
or ambiguous, needs reauthorization, or its credentials cannot be read (no keychain, a missing
secret); :data:`CANNOT_RUN` (126) when the command exists but cannot be run; :data:`NOT_FOUND`
(127) when there is no such command. Each prints what happened and the one next step.

Ctrl+C and ``kill``: SIGINT and SIGTERM sent to us are passed on to the command, and we wait
for it to end and exit with its code. A Ctrl+C typed in the terminal already reaches the command
(the terminal signals its whole foreground process group, which the command shares with us),
so that one is not sent a second time.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TextIO

from core.domain.errors import UserFacingError
from core.domain.inventory import utcnow
from core.services.credentials_env import (
    child_environment,
    credential_variables,
    find_channel,
    refusal,
)
from core.services.demo import open_demo
from core.services.opening import open_workspace
from core.services.workspace import Workspace

#: SP Connect's own refusal (as ``env`` exits 125 when it fails itself).
REFUSED = 125
#: The command exists but cannot be run (not executable, a folder, not a program).
CANNOT_RUN = 126
#: There is no such command.
NOT_FOUND = 127
#: What a shell reports for a command interrupted by Ctrl+C before it even started.
INTERRUPTED = 128 + signal.SIGINT

_FORWARDED = (signal.SIGINT, signal.SIGTERM)


def run_exec(
    channel: str,
    command: Sequence[str],
    *,
    demo: bool = False,
    data_dir: str | Path | None = None,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
    err: TextIO | None = None,
) -> int:
    """Run ``command`` with ``channel``'s credentials; returns the exit code to exit with.

    Args:
        channel: A channel id, ``SELLER_ID/MARKETPLACE`` or a Seller ID alone
            (:func:`core.services.credentials_env.find_channel`).
        command: The program and its arguments.
        demo: Use the demo inventory and its simulator instead of the person's own.
        data_dir: ``--data-dir`` (``None``: the usual data folder).
        now: The time expiry is judged at (default: now).
        environ: The environment the command inherits (default: ours), minus any credential
            variable of its own.
        err: Where our own messages go (default: standard error).
    """
    out = err if err is not None else sys.stderr
    workspace: Workspace | None = None
    try:
        workspace = open_demo(now=now) if demo else open_workspace(data_dir, read_only=True)
        variables = _read(workspace, channel, now or utcnow())
        if not workspace.demo:
            workspace.close()  # nothing of ours is needed while it runs (the demo's Amazon is)
            workspace = None
        env = child_environment(os.environ if environ is None else environ, variables)
        variables.clear()
        return run_child(command, env, out)
    except UserFacingError as exc:
        print(f"error: {exc.message}", file=out)
        if exc.next_step:
            print(exc.next_step, file=out)
        return REFUSED
    except KeyboardInterrupt:  # Ctrl+C before the command started: it never runs
        return INTERRUPTED
    finally:
        if workspace is not None:
            workspace.close()


def _read(workspace: Workspace, text: str, now: datetime) -> dict[str, str]:
    inventory = workspace.current
    channel = find_channel(inventory, text)
    refused = refusal(channel, inventory, now)
    if refused is not None:
        raise refused
    problem = workspace.secrets_problem
    if problem is not None:
        raise UserFacingError(
            f"SP Connect cannot read the channel's credentials: {problem.message}",
            problem.next_step,
        )
    return credential_variables(inventory, channel, workspace.secret)


def run_child(command: Sequence[str], env: dict[str, str], err: TextIO) -> int:
    """Run ``command`` in ``env`` (emptied once the command has it), passing SIGINT and SIGTERM
    on; returns its exit code, or :data:`NOT_FOUND` / :data:`CANNOT_RUN` with a message."""
    name = command[0]
    with _Forwarder() as forwarder:
        try:
            child = subprocess.Popen(list(command), env=env)
        except FileNotFoundError:
            print(f"error: There is no command {name!r}.", file=err)
            print("Check its name, or give its full path.", file=err)
            return NOT_FOUND
        except OSError as exc:  # not executable, a folder, not a program
            reason = exc.strerror or type(exc).__name__
            print(f"error: The command {name!r} cannot be run ({reason}).", file=err)
            print("Check that it is a program and that you may run it (chmod +x).", file=err)
            return CANNOT_RUN
        finally:
            env.clear()  # the command has its copy; ours goes now
        forwarder.attach(child)
        code = forwarder.wait(child)
    return 128 - code if code < 0 else code


class _Forwarder:
    """Passes SIGINT and SIGTERM on to the child while it runs (main thread only: Python runs
    signal handlers there). A signal that arrives before the child exists is passed on as soon
    as it does."""

    def __init__(self) -> None:
        self._child: subprocess.Popen[bytes] | None = None
        self._pending: list[int] = []
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Forwarder:
        if threading.current_thread() is threading.main_thread():
            for sig in _FORWARDED:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def attach(self, child: subprocess.Popen[bytes]) -> None:
        self._child = child
        pending, self._pending = self._pending, []
        for sig in pending:  # the child did not exist yet, so nobody else told it
            self._send(sig)

    def wait(self, child: subprocess.Popen[bytes]) -> int:
        """Wait for the child, running our handlers whichever thread a signal hit.

        The kernel hands a process's signal to any thread that does not block it (in the demo,
        perhaps one of the simulator's); Python runs the handler in the main thread once that
        next runs Python code, which a main thread blocked in ``waitpid`` never does. So the
        main thread waits in ``select`` on Python's wakeup fd (written by its C-level handler,
        in whichever thread) and on a pipe that a waiting thread writes when the child ends.
        """
        if not self._previous or os.name == "nt":  # Windows: the console signals the child
            return child.wait()
        wake_r, wake_w = os.pipe()
        done_r, done_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)

        def waiter() -> None:
            try:
                child.wait()
            finally:
                os.write(done_w, b"x")

        previous = signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
        thread = threading.Thread(target=waiter, name="exec-wait", daemon=True)
        thread.start()
        try:
            while True:
                ready, _, _ = select.select([wake_r, done_r], [], [])
                if wake_r in ready:  # the handlers run as this loop goes on
                    with contextlib.suppress(BlockingIOError):
                        os.read(wake_r, 4096)
                if done_r in ready:
                    break
        finally:
            signal.set_wakeup_fd(previous)
            thread.join()
            for fd in (wake_r, wake_w, done_r, done_w):
                os.close(fd)
        return child.wait()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._child is None:
            self._pending.append(signum)
        elif signum != signal.SIGINT or not _terminal_signals_child():
            self._send(signum)

    def _send(self, signum: int) -> None:
        if self._child is not None:
            with contextlib.suppress(ProcessLookupError):  # it has just ended
                self._child.send_signal(signum)


_tcgetpgrp: Callable[[int], int] | None = getattr(os, "tcgetpgrp", None)


def _terminal_signals_child() -> bool:
    """Whether a SIGINT came from our terminal, which then sent it to the child too.

    The terminal signals its foreground process group; the child is in ours. On Windows the
    console signals every process attached to it.
    """
    if _tcgetpgrp is None:
        return True
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    except OSError:  # no controlling terminal: a `kill`, not a Ctrl+C
        return False
    try:
        return _tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)
