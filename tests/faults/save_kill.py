"""SIGKILL at random moments of Save: the file and the keychain hold the state before or after.

The approach of ``tests/integration/test_save_atomicity.py``, counted instead of asserted: a
child (:mod:`tests.integration.crash_child`) saves generation after generation against a
keychain-like store in a folder that survives it (:class:`tests.file_secret_store.FileSecretStore`)
and SIGKILLs itself at a seeded random moment. After each kill:

* ``PRAGMA integrity_check`` and ``foreign_key_check`` pass (no corrupt database);
* the inventory is exactly generation ``k - 1`` or ``k`` (no mixed state);
* every keychain entry a row names exists (no dangling reference);
* after reopening (the next start), no entry exists that no row or journal names (orphans
  cleaned).
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from core.services.workspace import Workspace
from core.storage.backups import DB_NAME
from core.storage.store import Store
from tests.faults._report import KindReport
from tests.file_secret_store import FileSecretStore
from tests.integration.crash_child import expected, observe, seed_inventory
from tests.integration.test_save_atomicity import last_attempt

ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT_S = 120


def run(count: int, seed: int) -> KindReport:
    report = KindReport("save_kill")
    outcomes = {"before": 0, "after": 0}
    with tempfile.TemporaryDirectory(prefix="spconnect-faults-kill-") as tmp:
        data, keys = Path(tmp) / "data", Path(tmp) / "keychain"
        secrets = FileSecretStore(keys)
        ws = Workspace.open(data, secrets)
        seed_inventory(ws)
        ws.close()
        saved = 0
        rng = random.Random(seed)
        for kill in range(count):
            child_seed = f"{seed}-{kill}-{rng.randrange(1 << 30)}"
            saved = one_kill(report, Path(tmp), data, secrets, child_seed, saved, outcomes)
            if saved < 0:  # the state is unknown from here on: stop rather than pile up noise
                break
    report.figures.update(outcomes)
    report.figures["kills"] = count
    if count >= 10 and (outcomes["before"] == 0 or outcomes["after"] == 0):
        report.fail(seed, f"the kills never landed both inside and between Saves: {outcomes}")
    return report


def one_kill(
    report: KindReport,
    tmp: Path,
    data: Path,
    secrets: FileSecretStore,
    child_seed: str,
    saved_before: int,
    outcomes: dict[str, int],
) -> int:
    """One child killed mid-Save, then every check; returns the generation now saved (-1: lost)."""
    log = tmp / f"log-{child_seed}"
    log.touch()
    child = subprocess.run(
        [sys.executable, "-m", "tests.integration.crash_child", data, secrets.folder, log,
         child_seed],
        cwd=ROOT, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False,
    )  # fmt: skip
    if not report.check(
        child.returncode == -signal.SIGKILL,
        child_seed,
        f"the saving child ended with status {child.returncode}, not SIGKILL: "
        f"{child.stderr.strip()[-500:]}",
    ):
        return -1
    k, finished = last_attempt(log)
    if k == 0:  # killed before its first Save began
        k, finished = saved_before, True

    conn = sqlite3.connect(data / DB_NAME)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    if not report.check(integrity == [("ok",)], child_seed, f"corrupt database: {integrity}"):
        return -1
    report.check(foreign == [], child_seed, f"foreign key violations: {foreign}")

    store = Store.open(data)
    try:
        found = observe(store.load(), secrets)
    except AssertionError as exc:  # observe asserts every reference resolves
        report.check(False, child_seed, f"after the kill: {exc}")
        return -1
    finally:
        store.close()
    report.ran()  # no dangling reference
    allowed = {k} if finished else {k - 1, k}
    report.check(
        found.k in allowed,
        child_seed,
        f"generation {found.k} saved while the child was at {k} (allowed: {sorted(allowed)})",
    )
    report.check(found == expected(found.k), child_seed, f"a mix of two generations: {found}")
    outcomes["after" if found.k == k else "before"] += 1

    ws = Workspace.open(data, secrets)  # the next start
    try:
        assert ws.store is not None
        named = ws.current.secret_refs() | set(ws.store.journal())
        stray = secrets.names() - named
    finally:
        ws.close()
    report.check(
        not stray,
        child_seed,
        f"{len(stray)} keychain entries named by no row or journal after reopening: "
        f"{sorted(stray)[:3]}",
    )
    return found.k
