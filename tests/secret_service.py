"""A real GNOME Keyring for the ``keychain`` tests, on the private D-Bus session of scripts/test.

The daemon runs in the foreground as our child, so the tests know its PID: SIGSTOP makes every
keychain call hang (the timeout test), SIGCONT lets them finish. No Qt here (see conftest.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import IO

#: scripts/test sets this inside its ``dbus-run-session``; any other bus may be a desktop's.
PRIVATE_BUS_ENV = "SPCONNECT_TEST_DBUS"
BUS_NAME = "org.freedesktop.secrets"
#: Unlocks the throwaway login keyring the daemon creates in its own temporary home.
THROWAWAY_PASSWORD = "throwaway-password"


def private_bus_reason() -> str | None:
    """Why this D-Bus session must not be used for keychain tests, or ``None`` if it may."""
    if os.environ.get(PRIVATE_BUS_ENV) == "private":
        return None
    return (
        "keychain tests run only on the private D-Bus session of `bash scripts/test` "
        f"(this bus may be your desktop's; inside your own dbus-run-session set {PRIVATE_BUS_ENV}"
        "=private)"
    )


def bus_name_owner_pid(name: str = BUS_NAME) -> int | None:
    """The PID of the process owning ``name`` on the session bus, or ``None`` if nobody does.

    Asking does not activate the service (unlike calling it would).
    """
    reply = subprocess.run(
        [
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            f"string:{name}",
        ],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    match = re.search(r"uint32 (\d+)", reply.stdout)
    return int(match.group(1)) if reply.returncode == 0 and match else None


class SecretServiceDaemon:
    """A ``gnome-keyring-daemon --foreground`` child that owns the Secret Service bus name."""

    def __init__(self, process: subprocess.Popen[bytes], stderr: IO[bytes], home: str) -> None:
        self.process = process
        self._stderr = stderr
        self._home = home

    @property
    def pid(self) -> int:
        return self.process.pid

    @classmethod
    def start(cls, timeout_s: float = 20.0) -> SecretServiceDaemon:
        """Start an unlocked daemon (replacing any other on this bus) and wait until it answers."""
        exe = shutil.which("gnome-keyring-daemon")
        if exe is None:
            raise RuntimeError("gnome-keyring-daemon is missing: `bash scripts/test` installs it")
        # Its keyrings go to a throwaway home, whatever HOME the tests were given.
        home = tempfile.mkdtemp(prefix="spconnect-keyring-")
        env = dict(
            os.environ,
            HOME=home,
            XDG_DATA_HOME=os.path.join(home, "share"),
            XDG_CONFIG_HOME=os.path.join(home, "config"),
            XDG_CACHE_HOME=os.path.join(home, "cache"),
        )
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 (kept open while the daemon runs)
        process = subprocess.Popen(
            [exe, "--foreground", "--replace", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
        )
        daemon = cls(process, stderr, home)
        assert process.stdin is not None
        # --unlock reads the login keyring's password from stdin, up to end of file.
        process.stdin.write(THROWAWAY_PASSWORD.encode())
        process.stdin.close()
        deadline = time.monotonic() + timeout_s
        while bus_name_owner_pid() != process.pid:
            problem = None
            if process.poll() is not None:
                problem = f"exited with status {process.returncode}"
            elif time.monotonic() > deadline:
                problem = f"did not take {BUS_NAME} within {timeout_s:g} s"
            if problem:
                log = daemon.log()
                daemon.close()
                raise RuntimeError(f"gnome-keyring-daemon {problem}; its output:\n{log}")
            time.sleep(0.05)
        return daemon

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Stops the daemon (SIGSTOP): calls hang, as with a keychain waiting for its password."""
        os.kill(self.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.pid, signal.SIGCONT)

    def log(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def close(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._stderr.close()
        shutil.rmtree(self._home, ignore_errors=True)
