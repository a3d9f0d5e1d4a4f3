"""``main.py exec``: a real command gets one channel's credentials in its environment, against the
demo's simulator; refusals, exit codes and signals. (The real keychain: tests/integration/
test_exec_keychain.py.)"""

from __future__ import annotations

import contextlib
import io
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

import main
from core.domain import changes
from core.domain.inventory import utcnow
from core.domain.samples import demo_inventory
from core.services.exec_command import CANNOT_RUN, NOT_FOUND, REFUSED, run_child
from core.services.opening import open_workspace
from core.storage.keychain import MemorySecretStore

ROOT = Path(__file__).resolve().parents[2]
HEALTHY = "A2ALPINEUSA9KX/US"  # the demo's healthy US channel
EXPIRED = "A1NORTHWINDHG4Z/UK"
WAIT_S = 60.0

#: What a seller's own tool does with the variables: refresh the token at LWA, then call
#: getMarketplaceParticipations with the access token.
CALL_AMAZON = r"""
import os, sys, requests
token = requests.post(
    os.environ["LWA_TOKEN_URL"],
    data={
        "grant_type": "refresh_token",
        "refresh_token": os.environ["SP_API_REFRESH_TOKEN"],
        "client_id": os.environ["LWA_APP_ID"],
        "client_secret": os.environ["LWA_CLIENT_SECRET"],
    },
    timeout=30,
)
print("token:", token.status_code)
answer = requests.get(
    os.environ["SP_API_ENDPOINT"] + "/sellers/v1/marketplaceParticipations",
    headers={"x-amz-access-token": token.json()["access_token"]},
    timeout=30,
)
print("participations:", answer.status_code)
ids = sorted(p["marketplace"]["id"] for p in answer.json()["payload"])
print("marketplaces:", ",".join(ids))
sys.exit(0 if os.environ["SP_API_MARKETPLACE_ID"] in ids else 3)
"""

#: Counts the SIGINTs it receives until a SIGTERM, then exits 40 + SIGTERM. sigwaitinfo takes
#: each signal as it arrives, so a second SIGINT is counted, not merged into the first.
WAIT_FOR_SIGNALS = r"""
import signal, sys
wanted = {signal.SIGINT, signal.SIGTERM}
signal.pthread_sigmask(signal.SIG_BLOCK, wanted)
print("ready", flush=True)
interrupts = 0
while True:
    info = signal.sigwaitinfo(wanted)
    if info.si_signo == signal.SIGINT:
        interrupts += 1
        print("interrupted", interrupts, flush=True)
    else:
        print("terminated after", interrupts, "interrupts", flush=True)
        sys.exit(40 + info.si_signo)
"""


@pytest.fixture(autouse=True)
def _temp_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def exec_argv(channel: str, *command: str, demo: bool = True) -> list[str]:
    return [*(["--demo"] if demo else []), "exec", "--channel", channel, "--", *command]


def test_demo_exec_runs_a_client_against_the_simulator(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = dict(os.environ)
    code = main.main(exec_argv(HEALTHY, sys.executable, "-c", CALL_AMAZON))
    out, err = capfd.readouterr()
    assert (code, err) == (0, "")
    assert "token: 200\nparticipations: 200\nmarketplaces: ATVPDKIKX0DER\n" in out
    assert dict(os.environ) == before  # the credentials were never in our own environment
    assert list((tmp_path / "temp").iterdir()) == []  # the demo's folder is gone


def test_the_commands_exit_code_is_ours(capfd: pytest.CaptureFixture[str]) -> None:
    assert main.main(exec_argv(HEALTHY, sys.executable, "-c", "raise SystemExit(7)")) == 7
    killed = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    assert main.main(exec_argv(HEALTHY, sys.executable, "-c", killed)) == 128 + signal.SIGKILL
    assert capfd.readouterr().err == ""


def test_a_channel_that_needs_reauthorization_is_refused_and_nothing_runs(
    capfd: pytest.CaptureFixture[str],
) -> None:
    code = main.main(exec_argv(EXPIRED, sys.executable, "-c", "print('it ran')"))
    out, err = capfd.readouterr()
    assert code == REFUSED
    assert "it ran" not in out
    assert err.startswith(
        "error: The channel Northwind Home & Garden UK (Northwind Home & Garden) needs "
        "reauthorization (Expired). This connection ended on "
    )
    assert err.endswith(
        "Reauthorize it in SP Connect (select it, then Amazon > Reauthorize…), Save, then run "
        "the command again.\n"
    )


def test_an_ambiguous_channel_lists_the_candidates(capfd: pytest.CaptureFixture[str]) -> None:
    assert main.main(exec_argv("A1ALPINETRAIL7Q", "true")) == REFUSED
    err = capfd.readouterr().err
    assert err.startswith("error: 5 channels match 'A1ALPINETRAIL7Q':\n")
    assert err.count("A1ALPINETRAIL7Q/") == 5


def test_a_missing_or_unrunnable_command_is_said_plainly(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main.main(exec_argv(HEALTHY, "spconnect-no-such-command")) == NOT_FOUND
    assert capfd.readouterr().err == (
        "error: There is no command 'spconnect-no-such-command'.\n"
        "Check its name, or give its full path.\n"
    )
    script = tmp_path / "report.sh"
    script.write_text("#!/bin/sh\necho hello\n")
    script.chmod(0o600)  # not executable
    assert main.main(exec_argv(HEALTHY, str(script))) == CANNOT_RUN
    err = capfd.readouterr().err
    assert err.startswith(f"error: The command '{script}' cannot be run (Permission denied).\n")
    assert main.main(exec_argv(HEALTHY)) == 2
    assert "name the command to run after --" in capfd.readouterr().err


def test_without_a_keychain_the_credentials_cannot_be_read(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Every test here has keyring's fail backend: there is no keychain."""
    folder = tmp_path / "inventory"
    workspace = open_workspace(folder, secrets=MemorySecretStore())
    now = utcnow()
    inventory, values = demo_inventory(now, workspace.namespace)
    workspace.apply(changes.replace_all(inventory, values, now))
    workspace.save()
    workspace.close()
    code = main.main(["--data-dir", str(folder), *exec_argv(HEALTHY, "true", demo=False)])
    err = capfd.readouterr().err
    assert code == REFUSED
    assert err == (
        "error: SP Connect cannot read the channel's credentials: Secrets cannot be kept safely: "
        "No keychain was found on this computer.\n"
        "Install and unlock a keychain that provides the Secret Service (GNOME Keyring or "
        "KWallet), then restart SP Connect.\n"
    )
    # A channel that needs reauthorization is refused for that first, keychain or not.
    assert main.main(["--data-dir", str(folder), *exec_argv(EXPIRED, "true", demo=False)]) == 125
    assert "needs reauthorization (Expired)" in capfd.readouterr().err


def test_help_names_the_command_and_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main.main(["--help"])
    assert "exec" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main.main(["exec", "--help"])
    out = capsys.readouterr().out
    assert "--channel" in out
    assert "-- COMMAND [ARGS...]" in out


# --- signals, with real processes -------------------------------------------------------------


def _read_until(fd: int, marker: bytes, seen: bytearray) -> None:
    """Reads ``fd`` into ``seen`` until ``marker`` is in it (bounded by WAIT_S)."""
    deadline = time.monotonic() + WAIT_S
    while marker not in seen:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        if not ready:
            pytest.fail(f"no {marker!r} within {WAIT_S:g} s; got {bytes(seen)!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # a pty's end of file
            chunk = b""
        if not chunk:
            pytest.fail(f"the output ended before {marker!r}; got {bytes(seen)!r}")
        seen.extend(chunk)


def _kill_session(leader: int) -> None:
    """Ends what a test started in a session of its own: exec and its command, whatever
    happened (if the command outlived exec, it would be left running)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(leader, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_sent_to_us_reaches_the_command(sig: signal.Signals) -> None:
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *exec_argv(HEALTHY, sys.executable, "-c",
                                                           WAIT_FOR_SIGNALS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # no terminal: the signal comes from `kill`, not Ctrl+C
    )  # fmt: skip
    try:
        assert child.stdout is not None
        seen = bytearray()
        _read_until(child.stdout.fileno(), b"ready\n", seen)
        child.send_signal(sig)
        if sig == signal.SIGINT:
            _read_until(child.stdout.fileno(), b"interrupted 1\n", seen)
            child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=WAIT_S)
    finally:
        _kill_session(child.pid)
        child.wait()
    interrupts = 1 if sig == signal.SIGINT else 0
    assert f"terminated after {interrupts} interrupts" in (bytes(seen) + out).decode()
    assert child.returncode == 40 + signal.SIGTERM
    assert err == b""


def test_ctrl_c_in_the_terminal_reaches_the_command_once() -> None:
    """The terminal signals its whole foreground process group, the command included: exec must
    not send it a second SIGINT (which would cut the command's own clean-up short)."""
    argv = [
        sys.executable,
        str(ROOT / "main.py"),
        *exec_argv(HEALTHY, sys.executable, "-c", WAIT_FOR_SIGNALS),
    ]
    pid, terminal = pty.fork()
    if pid == 0:  # the child: a session of its own, on the new terminal
        try:
            os.execv(sys.executable, argv)  # noqa: S606 - our own main.py, no shell needed
        finally:
            os._exit(99)
    try:
        seen = bytearray()
        _read_until(terminal, b"ready", seen)
        os.write(terminal, b"\x03")  # Ctrl+C
        _read_until(terminal, b"interrupted 1", seen)
        # A second SIGINT, had exec sent one, is delivered before this SIGTERM (lower signals
        # first), so the count the command prints settles the question without waiting.
        os.kill(pid, signal.SIGTERM)
        _read_until(terminal, b"interrupts", seen)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(terminal)
        _kill_session(pid)
        with contextlib.suppress(ChildProcessError):  # already waited for
            os.waitpid(pid, 0)
    assert b"terminated after 1 interrupts" in seen
    assert os.waitstatus_to_exitcode(status) == 40 + signal.SIGTERM


#: Tells the test its pid through a FIFO once it is ready, then waits for SIGTERM.
WAIT_FOR_TERM = r"""
import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
with open(sys.argv[1], "w") as fifo:
    fifo.write(f"{os.getpid()}\n")
info = signal.sigwaitinfo({signal.SIGTERM})
sys.exit(40 + info.si_signo)
"""


def test_a_signal_that_lands_in_another_thread_still_reaches_the_command(tmp_path: Path) -> None:
    """The kernel gives a process's signal to any of its threads (in the demo, the simulator's
    too); a main thread blocked in waitpid would then never run the handler that passes it on."""
    fifo = tmp_path / "ready"
    os.mkfifo(fifo)
    returned = threading.Event()
    stuck: list[bool] = []

    def signal_from_another_thread() -> None:
        with open(fifo) as ready:
            line = ready.readline()
        if not line:  # the command never started
            return
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # this thread, not main
        if not returned.wait(WAIT_S):
            stuck.append(True)
            os.kill(int(line), signal.SIGKILL)

    helper = threading.Thread(target=signal_from_another_thread)
    helper.start()
    err = io.StringIO()
    try:
        code = run_child([sys.executable, "-c", WAIT_FOR_TERM, str(fifo)], dict(os.environ), err)
    finally:
        returned.set()
        # Still waiting to open the FIFO (the command never started)? Let it read nothing.
        with contextlib.suppress(OSError):  # ENXIO: it is not waiting there
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        helper.join()
    assert not stuck, "the SIGTERM was not passed on"
    assert (code, err.getvalue()) == (40 + signal.SIGTERM, "")
