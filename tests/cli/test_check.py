"""``main.py check``: every authorization tested headless against a simulator, exit codes for cron.

The command reads its secrets from the OS keychain, so the exit-code tests run against the real
Secret Service (``keychain``); the demo runs on its own memory secrets and simulator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import main
from core.amazon.http import NeedsReauthorization
from core.domain import changes
from core.domain.errors import SecretStoreError
from core.domain.inventory import (
    GRANT_LIFETIME,
    Authorization,
    AuthSource,
    CheckResult,
    new_id,
    utcnow,
)
from core.domain.marketplaces import Region, by_country
from core.domain.secret import Secret
from core.domain.secret_refs import new_refresh_token_ref
from core.services import scheduled
from core.services.demo import open_demo
from core.services.workspace import Workspace
from core.storage.keychain import KeyringSecretStore, MemorySecretStore, SecretStore
from core.storage.store import Store
from tests.integration.consent_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    EU_CODES,
    SELLER,
    Amazon,
    simulator_workspace,
    start_amazon,
)

EU_IDS = tuple(c.lower() for c in EU_CODES)
SCHEMA_CHANNEL = {"id", "name", "company", "seller_id", "marketplace", "marketplace_id", "result"}
SCHEMA_RESULT = {"ok", "needs", "message", "tested", "expires_at", "checked_at"}


@pytest.fixture
def amazon() -> Iterator[Amazon]:
    running = start_amazon()
    yield running
    running.sim.stop()


def grant(
    workspace: Workspace,
    amazon: Amazon,
    channel_ids: tuple[str, ...] = EU_IDS,
    *,
    seller: str = SELLER,
    expires_in: timedelta = GRANT_LIFETIME,
) -> Secret:
    """A live simulated grant for ``channel_ids``, saved to ``workspace``'s keychain."""
    token = amazon.sim.issue_refresh_token(seller, Region.EU, CLIENT_ID)
    auth_id = new_id()
    auth = Authorization.new(
        seller,
        Region.EU,
        AuthSource.SELF_AUTHORIZATION,
        new_refresh_token_ref(workspace.namespace, auth_id),
        granted_at=utcnow() + expires_in - GRANT_LIFETIME,
        marketplace_ids=frozenset(by_country(c).id for c in EU_CODES),
        auth_id=auth_id,
    )
    workspace.apply(changes.set_authorization(auth, token, channel_ids))
    workspace.save()
    return token


def inventory_with_grant(folder: Path, amazon: Amazon, secrets: SecretStore) -> Secret:
    """A data folder with Acme's five EU channels on one live grant; closed again."""
    workspace = simulator_workspace(folder, amazon, secrets)
    try:
        return grant(workspace, amazon)
    finally:
        workspace.close()


def run_check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def saved_health(folder: Path, channel_id: str) -> CheckResult | None:
    other = Store.open(folder, read_only=True)
    try:
        return other.load().channels[channel_id].health.result
    finally:
        other.close()


def assert_schema(report: dict[str, Any]) -> None:
    assert report["version"] == scheduled.JSON_VERSION
    for channel in report["channels"]:
        assert set(channel) == SCHEMA_CHANNEL
        assert set(channel["result"]) == SCHEMA_RESULT
        assert isinstance(channel["result"]["ok"], bool)
        assert channel["result"]["message"]


# --- through main.main, reading the real keychain -----------------------------------------


@pytest.fixture
def keychain() -> KeyringSecretStore:
    return KeyringSecretStore(timeout_s=10.0)


@pytest.mark.keychain
def test_healthy_grants_exit_0_and_are_recorded(
    tmp_path: Path, amazon: Amazon, keychain: KeyringSecretStore, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    token = inventory_with_grant(folder, amazon, keychain)
    code, out, err = run_check(capsys, "--data-dir", str(folder), "check")
    assert code == scheduled.HEALTHY, out + err
    assert out.splitlines() == [
        f"Checked 1 authorization for 5 channels in {folder / 'inventory.sqlite3'}: 5 fine."
    ]
    assert amazon.sim.count("/auth/o2/token") == 1  # one test per authorization
    assert all(saved_health(folder, c) is CheckResult.OK for c in EU_IDS)
    for secret in (token.reveal(), CLIENT_SECRET):
        assert secret not in out + err


@pytest.mark.keychain
def test_a_revoked_grant_exits_1_with_one_line_per_channel(
    tmp_path: Path, amazon: Amazon, keychain: KeyringSecretStore, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    token = inventory_with_grant(folder, amazon, keychain)
    amazon.sim.revoke(SELLER)  # the seller removed the app: refreshing gets invalid_grant
    code, out, err = run_check(capsys, "--data-dir", str(folder), "check", "--json")
    assert code == scheduled.NEEDS_PERSON
    report = json.loads(out)
    assert_schema(report)
    assert report["exit_code"] == 1
    assert report["recorded"] is True
    assert {c["id"] for c in report["channels"]} == set(EU_IDS)
    for channel in report["channels"]:
        assert channel["seller_id"] == SELLER
        result = channel["result"]
        assert result["ok"] is False
        assert result["needs"] == "reauthorize"
        assert result["tested"] is True
        assert result["message"].startswith("Needs reauthorization: Amazon no longer accepts")
    uk = next(c for c in report["channels"] if c["id"] == "uk")
    assert uk["marketplace"] == "UK"
    assert uk["marketplace_id"] == by_country("UK").id
    assert amazon.sim.count("/auth/o2/token", status=400) == 1  # Amazon's own invalid_grant
    assert all(saved_health(folder, c) is CheckResult.NEEDS_REAUTHORIZATION for c in EU_IDS)
    for secret in (token.reveal(), CLIENT_SECRET):
        assert secret not in out + err
    # The plain summary: one line per channel that needs a person, then the total.
    code, out, _ = run_check(capsys, "--data-dir", str(folder), "check")
    lines = out.splitlines()
    assert code == 1
    assert len(lines) == 6
    assert lines[0].startswith(f"- Acme DE (Seller {SELLER}, DE): Needs reauthorization: ")
    assert lines[-1].endswith("0 fine, 5 need a person.")


@pytest.mark.keychain
def test_a_throttled_check_exits_1_and_says_try_later(
    tmp_path: Path, amazon: Amazon, keychain: KeyringSecretStore, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    token = inventory_with_grant(folder, amazon, keychain)
    # Amazon's usage plan: one request per ~17 minutes, and this seller's one was just spent.
    amazon.sim.set_rate_limits(0.001, 1)
    with amazon.lwa() as lwa, amazon.sellers() as sellers:
        sellers.marketplace_participations(lwa.refresh(token, Region.EU).access_token, Region.EU)
    code, out, err = run_check(capsys, "--data-dir", str(folder), "check", "--json")
    assert code == scheduled.NEEDS_PERSON
    report = json.loads(out)
    assert_schema(report)
    for channel in report["channels"]:
        result = channel["result"]
        assert (result["ok"], result["needs"], result["tested"]) == (False, "try_later", True)
        assert "Check again later" in result["message"]
        assert "17 minutes" in result["message"]  # what Amazon's rate limit asks for
    assert report["summary"].endswith("0 fine, 5 could not be checked (try later).")
    assert amazon.sim.count("/sellers/v1/marketplaceParticipations", status=429) == 1
    assert all(saved_health(folder, c) is CheckResult.FAILED for c in EU_IDS)
    assert token.reveal() not in out + err


@pytest.mark.keychain
def test_with_the_window_open_it_reports_but_records_nothing(
    tmp_path: Path, amazon: Amazon, keychain: KeyringSecretStore, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    inventory_with_grant(folder, amazon, keychain)
    amazon.sim.revoke(SELLER)
    window = Workspace.open(folder, keychain)  # holds the instance lock, as the window does
    try:
        code, out, err = run_check(capsys, "--data-dir", str(folder), "check", "--json")
    finally:
        window.close()
    assert code == scheduled.NEEDS_PERSON  # the report is complete all the same
    report = json.loads(out)
    assert report["recorded"] is False
    assert "window has this inventory open" in report["note"]
    assert "Not recorded" in err
    assert saved_health(folder, "uk") is None  # nothing written behind the window's back


# --- the demo, and the command's own errors ------------------------------------------------


def test_demo_check_json_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_check(capsys, "--demo", "check", "--json")
    assert code == scheduled.NEEDS_PERSON, err
    report = json.loads(out)  # ONE object: nothing else on stdout
    assert_schema(report)
    assert report["inventory"] == "the demo inventory"
    by_name = {c["name"]: c["result"] for c in report["channels"]}
    assert by_name["Little Acorn Toys AU"]["needs"] == "reauthorize"
    assert by_name["Little Acorn Toys AU"]["tested"] is True
    assert by_name["Summit Cycle Parts CA"] == by_name["Summit Cycle Parts CA"] | {
        "ok": True,
        "needs": None,
        "tested": True,
    }
    assert by_name["Golden Hive Honey Co. SE"]["tested"] is False  # nothing to test


def test_the_demo_simulator_really_revokes_a_grant() -> None:
    """The demo's refused grant fails at the simulator's token endpoint, not by stored health."""
    workspace = open_demo()
    try:
        sim = workspace.simulator
        assert sim is not None
        au = next(c for c in workspace.current.channels.values() if c.name.endswith(" AU"))
        before = au.health
        report = scheduled.check(workspace)
        after = workspace.current.channels[au.id].health
    finally:
        workspace.close()
    assert sim.count("/auth/o2/token", status=400) >= 1
    assert after.result is CheckResult.NEEDS_REAUTHORIZATION
    assert after.checked_at is not None
    assert after.checked_at != before.checked_at
    # LWA's invalid_grant in plain words: Amazon's answer, not the demo's stored message.
    assert after.message == NeedsReauthorization.default_message
    assert report.exit_code == scheduled.NEEDS_PERSON


def test_only_expiring_checks_only_what_ends_within_30_days(
    tmp_path: Path, amazon: Amazon, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = simulator_workspace(tmp_path / "data", amazon, MemorySecretStore())
    try:
        grant(workspace, amazon, ("uk", "de"), expires_in=timedelta(days=200))
        grant(workspace, amazon, ("fr",), expires_in=timedelta(days=12))
        report = scheduled.check(workspace, only_expiring=True)
        assert [c.id for c in report.channels] == ["fr"]
        (fr,) = report.channels
        assert (fr.ok, fr.needs, fr.tested) == (True, "reauthorize_soon", True)
        assert fr.message.startswith("Expires in 12 days")
        assert report.exit_code == scheduled.NEEDS_PERSON
        assert amazon.sim.count("/auth/o2/token") == 1
        # Everything: the two grants, and IT and ES with no authorization (not tested).
        everything = scheduled.check(workspace)
        assert {c.id: c.tested for c in everything.channels} == {
            "uk": True, "de": True, "fr": True, "it": False, "es": False,
        }  # fmt: skip
        assert everything.total.startswith("Checked 2 authorizations for 5 channels")
    finally:
        workspace.close()


def test_only_expiring_with_nothing_expiring_exits_0(tmp_path: Path, amazon: Amazon) -> None:
    workspace = simulator_workspace(tmp_path / "data", amazon, MemorySecretStore())
    try:
        grant(workspace, amazon)
        report = scheduled.check(workspace, only_expiring=True)
    finally:
        workspace.close()
    assert report.channels == []
    assert report.exit_code == scheduled.HEALTHY
    assert report.total.startswith("No authorization ends within 30 days")
    assert amazon.sim.count("/auth/o2/token") == 0


def test_without_a_keychain_it_exits_2_and_says_so(
    tmp_path: Path, amazon: Amazon, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    inventory_with_grant(folder, amazon, MemorySecretStore())
    # Tests run on keyring's "fail" backend: there is no keychain to read the secrets from.
    code, out, err = run_check(capsys, "--data-dir", str(folder), "check", "--json")
    assert code == scheduled.OWN_ERROR
    body = json.loads(out)
    assert body["exit_code"] == 2
    assert body["error"]["message"]
    assert body["error"]["next_step"]
    assert err.startswith("error: ")
    assert amazon.sim.count() == 0


def test_a_missing_inventory_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_check(capsys, "--data-dir", str(tmp_path / "nothing"), "check")
    assert code == scheduled.OWN_ERROR
    assert out == ""
    assert "There is no inventory" in err


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main.main(["check", "--no-such-option"])
    assert stop.value.code == 2
    assert "error" in capsys.readouterr().err


class LockedStore(MemorySecretStore):
    def get(self, name: str) -> Secret | None:
        raise SecretStoreError("The keychain is locked.", "Unlock it, then try again.")


def test_a_locked_keychain_stops_the_check_with_its_reason(tmp_path: Path, amazon: Amazon) -> None:
    """Exit 2 in main.py: the check could not run (nothing reached Amazon, nothing recorded)."""
    workspace = simulator_workspace(tmp_path / "data", amazon, MemorySecretStore())
    try:
        grant(workspace, amazon)
        workspace.secrets = LockedStore()
        with pytest.raises(SecretStoreError) as stopped:
            scheduled.check(workspace)
        assert workspace.current.channels["uk"].health.checked_at is None
    finally:
        workspace.close()
    assert stopped.value.message == "The keychain is locked."
    assert amazon.sim.count() == 0
