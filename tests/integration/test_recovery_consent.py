"""A consent against the simulator reconnects channels: the one failing 36 hours or more gets
its after-reconnection checklist with the consent's pending change, the others none; the
consent records the last success; the checklist and its ticks survive a restart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from core.amazon.consent import (
    Authorized,
    ConsentAttempts,
    complete,
    consent_url,
    parse_redirect,
)
from core.amazon.listener import CallbackListener
from core.domain import recovery
from core.domain.inventory import CheckResult, Health, Recovery
from core.services import recovery as ticks
from core.services.consent.coverage import authorization_change, coverage
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.integration.consent_support import (
    EU_CODES,
    Amazon,
    app_credentials,
    eu_workspace,
    start_amazon,
    uk_target,
)

WAIT_S = 10.0


@pytest.fixture
def amazon() -> Iterator[Amazon]:
    running = start_amazon()
    yield running
    running.sim.stop()


@pytest.fixture
def secrets() -> MemorySecretStore:
    return MemorySecretStore()


def consent(amazon: Amazon, now: datetime) -> Authorized:
    """One consent for Acme UK, the simulator redirecting straight to a loopback listener."""
    attempts = ConsentAttempts()
    with CallbackListener(timeout_s=60) as listener:
        app = app_credentials(redirect_uri=listener.url)
        attempt = attempts.start(uk_target(), now=now, port=listener.port)
        url = consent_url(app, amazon.sim.endpoints, uk_target().marketplace, attempt.state)
        assert requests.get(url, timeout=WAIT_S).status_code == 200
        query = listener.wait(timeout=WAIT_S)
    assert query is not None
    with amazon.lwa() as lwa, amazon.sellers() as sellers:
        result = complete(
            attempts, parse_redirect(query), lwa=lwa, sellers=sellers, app=app, now=now
        )
    assert isinstance(result, Authorized)
    return result


def test_a_consent_gives_a_checklist_only_to_the_channel_failing_36_hours(
    amazon: Amazon, tmp_path: Path, secrets: MemorySecretStore
) -> None:
    folder = tmp_path / "data"
    now = datetime.now(UTC)
    ws = eu_workspace(Workspace.open(folder, secrets))
    ws.save()
    # UK has been failing exactly 36 hours, DE a minute less; the others are healthy.
    failed = Health().after(CheckResult.OK, now - timedelta(days=3))
    ws.record_health(
        {
            "uk": failed.after(CheckResult.NEEDS_REAUTHORIZATION, now - timedelta(hours=36)),
            "de": failed.after(CheckResult.FAILED, now - timedelta(hours=35, minutes=59)),
            "fr": Health().after(CheckResult.OK, now - timedelta(hours=1)),
        }
    )

    result = consent(amazon, now)
    covered = coverage(ws.current, uk_target(), result)
    assert set(covered.channel_ids) == {c.lower() for c in EU_CODES}
    for change in authorization_change(ws, result, covered, now):
        ws.apply(change)
    # Pending with the grant: nothing of it is on disk, and it cannot be ticked yet.
    assert ws.saved.channels["uk"].health.recovery is None
    assert ticks.why_not(ws, "uk") is not None
    ws.save()
    ws.close()

    reopened = Workspace.open(folder, secrets)
    try:
        channels = reopened.current.channels
        assert channels["uk"].health.recovery == Recovery(now - timedelta(hours=36), now)
        for code in ("de", "fr", "it", "es"):
            assert channels[code].health.recovery is None, code
        for code in EU_CODES:  # the consent itself worked: the last success is now
            health = channels[code.lower()].health
            assert (health.result, health.last_ok_at) == (CheckResult.OK, now)
        ticks.tick(reopened, "uk", recovery.INVENTORY_SYNC, True)
    finally:
        reopened.close()

    again = Workspace.open(folder, secrets)
    try:
        kept = again.current.channels["uk"].health.recovery
        assert kept is not None
        assert kept.ticked == {recovery.INVENTORY_SYNC}
    finally:
        again.close()


def test_no_checklist_when_the_consent_reconnects_a_healthy_channel(
    amazon: Amazon, tmp_path: Path, secrets: MemorySecretStore
) -> None:
    now = datetime.now(UTC)
    ws = eu_workspace(Workspace.open(tmp_path / "data", secrets))
    try:
        ws.save()
        result = consent(amazon, now)
        covered = coverage(ws.current, uk_target(), result)
        changes = authorization_change(ws, result, covered, now)
        assert len(changes) == 1  # the grant alone
        for change in changes:
            ws.apply(change)
        ws.save()
        assert all(c.health.recovery is None for c in ws.current.channels.values())
    finally:
        ws.close()
