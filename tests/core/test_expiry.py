"""Expiry ahead of time: the steps at their day boundaries, the confirmed end date, Save."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from core.domain import changes as ch
from core.domain import dates
from core.domain.app_rules import app_secret_status, renewal_text
from core.domain.errors import ValidationError
from core.domain.expiry import ExpiryStep, expiry_step
from core.domain.expiry_changes import check_confirmed_expiry, confirm_expiry
from core.domain.inventory import (
    CLIENT_SECRET_LIFETIME,
    GRANT_LIFETIME,
    AppCredentials,
    Inventory,
)
from core.domain.secret import Secret
from core.domain.secret_refs import new_refresh_token_ref
from core.domain.status import ChannelStatus, HealthKind, Severity, channel_status
from core.domain.summary import Category, category
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.core.factories import authorization, channel, company
from tests.zones import AUCKLAND, LOS_ANGELES

#: A quarter past nine in the morning, local time (UTC in these tests unless a zone is set).
NOW = datetime(2026, 6, 10, 9, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _utc(local_time_zone: Callable[[str], None]) -> None:
    local_time_zone("UTC0")


def ends_on(day: date, hour: int = 15) -> datetime:
    """A grant that ends at ``hour`` local time on ``day``: granted 365 days before."""
    return datetime(day.year, day.month, day.day, hour).astimezone(UTC)


def status_on(
    ends: datetime, now: datetime = NOW, *, confirmed: date | None = None
) -> ChannelStatus:
    """The status of one channel whose grant ends at ``ends`` (or on ``confirmed``), at ``now``."""
    inv = Inventory()
    auth = authorization(granted=ends - GRANT_LIFETIME)
    inv.authorizations[auth.id] = auth
    inv.companies["c1"] = company()
    inv.channels["ch1"] = channel(authorization_id=auth.id)
    if confirmed is not None:
        touched = confirm_expiry(auth.id, confirmed, now).apply(inv)
        assert touched.channels == {"ch1"}
    return channel_status(inv.channels["ch1"], inv, now)


TODAY = NOW.date()


@pytest.mark.parametrize(
    ("days_ahead", "text", "kind"),
    [
        (31, None, None),
        (30, "Expires in 30 days", HealthKind.EXPIRES_SOON),
        (29, "Expires in 29 days", HealthKind.EXPIRES_SOON),
        (8, "Expires in 8 days", HealthKind.EXPIRES_SOON),
        (7, "Urgent: 7 days left", HealthKind.EXPIRES_URGENT),
        (1, "Urgent: 1 day left", HealthKind.EXPIRES_URGENT),
        (-1, "Expired", HealthKind.EXPIRED),  # ended yesterday
        (-200, "Expired", HealthKind.EXPIRED),
    ],
)
def test_badges_at_the_day_boundaries(days_ahead: int, text: str | None, kind: HealthKind) -> None:
    # The hour of the end does not matter: only the local date does.
    for hour in (0, 9, 23):
        status = status_on(ends_on(TODAY + timedelta(days=days_ahead), hour))
        assert [b.text for b in status.health] == ([text] if text else [])
        assert status.expires_in_days == days_ahead
        if kind is not None:
            assert status.badge(kind) is not None


def test_urgent_is_an_error_in_other_words_not_only_another_colour() -> None:
    soon = status_on(ends_on(TODAY + timedelta(days=8)))
    urgent = status_on(ends_on(TODAY + timedelta(days=7)))
    assert (soon.severity, urgent.severity) == (Severity.WARNING, Severity.ERROR)
    assert soon.health[0].text.startswith("Expires")
    assert urgent.health[0].text.startswith("Urgent")
    assert "now" in urgent.health[0].detail
    # Both still work: they count as expiring, not as needing reauthorization yet.
    assert category(soon) is category(urgent) is Category.EXPIRING
    assert not urgent.needs_reauthorization


def test_the_end_day_says_today_until_the_moment_then_expired() -> None:
    ends = ends_on(TODAY, hour=15)
    before = status_on(ends, NOW)
    after = status_on(ends, ends_on(TODAY, hour=16))
    assert [b.text for b in before.health] == ["Urgent: ends today"]
    assert [b.text for b in after.health] == ["Expired"]
    assert after.needs_reauthorization


def test_counts_move_at_local_midnight_not_at_the_hour_of_the_grant(
    local_time_zone: Callable[[str], None],
) -> None:
    local_time_zone(LOS_ANGELES)
    ends = ends_on(date(2026, 7, 10), hour=15)  # 15:00 Los Angeles time
    late = datetime(2026, 6, 9, 23, 59).astimezone(UTC)
    early = datetime(2026, 6, 10, 0, 1).astimezone(UTC)
    assert status_on(ends, late).health == ()  # 31 days: nothing to say yet
    assert status_on(ends, early).health[0].text == "Expires in 30 days"


def test_a_confirmed_date_overrides_granted_plus_365() -> None:
    granted_ends = ends_on(TODAY + timedelta(days=200))
    assert status_on(granted_ends).health == ()
    confirmed = status_on(granted_ends, confirmed=TODAY + timedelta(days=20))
    assert [b.text for b in confirmed.health] == ["Expires in 20 days"]
    assert "the date Seller Central shows" in confirmed.health[0].detail
    later = status_on(ends_on(TODAY + timedelta(days=3)), confirmed=TODAY + timedelta(days=40))
    assert later.health == ()  # a later confirmed date wins too


def test_a_confirmed_date_is_the_start_of_that_local_day(
    local_time_zone: Callable[[str], None],
) -> None:
    local_time_zone(AUCKLAND)
    now = datetime(2026, 6, 10, 23, 30).astimezone(UTC)
    granted_ends, seen = ends_on(date(2027, 1, 1)), date(2026, 6, 11)
    status = status_on(granted_ends, now, confirmed=seen)
    assert [b.text for b in status.health] == ["Urgent: 1 day left"]
    midnight = datetime(2026, 6, 11, 0, 0).astimezone(UTC)
    assert [b.text for b in status_on(granted_ends, midnight, confirmed=seen).health] == ["Expired"]


@pytest.mark.parametrize(
    ("days", "ended", "step"),
    [
        (31, False, ExpiryStep.LATER),
        (30, False, ExpiryStep.SOON),
        (8, False, ExpiryStep.SOON),
        (7, False, ExpiryStep.URGENT),
        (0, False, ExpiryStep.URGENT),
        (0, True, ExpiryStep.EXPIRED),
        (-1, True, ExpiryStep.EXPIRED),
    ],
)
def test_expiry_steps(days: int, ended: bool, step: ExpiryStep) -> None:
    assert expiry_step(days, ended=ended) is step


@pytest.mark.parametrize(
    ("days_ahead", "banner", "note"),
    [
        (31, None, "Renew by"),
        (30, "Client secret expires in 30 days", "Renew it soon"),
        (8, "Client secret expires in 8 days", "Renew it soon"),
        (7, "Urgent: client secret expires in 7 days", "Urgent: renew it now"),
        (1, "Urgent: client secret expires in 1 day", "Urgent: renew it now"),
        (-1, "Client secret expired", "This client secret expired"),
    ],
)
def test_the_client_secret_takes_the_same_steps(
    days_ahead: int, banner: str | None, note: str
) -> None:
    app = AppCredentials(
        secret_issued_at=ends_on(TODAY + timedelta(days=days_ahead)) - CLIENT_SECRET_LIFETIME
    )
    badge = app_secret_status(app, NOW)
    assert (badge.text if badge else None) == banner
    assert renewal_text(app, NOW).startswith(note)


# --- the confirmed date as a change -----------------------------------------------------------


def test_the_confirmed_date_is_checked_in_plain_words() -> None:
    auth = authorization(granted=NOW - timedelta(days=100))
    ok = check_confirmed_expiry(auth, TODAY + timedelta(days=100), NOW)
    assert ok == []
    (before_grant,) = check_confirmed_expiry(auth, TODAY - timedelta(days=101), NOW)
    assert "cannot end before" in before_grant.message
    assert not before_grant.warning
    (too_far,) = check_confirmed_expiry(auth, TODAY + timedelta(days=367), NOW)
    assert "Check the year" in too_far.message
    assert check_confirmed_expiry(auth, TODAY + timedelta(days=366), NOW) == []
    (passed,) = check_confirmed_expiry(auth, TODAY - timedelta(days=2), NOW)
    assert passed.warning  # it happens: Seller Central shows an ended grant too
    old = authorization(granted=NOW - timedelta(days=400))
    (long_ago,) = check_confirmed_expiry(old, TODAY - timedelta(days=91), NOW)
    assert "more than 90 days ago" in long_ago.message


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.open(tmp_path, MemorySecretStore())
    w.apply(ch.add_company(company()))
    w.apply(ch.add_channel(channel()))
    w.apply(ch.add_channel(channel("ch2", marketplace_id="A2EUQ1WTGCTBG2", name="Acme CA")))
    ref = new_refresh_token_ref(w.namespace, "a1")
    grant = authorization("a1", ref=ref, granted=NOW - timedelta(days=10))
    w.apply(ch.set_authorization(grant, Secret("Atzr|token-a1"), ["ch1", "ch2"]))
    w.save()
    yield w
    w.close()


def test_a_confirmed_date_is_pending_until_save_and_survives_a_reopen(
    ws: Workspace, tmp_path: Path
) -> None:
    confirmed = TODAY + timedelta(days=25)
    ws.apply(confirm_expiry("a1", confirmed, NOW))
    assert ws.pending_channel_ids() == {"ch1", "ch2"}  # both share the grant
    ws.save()
    secrets = ws.secrets
    ws.close()
    again = Workspace.open(tmp_path, secrets)
    try:
        auth = again.current.authorizations["a1"]
        assert auth.expiry_confirmed
        assert dates.local_day(auth.expires_at) == confirmed
        assert auth.expires_at == dates.start_of_local_day(confirmed)
        status = channel_status(again.current.channels["ch1"], again.current, NOW)
        assert [b.text for b in status.health] == ["Expires in 25 days"]
        # Clearing goes back to 365 days from the grant, and is saved the same way.
        again.apply(confirm_expiry("a1", None, NOW))
        again.save()
        cleared = again.current.authorizations["a1"]
        assert not cleared.expiry_confirmed
        assert cleared.expires_at == cleared.granted_at + GRANT_LIFETIME
    finally:
        again.close()


def test_a_refused_date_leaves_nothing_pending(ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="Check the year"):
        ws.apply(confirm_expiry("a1", TODAY + timedelta(days=3650), NOW))
    assert not ws.is_dirty
    assert not ws.current.authorizations["a1"].expiry_confirmed


def test_the_demo_shows_what_expires_next_and_when_the_secret_is_due() -> None:
    from core.domain.samples import demo_inventory

    inv, _ = demo_inventory(NOW, "ns")
    statuses = {c.name: channel_status(c, inv, NOW) for c in inv.channels.values()}
    texts = {name: [b.text for b in s.health] for name, s in statuses.items()}
    assert texts["Maple & Moss Stationery DE"] == ["Urgent: 5 days left"]
    maple = inv.authorization_of(
        next(c for c in inv.channels.values() if c.name == "Maple & Moss Stationery DE")
    )
    assert maple is not None
    assert maple.expiry_confirmed  # the date from Seller Central, earlier than 365 days
    assert maple.expires_at < maple.granted_at + GRANT_LIFETIME
    assert texts["Alpine Trail Outfitters UK"] == ["Expires in 19 days"]  # 09:15 + 19.5 days
    secret = app_secret_status(inv.app, NOW)
    assert secret is not None
    assert secret.kind is HealthKind.EXPIRES_SOON  # the client secret's renewal is near
