"""End to end with a real browser and the real keychain: consent → hand-off page → listener → Save.

Headless Chromium opens the consent URL SP Connect built against the simulator (auto-confirm);
the simulator redirects to the vendor's hand-off page (``resources/handoff.html``, served here
by a tiny static server on 127.0.0.1 standing in for the vendor's HTTPS host, and registered as
the app's redirect URI); the page's script sends the tab on to the app's loopback listener. The
exchange and the checks run, the new grant becomes pending, and Save puts the refresh token in
the real Secret Service (GNOME Keyring on the private D-Bus session of ``scripts/test``) and only
its reference in SQLite.

Every test is marked ``chromium`` and runs in the offscreen step of ``bash scripts/test``; the
two that Save to the real keychain are also marked ``keychain`` and run in its private D-Bus
session. Either skips without what it needs (with ``CI=true`` the skip fails). Every wait is
bounded.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import keyring
import pytest

from core.amazon.consent import (
    Authorized,
    ConsentAttempts,
    WrongAccount,
    complete,
    consent_url,
    parse_redirect,
)
from core.amazon.listener import CallbackListener
from core.domain.marketplaces import by_country
from core.services.consent.coverage import authorization_change, coverage
from core.services.workspace import Workspace
from core.storage.keychain import SERVICE_NAME, KeyringSecretStore
from core.storage.resources import resource_path
from tests.integration.consent_support import (
    EU_CODES,
    OTHER,
    SELLER,
    Amazon,
    app_credentials,
    eu_workspace,
    start_amazon,
    uk_target,
)

pytestmark = pytest.mark.chromium

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_TIMEOUT_S = 60
WAIT_S = 30.0
RETURN_PATH = "/spapi/return"
RECEIVED = 'id="spconnect-received"'  # the listener's "return to SP Connect" page


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed ({CHROMIUM}): apt-get install chromium")


class VendorHost:
    """The vendor's web host: serves the hand-off page at RETURN_PATH, whatever the query."""

    def __init__(self, page: str) -> None:
        body = page.encode("utf-8")
        self.paths: list[str] = []
        paths = self.paths

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                paths.append(path)
                status = 200 if path == RETURN_PATH else 404
                payload = body if status == 200 else b"not found"
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Referrer-Policy", "no-referrer")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the request line holds Amazon's code

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{RETURN_PATH}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def _hand_off_page() -> str:
    return resource_path("handoff.html").read_text(encoding="utf-8")


@dataclass
class Setup:
    amazon: Amazon
    vendor: VendorHost


@pytest.fixture
def setup() -> Iterator[Setup]:
    vendor = VendorHost(_hand_off_page())
    amazon = start_amazon(vendor.url)
    amazon.sim.auto_confirm = True
    yield Setup(amazon, vendor)
    amazon.sim.stop()
    vendor.close()


def run_chromium(url: str, tmp_path: Path) -> str:
    """The DOM of the page headless Chromium ends on (a bounded run)."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        # Not the output itself: it may quote the address, which carries Amazon's code.
        pytest.fail(f"Chromium exited with status {done.returncode}")
    return done.stdout


@pytest.fixture
def keychain() -> KeyringSecretStore:
    return KeyringSecretStore(timeout_s=10.0)


def keychain_names() -> set[str]:
    """Every SP Connect entry in the real Secret Service, read around SP Connect's own code."""
    collection = keyring.get_keyring().get_preferred_collection()  # type: ignore[attr-defined]
    with closing(collection.connection):
        return {
            item.get_attributes()["username"]
            for item in collection.search_items({"service": SERVICE_NAME})
        }


@pytest.fixture
def workspace(tmp_path: Path, keychain: KeyringSecretStore) -> Iterator[Workspace]:
    opened = Workspace.open(tmp_path / "data", keychain)
    eu_workspace(opened).save()
    yield opened
    opened.close()


def _consent_in_chromium(
    setup: Setup, tmp_path: Path, attempts: ConsentAttempts, now: datetime
) -> tuple[str | None, bool]:
    """Runs the consent in Chromium; returns the listener's query and whether the tab ended on
    the listener's page."""
    app = app_credentials(setup.vendor.url)
    with CallbackListener(timeout_s=WAIT_S * 2) as listener:
        attempt = attempts.start(uk_target(), now=now, port=listener.port)
        url = consent_url(app, setup.amazon.sim.endpoints, by_country("UK"), attempt.state)
        dom = run_chromium(url, tmp_path)
        query = listener.wait(timeout=WAIT_S)
    return query, RECEIVED in dom


def _complete(setup: Setup, attempts: ConsentAttempts, query: str, now: datetime) -> Any:
    with setup.amazon.lwa() as lwa, setup.amazon.sellers() as sellers:
        return complete(
            attempts,
            parse_redirect(query),
            lwa=lwa,
            sellers=sellers,
            app=app_credentials(setup.vendor.url),
            now=now,
        )


def _data_files(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in folder.rglob("*") if p.is_file()]


@pytest.mark.keychain
def test_browser_consent_saved_to_the_real_keychain(
    setup: Setup, tmp_path: Path, workspace: Workspace, keychain: KeyringSecretStore
) -> None:
    now = datetime.now(UTC)
    attempts = ConsentAttempts()
    query, on_listener_page = _consent_in_chromium(setup, tmp_path, attempts, now)
    assert query is not None, "the hand-off page did not reach the listener"
    assert on_listener_page, "Chromium did not end on the listener's 'return to SP Connect' page"
    assert setup.vendor.paths[0] == RETURN_PATH  # it went through the vendor's page

    result = _complete(setup, attempts, query, now)
    assert isinstance(result, Authorized)
    assert result.seller_id == SELLER
    covered = coverage(workspace.current, uk_target(), result)
    assert set(covered.channel_ids) == {c.lower() for c in EU_CODES}
    before = keychain_names()
    for change in authorization_change(workspace, result, covered, now):
        workspace.apply(change)
    assert workspace.pending_channel_ids() == set(covered.channel_ids)
    assert keychain_names() == before  # pending: nothing in the keychain before Save

    ref = workspace.current.authorizations[result.authorization.id].refresh_token_ref
    assert ref is not None
    try:
        workspace.save()
        assert keychain_names() - before == {ref}
        assert keychain.get(ref) == result.refresh_token  # read back from the Secret Service
        data_dir = workspace.store.path.parent if workspace.store else tmp_path / "data"
        workspace.close()
        files = _data_files(data_dir)
        token = result.refresh_token.reveal().encode()
        if any(token in data for data in files):
            pytest.fail("the refresh token was written to the data folder")
        assert any(ref.encode() in data for data in files)  # only its reference is there
        reopened = Workspace.open(data_dir, keychain)
        try:
            saved = reopened.current.authorizations[result.authorization.id]
            assert saved.refresh_token_ref == ref
            assert reopened.current.channels["de"].authorization_id == saved.id
            assert reopened.secret(ref) == result.refresh_token
        finally:
            reopened.close()
    finally:
        keychain.delete(ref)


@pytest.mark.keychain
def test_browser_wrong_account_keeps_nothing(
    setup: Setup, tmp_path: Path, workspace: Workspace
) -> None:
    setup.amazon.sim.auto_confirm_seller_id = OTHER
    now = datetime.now(UTC)
    attempts = ConsentAttempts()
    before = keychain_names()
    query, on_listener_page = _consent_in_chromium(setup, tmp_path, attempts, now)
    assert query is not None
    assert on_listener_page

    result = _complete(setup, attempts, query, now)
    assert isinstance(result, WrongAccount)
    assert result.returned_seller_id == OTHER
    assert result.expected_seller_id == SELLER
    assert not workspace.is_dirty
    workspace.save()  # nothing to save
    assert keychain_names() == before
    assert setup.amazon.sim.count("/sellers/v1/marketplaceParticipations") == 0


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        (f"state=NoPortHere&selling_partner_id={SELLER}&spapi_oauth_code=x", "One more step"),
        ("", "did not receive an answer from Amazon"),
    ],
)
def test_hand_off_page_without_a_port_shows_the_address(
    tmp_path: Path, query: str, shown: str
) -> None:
    vendor = VendorHost(_hand_off_page())
    try:
        dom = run_chromium(f"{vendor.url}?{query}", tmp_path)
    finally:
        vendor.close()
    assert shown in dom
    assert 'id="copy-box" hidden' not in dom  # the address box is shown
    assert vendor.paths == [RETURN_PATH] or vendor.paths[0] == RETURN_PATH
