"""Where the check benchmark keeps its secrets: the real Secret Service when it can.

The benchmark measures Test connection through the real keychain lane, so it re-runs itself in
a private D-Bus session with GNOME Keyring (as ``scripts/test`` does for the keychain tests)
and falls back to the memory store, saying so, where those tools are missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.domain.secret import Secret
from core.storage.keychain import KeyringSecretStore, MemorySecretStore, SecretStore
from tests.secret_service import PRIVATE_BUS_ENV, SecretServiceDaemon

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def secret_store(kind: str, needed: dict[str, Secret]) -> Iterator[tuple[SecretStore, str]]:
    """The store to measure with, holding ``needed``, and how to name it in the output."""
    daemon = None
    if kind != "memory" and os.environ.get(PRIVATE_BUS_ENV) == "private":
        import keyring

        daemon = SecretServiceDaemon.start()
        keyring.core.init_backend()
        store: SecretStore = KeyringSecretStore()
        name = f"{store.description} (private D-Bus session)"
    else:
        store, name = MemorySecretStore(), "memory"
    try:
        started = time.perf_counter()
        for count, (ref, value) in enumerate(needed.items(), 1):
            store.set(ref, value)
            if count % 500 == 0:
                print(f"  {count} of {len(needed)} secrets stored", flush=True)
        print(f"secrets: {len(needed)} in {name} ({time.perf_counter() - started:.1f} s)")
        yield store, name
    finally:
        if daemon is not None:
            daemon.close()


def in_private_session(argv: list[str]) -> int | None:
    """Run this benchmark again inside a private D-Bus session; ``None`` if that cannot be."""
    tools = [shutil.which(t) for t in ("dbus-run-session", "gnome-keyring-daemon")]
    if not all(tools):
        return None
    home = Path(tempfile.mkdtemp(prefix="spconnect-bench-keychain-"))
    (home / "run").mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(home / "run"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        **{PRIVATE_BUS_ENV: "private"},
    )
    command = [str(tools[0]), "--", sys.executable, "-m", "tests.benchmarks", "check", *argv]
    try:
        with subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        ) as child:
            assert child.stdout is not None
            for line in child.stdout:  # through print, so that a caller capturing output sees it
                print(line, end="", flush=True)
        return child.returncode
    finally:
        shutil.rmtree(home, ignore_errors=True)
