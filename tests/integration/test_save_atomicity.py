"""A Save killed at any moment leaves the inventory before or after it, never a mix.

A child process saves generation after generation (each Save changes a company, the client
secret, a new authorization with its refresh token, and adds or removes a channel with its MWS
token) and kills itself with SIGKILL at a seeded random moment. After each kill the file must
pass ``PRAGMA integrity_check``, hold generation ``k - 1`` or ``k`` exactly (its history too),
point at no missing keychain entry, and, once reopened, have no stray entry left in the keychain.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from core.services.workspace import Workspace
from core.storage.backups import DB_NAME, kept_by_backups
from core.storage.store import Store
from tests.file_secret_store import FileSecretStore
from tests.integration.crash_child import expected, observe, seed_inventory

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("SPCONNECT_CRASH_KILLS", "40"))

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")


def last_attempt(log: Path) -> tuple[int, bool]:
    """The generation the child was saving when it died, and whether that Save returned."""
    lines = log.read_text(encoding="utf-8").split()
    words = list(zip(lines[::2], lines[1::2], strict=True))
    if not words:
        return 0, True
    word, number = words[-1]
    return int(number), word == "done"


def test_a_killed_save_leaves_before_or_after(tmp_path: Path) -> None:
    data, keys = tmp_path / "data", tmp_path / "keychain"
    secrets = FileSecretStore(keys)
    ws = Workspace.open(data, secrets)
    seed_inventory(ws)
    ws.close()

    saved_before = 0
    outcomes = {"before": 0, "after": 0}
    for kill in range(KILLS):
        log = tmp_path / f"log-{kill}"
        log.touch()
        child = subprocess.run(
            [sys.executable, "-m", "tests.integration.crash_child", data, keys, log, str(kill)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert child.returncode == -signal.SIGKILL, child.stderr
        k, finished = last_attempt(log)
        if k == 0:  # killed before its first Save began
            k, finished = saved_before, True

        conn = sqlite3.connect(data / DB_NAME)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.close()

        store = Store.open(data)
        found = observe(store.load(), secrets)  # asserts no dangling reference
        # The history is written with the rows: one company rename per generation, the
        # newest naming the generation found, never one ahead or behind.
        renames = [e for e in store.history("company", "gen") if e.summary.startswith("Edit")]
        store.close()
        assert len(renames) == found.k
        assert not renames or renames[0].summary == f"Edit company gen {found.k}"
        allowed = {k} if finished else {k - 1, k}
        assert found.k in allowed, f"kill {kill}: generation {found.k}, expected {allowed}"
        assert found == expected(found.k), "a mix of two generations"
        outcomes["after" if found.k == k else "before"] += 1
        saved_before = found.k

        # Reopening removes whatever the interrupted Save left in the keychain, except the
        # superseded entries a kept backup still points at: those stay, journalled, until that
        # backup is pruned (so that restoring it finds its secrets).
        ws = Workspace.open(data, secrets)
        assert ws.store is not None
        kept = kept_by_backups(data, secrets.names()) - ws.current.secret_refs()
        assert secrets.names() == ws.current.secret_refs() | kept
        assert ws.store.journal() == dict.fromkeys(kept, "superseded")
        ws.close()

    # The kills landed both inside Saves and between them; otherwise the test proved little.
    assert saved_before > KILLS
    assert outcomes["before"] > 0
