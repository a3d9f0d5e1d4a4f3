"""After a full scripted flow, no secret value is anywhere it must never be.

The flow, against the simulator, with DEBUG logging of every logger to a file:

1. a consent through the session's real loopback listener (the browser is ``requests``), its
   grant applied and saved;
2. a second consent finished by pasting the address, saved (so the first grant is history);
3. Test connection (the service);
4. roll back to the first grant (:func:`core.domain.changes.roll_back_authorization`), saved;
5. a child process (:mod:`tests.faults.leak_child`) opens the inventory in a real main window
   (offscreen, settings persisted), self-authorizes by pasting a refresh token from the
   clipboard into the Reauthorize dialog, saves, tests the connection, closes the window,
   opens it again and is SIGKILLed in the middle of another Test connection (the crash).

Then the scan: every file of the data folder (``-wal`` and ``-shm`` included), the log file,
the QSettings folder (``XDG_CONFIG_HOME`` of the child), the child's stdout and stderr (crash
output) and what the child's clipboard held, for every value the simulator issued: the client
secret, the codes, the refresh tokens, and anything shaped like an access or refresh token
(``Atza|``/``Atzr|`` followed by token characters). The keychain stand-in
(:class:`tests.file_secret_store.FileSecretStore`, a folder outside the data folder) is where
secrets belong and is not scanned.
"""

from __future__ import annotations

import http.client
import logging
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from core.amazon.redirect import parse_redirect
from core.domain.changes import roll_back_authorization
from core.domain.marketplaces import Region
from core.services.checks import CheckRun, prepare
from core.services.consent.identity import NeedsConfirmation
from core.services.consent.session import Authorized, ConsentSession
from core.services.lanes import Lanes
from core.services.workspace import Workspace
from tests.faults._report import KindReport
from tests.file_secret_store import FileSecretStore
from tests.integration.consent_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    SELLER,
    simulator_workspace,
    start_amazon,
    uk_target,
)

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 20.0
CHILD_TIMEOUT_S = 120
TOKEN_SHAPE = re.compile(rb"Atz[ar]\|[A-Za-z0-9_-]{16}")


def run(count: int, seed: int) -> KindReport:
    report = KindReport("leak_scan")
    for n in range(count):
        with tempfile.TemporaryDirectory(prefix="spconnect-faults-leak-") as tmp:
            one_flow(report, Path(tmp), f"{seed}-{n}")
    return report


def one_flow(report: KindReport, tmp: Path, case_seed: str) -> None:
    log_file = tmp / "spconnect.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    secrets: set[str] = {CLIENT_SECRET}
    amazon = start_amazon()
    data, keys = tmp / "data", tmp / "keychain"
    store = FileSecretStore(keys)
    try:
        ws = simulator_workspace(data, amazon, store)
        try:
            first = consent(ws, secrets, paste=False)
            second = consent(ws, secrets, paste=True)
            if report.check(
                first is not None and second is not None, case_seed, "a consent did not finish"
            ):
                run = prepare(ws, ["uk", "de"])
                if isinstance(run, CheckRun):
                    run.start(Lanes.immediate())
                ws.apply(roll_back_authorization(["uk", "de", "fr", "it", "es"]))
                ws.save()
        finally:
            ws.close()
        token = amazon.sim.issue_refresh_token(SELLER, Region.EU, CLIENT_ID).reveal()
        secrets.add(token)
        (tmp / "token.txt").write_text(token, encoding="utf-8")  # Seller Central, not ours
        crash = crash_child(tmp, data, keys, log_file, case_seed)
        report.check(crash is not None, case_seed, "the crashing child did not die by SIGKILL")
    finally:
        amazon.sim.stop()
        root.removeHandler(handler)
        handler.close()
        root.setLevel(level)
    report.figures["values_searched"] = len(secrets)
    places = {"data folder": sorted(p for p in data.rglob("*") if p.is_file()),
              "log file": [log_file],
              "QSettings": sorted(p for p in (tmp / "config").rglob("*") if p.is_file()),
              "crash output": [tmp / "child.out", tmp / "child.err"],
              "clipboard": [tmp / "clipboard.txt"]}  # fmt: skip
    needles = [s.encode() for s in secrets if s]
    for place, files in places.items():
        found = scan(files, needles)
        report.check(not found, case_seed, f"a secret value in the {place}: {', '.join(found)}")
    report.figures["files_scanned"] = sum(len(f) for f in places.values())
    # The scan proves something only if it finds the values where they belong: the keychain.
    in_keychain = scan(sorted(keys.iterdir()), needles)
    report.check(bool(in_keychain), case_seed, "the scan found no secret even in the keychain")


def consent(ws: Workspace, secrets: set[str], *, paste: bool) -> Authorized | None:
    """One consent for Acme's UK channel, by the listener or by pasting; applied and saved."""
    session = ConsentSession(ws, uk_target(), listen=not paste)
    answers: queue.Queue[str] = queue.Queue()
    session.answered.connect(answers.put)
    try:
        url = session.link()
        address = browse(url)
        if paste:
            check = session.finish(address)
        else:
            browse(address)  # the browser reaches the listener
            query = answers.get(timeout=WAIT_S)
            taken = session.take_answer(query)
            if taken is None:
                return None
            check = taken
        secrets.add(parse_redirect(address).code.reveal())
        try:
            result = check.run()
        finally:
            session.ended(check)
        if isinstance(result, NeedsConfirmation):
            # Nothing was known of the account to compare with: the person confirms what
            # Amazon reports (issue 8, finding 1), as the scripted person here does.
            result = result.authorized
        if not isinstance(result, Authorized):
            return None
        secrets.add(result.refresh_token.reveal())
        if session.apply(result, session.coverage(result)) is not None:
            return None
        ws.save()
        return result
    finally:
        session.close()


def browse(url: str) -> str:
    """The person's browser: one GET, not following a redirect; where it would go next.

    Through ``http.client``, not ``requests``: urllib3 logs every URL at DEBUG, and the browser's
    URLs (the code is in them) are not SP Connect's to log; its own requests are.
    """
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=WAIT_S)
    try:
        conn.request("GET", f"{parts.path}?{parts.query}")
        answer = conn.getresponse()
        answer.read()
        return answer.getheader("Location") or ""
    finally:
        conn.close()


def crash_child(tmp: Path, data: Path, keys: Path, log_file: Path, case_seed: str) -> int | None:
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp / "config"), QT_QPA_PLATFORM="offscreen")
    with (tmp / "child.out").open("w") as out, (tmp / "child.err").open("w") as err:
        child = subprocess.run(
            [sys.executable, "-m", "tests.faults.leak_child", data, keys, log_file,
             tmp / "clipboard.txt", tmp / "token.txt", case_seed],
            cwd=ROOT, env=env, stdout=out, stderr=err, timeout=CHILD_TIMEOUT_S, check=False,
        )  # fmt: skip
    return child.returncode if child.returncode == -signal.SIGKILL else None


def scan(files: list[Path], needles: list[bytes]) -> list[str]:
    """Which files hold a needle or anything shaped like an access or refresh token."""
    found = []
    for path in files:
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            continue
        if any(n in content for n in needles) or TOKEN_SHAPE.search(content):
            found.append(path.name)
    return found
