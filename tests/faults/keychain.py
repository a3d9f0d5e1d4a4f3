"""A keychain that is missing, locked, erroring or hanging, met by ``Workspace.save``.

Each case opens a saved inventory (generation 0 of :mod:`tests.integration.crash_child`),
applies the changes of generation 1 (a new client secret, refresh token and MWS token), and
saves against the faulty keychain. Required (issue 8):

* the Save fails with a clear message (a message and a next step) within 5 s;
* every change is still pending;
* nothing is half-written: the file still holds generation 0, and every keychain entry the
  failed Save wrote is named by the journal (so the next start removes it), and is gone after
  reopening with a working keychain.

*Missing* is keyring's own ``fail`` backend, as on a machine without a Secret Service.
*Locked* and *erroring* are, everywhere, the Secret Service backend's class with its calls
answering as a locked or failing keychain does (``KeyringLocked``, ``PasswordSetError``),
entries kept in a dict; *erroring midway* lets the first write through. In a private D-Bus
session two cases use a real GNOME Keyring: *hanging* (frozen with SIGSTOP) and *locked
keyring* (its collection locked, no display for a prompt). This module runs itself there
under ``dbus-run-session`` (``python -m tests.faults.keychain --private COUNT SEED``), as
``scripts/test`` does for the keychain tests; without those programs both cases are reported
as not available.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import keyring.errors
from keyring.backends import SecretService

from core.domain.errors import UserFacingError
from core.domain.secret import Secret
from core.services.opening import open_workspace
from core.services.workspace import Workspace
from core.storage.keychain import KeyringSecretStore, MemorySecretStore, SecretStore
from core.storage.store import Store
from tests.faults._report import KindReport
from tests.integration.crash_child import advance, expected, seed_inventory
from tests.secret_service import PRIVATE_BUS_ENV, SecretServiceDaemon

ROOT = Path(__file__).resolve().parents[2]
#: Issue 8: a clear message within this many seconds, whatever the keychain does.
MESSAGE_WITHIN_S = 5.0
#: The private-session child's bound: its start, and per case a frozen Save (today up to
#: 4 keychain timeouts of 10 s) and the recovery.
CHILD_START_S, CHILD_PER_CASE_S = 60, 90
#: What the stand-in keychain says when it fails: keyring errors may quote their input, so
#: SP Connect never shows or chains them.
KEYRING_SAID = "secret-value failed"
#: The secrets generation 1 brings.
_GEN1 = expected(1)
NEW_VALUES = tuple(
    v for v in (_GEN1.client_secret, _GEN1.refresh_token, _GEN1.extra_channel_token) if v
)


class FaultyKeyring:
    """A keychain that is locked or failing, as the Secret Service backend answers then.

    :attr:`backend` is an instance of keyring's own Secret Service class (SP Connect accepts
    backends by class name), with its three calls replaced on the instance; entries live in
    :attr:`entries`. The first ``allow`` writes (and the reads and deletes before them) succeed.
    """

    def __init__(self, error: Callable[[], Exception], allow: int = 0) -> None:
        self.entries: dict[str, str] = {}
        self._error = error
        self._allow = allow
        self.backend = SecretService.Keyring()
        self.backend.get_password = self.get_password  # type: ignore[method-assign]
        self.backend.set_password = self.set_password  # type: ignore[method-assign]
        self.backend.delete_password = self.delete_password  # type: ignore[method-assign]

    def get_password(self, service: str, username: str) -> str | None:
        if self._allow <= 0:
            raise self._error()
        return self.entries.get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        if self._allow <= 0:
            raise self._error()
        self._allow -= 1
        self.entries[username] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._allow <= 0:
            raise self._error()
        self.entries.pop(username, None)


def run(count: int, seed: int) -> KindReport:
    report = KindReport("keychain")
    for n in range(count):
        case_seed = f"{seed}-{n}"
        missing(report, case_seed)
        for name, error, allow in (
            ("locked", lambda: keyring.errors.KeyringLocked("Collection is locked"), 0),
            ("erroring", lambda: keyring.errors.PasswordSetError(KEYRING_SAID), 0),
            ("erroring midway", lambda: keyring.errors.PasswordSetError("failed"), 1),
        ):
            fake = FaultyKeyring(error, allow)
            store = KeyringSecretStore(fake.backend)
            faulty(report, f"{name}:{case_seed}", store, fake.entries)
    report.merge(hanging_in_private_session(count, seed))
    return report


def missing(report: KindReport, case_seed: str) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    with tempfile.TemporaryDirectory(prefix="spconnect-faults-keychain-") as tmp:
        folder = base_inventory(Path(tmp))
        ws = open_workspace(folder)  # the app's own way: the OS keychain, here none
        try:
            attempt_save(report, f"missing:{case_seed}", ws, folder, leftovers=None)
        finally:
            ws.close()


def faulty(report: KindReport, case_seed: str, store: SecretStore, entries: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="spconnect-faults-keychain-") as tmp:
        folder = base_inventory(Path(tmp))
        ws = Workspace.open(folder, store)
        try:
            attempt_save(report, case_seed, ws, folder, leftovers=lambda: set(entries))
        finally:
            ws.close()
        # The next start, with the keychain working again, removes what the Save left.
        working = MemorySecretStore()
        for name, value in entries.items():
            working.set(name, Secret(value))
        cleaned(report, case_seed, folder, working, working.names)


def base_inventory(tmp: Path) -> Path:
    """Generation 0, saved (its secrets in a memory store: this Save is not under test)."""
    folder = tmp / "data"
    ws = Workspace.open(folder, MemorySecretStore())
    seed_inventory(ws)
    ws.close()
    return folder


def attempt_save(
    report: KindReport,
    case_seed: str,
    ws: Workspace,
    folder: Path,
    leftovers: Callable[[], set[str]] | None,
    recover: Callable[[], None] | None = None,
) -> None:
    """Generation 1's changes, a Save that must fail plainly and in time, and what it left."""
    advance(ws, 1)
    pending = len(ws.pending)
    new_refs = ws.current.secret_refs() - ws.saved.secret_refs()
    started = time.monotonic()
    error: BaseException | None = None
    try:
        ws.save()
    except Exception as exc:  # judged below: anything but a plain UserFacingError is wrong
        error = exc
    took = time.monotonic() - started
    report.figures[f"{case_seed.split(':')[0]}_seconds"] = round(took, 2)
    if not report.check(error is not None, case_seed, "the Save succeeded without a keychain"):
        return
    assert error is not None
    report.check(
        isinstance(error, UserFacingError)
        and bool(error.message.strip())
        and bool(error.next_step.strip()),
        case_seed,
        f"not a plain message with a next step: {type(error).__name__}: {error}",
    )
    shown = f"{error} {error!r} {error.__context__!r} {error.__cause__!r}"
    report.check(
        not any(v in shown for v in (*NEW_VALUES, KEYRING_SAID)),
        case_seed,
        "the message or its chained errors quote a secret or the keychain's own words",
    )
    report.check(
        took <= MESSAGE_WITHIN_S,
        case_seed,
        f"the message came after {took:.1f} s (required: within {MESSAGE_WITHIN_S:g} s)",
    )
    report.check(
        len(ws.pending) == pending and ws.current.companies["gen"].name == "gen 1",
        case_seed,
        f"pending changes lost: {len(ws.pending)} of {pending} left",
    )
    if recover is not None:
        recover()
    other = Store.open(folder, read_only=True)
    try:
        on_disk = other.load()
        journal = set(other.journal())
    finally:
        other.close()
    report.check(
        on_disk.companies["gen"].name == "gen 0" and not (on_disk.secret_refs() & new_refs),
        case_seed,
        "the file changed although the Save failed",
    )
    if leftovers is not None:
        stray = (leftovers() & new_refs) - journal
        report.check(
            not stray,
            case_seed,
            f"{len(stray)} keychain entries written by the failed Save are in no journal row "
            "(nothing will ever remove them)",
        )


def cleaned(
    report: KindReport,
    case_seed: str,
    folder: Path,
    secrets: SecretStore,
    names: Callable[[], frozenset[str] | set[str]],
) -> None:
    ws = Workspace.open(folder, secrets)
    try:
        assert ws.store is not None
        named = ws.current.secret_refs() | set(ws.store.journal())
        stray = set(names()) - named
    finally:
        ws.close()
    report.check(
        not stray,
        case_seed,
        f"{len(stray)} keychain entries left after reopening with a working keychain",
    )


# --- hanging: a real GNOME Keyring, frozen -------------------------------------------------------


def hanging_in_private_session(count: int, seed: int) -> KindReport:
    """Run :func:`hanging` in a child under ``dbus-run-session``, as ``scripts/test`` runs the
    keychain tests: a throwaway home, no display, the child's own GNOME Keyring."""
    if os.environ.get(PRIVATE_BUS_ENV) == "private":
        return hanging(count, seed)
    report = KindReport("keychain")
    tools = [shutil.which(t) for t in ("dbus-run-session", "gnome-keyring-daemon")]
    if not all(tools):
        why = "dbus-run-session or gnome-keyring-daemon is missing"
        report.unavailable("hanging", why, say=False)  # said by merge
        report.unavailable("locked keyring", why, say=False)
        return report
    home = Path(tempfile.mkdtemp(prefix="spconnect-faults-dbus-"))
    (home / "run").mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.pop("GNOME_KEYRING_CONTROL", None)
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(home / "run"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PYTHONPATH=str(ROOT),
        **{PRIVATE_BUS_ENV: "private"},
    )
    command = [str(tools[0]), "--", sys.executable, "-m", "tests.faults.keychain",
               "--private", str(count), str(seed)]  # fmt: skip
    limit = CHILD_START_S + CHILD_PER_CASE_S * count
    try:
        child = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=limit, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        report.fail(seed, f"the private D-Bus child did not finish within {limit} s", say=False)
        return report
    finally:
        shutil.rmtree(home, ignore_errors=True)
    lines = child.stdout.strip().splitlines()
    try:
        return KindReport.from_json(json.loads(lines[-1]))
    except (IndexError, ValueError, KeyError):
        said = (child.stderr or child.stdout).strip()[-600:]
        report.fail(seed, f"the private D-Bus child failed ({child.returncode}): {said}", say=False)
        return report


def hanging(count: int, seed: int) -> KindReport:
    report = KindReport("keychain")
    daemon = SecretServiceDaemon.start()
    try:
        keyring.core.init_backend()
        for n in range(count):
            with tempfile.TemporaryDirectory(prefix="spconnect-faults-hang-") as tmp:
                one_hang(report, daemon, Path(tmp), f"hanging:{seed}-{n}")
        # Last: nobody can unlock it again without a password prompt (no display here).
        with tempfile.TemporaryDirectory(prefix="spconnect-faults-lock-") as tmp:
            locked_for_real(report, Path(tmp), f"locked keyring:{seed}")
    finally:
        daemon.close()
    return report


def locked_for_real(report: KindReport, tmp: Path, case_seed: str) -> None:
    """The real GNOME Keyring with its collection locked (no display: no prompt can open)."""
    import secretstorage

    folder = base_inventory(tmp)
    ws = open_workspace(folder)
    connection = secretstorage.dbus_init()
    try:
        secretstorage.get_default_collection(connection).lock()
        attempt_save(report, case_seed, ws, folder, leftovers=None)
    finally:
        connection.close()
        ws.close()


def one_hang(report: KindReport, daemon: SecretServiceDaemon, tmp: Path, case_seed: str) -> None:
    folder = base_inventory(tmp)
    ws = open_workspace(folder)  # the app's own way: the OS keychain, with its timeout
    store = ws.secrets
    written: set[str] = set()

    def thaw() -> None:
        os.kill(daemon.pid, signal.SIGCONT)  # the stuck calls finish
        settle(store)
        written.update(n for n in ws.current.secret_refs() if store.get(n) is not None)

    try:
        os.kill(daemon.pid, signal.SIGSTOP)  # every keychain call now hangs
        attempt_save(report, case_seed, ws, folder, lambda: written, recover=thaw)
    finally:
        os.kill(daemon.pid, signal.SIGCONT)
        ws.close()
    cleaned(report, case_seed, folder, store, present(store, written))


def present(store: SecretStore, names: set[str]) -> Callable[[], set[str]]:
    """Which of ``names`` the keychain holds, asked when called."""
    return lambda: {name for name in names if store.get(name) is not None}


def settle(store: Any) -> None:
    """Wait (bounded) until the keychain thread has finished the calls left hanging."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            store.get("spconnect-faults/settle")
            return
        except UserFacingError:
            continue


if __name__ == "__main__":
    if sys.argv[1:2] == ["--private"]:
        result = hanging(int(sys.argv[2]), int(sys.argv[3]))
        print(json.dumps(result.to_json()))
        sys.exit(0)
    sys.exit(2)
