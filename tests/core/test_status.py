"""Badges and health overlays derived from a channel, and the summary counts built on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.domain.inventory import (
    GRANT_LIFETIME,
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Health,
    Inventory,
)
from core.domain.marketplaces import Region
from core.domain.status import (
    DEFAULT_WARN_DAYS,
    FAILING_WARN,
    ApiBadge,
    HealthKind,
    Severity,
    channel_status,
    failing_too_long,
)
from core.domain.summary import Summary, summarize

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
US = "ATVPDKIKX0DER"
SELLER = "A2EXAMPLEUS7QZ"
OTHER = "A9OTHERSELLER1"
K = HealthKind
DAY = timedelta(days=1)


def make_channel(
    *,
    mws: bool = False,
    auth: bool = True,
    expires_in: timedelta = 200 * DAY,
    seller: str | None = SELLER,
    auth_seller: str = SELLER,
    result: CheckResult | None = None,
    failing_for: timedelta | None = None,
    channel_id: str = "ch1",
    inventory: Inventory | None = None,
) -> tuple[Channel, Inventory]:
    """One US channel (added to ``inventory``) with exactly the conditions asked for."""
    inv = inventory if inventory is not None else Inventory()
    auth_id = None
    if auth:
        granted = NOW + expires_in - GRANT_LIFETIME
        grant = Authorization.new(
            auth_seller, Region.NA, AuthSource.CONSENT, "ns/a", granted, auth_id=f"a-{channel_id}"
        )
        inv.authorizations[grant.id] = grant
        auth_id = grant.id
    since = None if failing_for is None else NOW - failing_for
    health = Health(NOW, result, since) if result is not None else Health()
    channel = Channel(
        channel_id,
        "c1",
        US,
        seller_id=seller,
        authorization_id=auth_id,
        mws_merchant_token=SELLER if mws else None,
        mws_auth_token_ref="ns/mws" if mws else None,
        health=health,
    )
    inv.channels[channel.id] = channel
    return channel, inv


@pytest.mark.parametrize(
    ("mws", "auth", "api", "severity", "needs_consent"),
    [
        (True, False, ApiBadge.MWS, Severity.ERROR, True),
        (True, True, ApiBadge.HYBRID, Severity.OK, False),
        (False, True, ApiBadge.SP_API, Severity.OK, False),
        (False, False, ApiBadge.NOT_CONNECTED, Severity.WARNING, True),
    ],
)
def test_api_badge_from_mws_and_authorization(
    mws: bool, auth: bool, api: ApiBadge, severity: Severity, needs_consent: bool
) -> None:
    channel, inv = make_channel(mws=mws, auth=auth)
    st = channel_status(channel, inv, NOW)
    assert st.api is api
    assert st.health == ()
    assert st.severity is severity
    assert st.needs_reauthorization is needs_consent


@pytest.mark.parametrize(
    ("api", "text"),
    [
        (ApiBadge.MWS, "MWS"),
        (ApiBadge.HYBRID, "MWS/SP-API"),
        (ApiBadge.SP_API, "SP-API"),
        (ApiBadge.NOT_CONNECTED, "Not connected"),
    ],
)
def test_api_badge_text(api: ApiBadge, text: str) -> None:
    assert str(api) == text


def test_authorization_missing_from_inventory_counts_as_not_connected() -> None:
    channel, inv = make_channel()
    inv.authorizations.clear()
    st = channel_status(channel, inv, NOW)
    assert st.api is ApiBadge.NOT_CONNECTED
    assert st.expires_in_days is None


# Each overlay alone: (conditions, kind, badge text, severity, seller must consent)
SINGLE = [
    ({"expires_in": 12 * DAY}, K.EXPIRES_SOON, "Expires in 12 days", Severity.WARNING, False),
    ({"expires_in": -DAY}, K.EXPIRED, "Expired", Severity.ERROR, True),
    (
        {"result": CheckResult.NEEDS_REAUTHORIZATION},
        K.NEEDS_REAUTHORIZATION,
        "Needs reauthorization",
        Severity.ERROR,
        True,
    ),
    ({"result": CheckResult.WRONG_ACCOUNT}, K.WRONG_ACCOUNT, "Wrong account", Severity.ERROR, True),
    ({"auth_seller": OTHER}, K.WRONG_ACCOUNT, "Wrong account", Severity.ERROR, True),
    ({"result": CheckResult.FAILED}, K.CHECK_FAILED, "Check failed", Severity.WARNING, False),
    (
        {"result": CheckResult.APP_CREDENTIALS},
        K.APP_CREDENTIALS,
        "App credentials",
        Severity.ERROR,
        False,
    ),
    ({"pending": True}, K.UNSAVED, "Unsaved", Severity.INFO, False),
]


@pytest.mark.parametrize(("conditions", "kind", "text", "severity", "needs_consent"), SINGLE)
def test_each_overlay_alone(
    conditions: dict[str, Any],
    kind: HealthKind,
    text: str,
    severity: Severity,
    needs_consent: bool,
) -> None:
    kw = dict(conditions)
    pending = bool(kw.pop("pending", False))
    channel, inv = make_channel(**kw)
    st = channel_status(channel, inv, NOW, pending=pending)
    assert st.api is ApiBadge.SP_API
    assert [(b.kind, b.text) for b in st.health] == [(kind, text)]
    assert st.severity is severity
    assert st.health[0].severity is severity
    assert st.needs_reauthorization is needs_consent
    assert st.text == f"SP-API, {text}"


@pytest.mark.parametrize(("conditions", "kind", "text", "severity", "needs_consent"), SINGLE)
def test_every_overlay_explains_itself_in_plain_words(
    conditions: dict[str, Any],
    kind: HealthKind,
    text: str,
    severity: Severity,
    needs_consent: bool,
) -> None:
    kw = dict(conditions)
    pending = bool(kw.pop("pending", False))
    channel, inv = make_channel(**kw)
    (badge,) = channel_status(channel, inv, NOW, pending=pending).health
    assert badge.detail.endswith(".")
    assert len(badge.detail) > 40
    for jargon in ("None", "invalid_grant", "invalid_client", "refresh token", "LWA"):
        assert jargon not in badge.detail


def test_ok_result_shows_no_overlay() -> None:
    channel, inv = make_channel(result=CheckResult.OK)
    st = channel_status(channel, inv, NOW)
    assert st.health == ()
    assert st.severity is Severity.OK


@pytest.mark.parametrize(
    ("conditions", "pending", "api", "kinds", "severity", "needs_consent"),
    [
        (
            {"expires_in": -3 * DAY, "auth_seller": OTHER},
            False,
            ApiBadge.SP_API,
            (K.WRONG_ACCOUNT, K.EXPIRED),
            Severity.ERROR,
            True,
        ),
        (
            {"expires_in": 12 * DAY},
            True,
            ApiBadge.SP_API,
            (K.EXPIRES_SOON, K.UNSAVED),
            Severity.WARNING,
            False,
        ),
        (
            {"expires_in": 5 * DAY},
            False,
            ApiBadge.SP_API,
            (K.EXPIRES_URGENT,),
            Severity.ERROR,
            False,
        ),
        (
            {"expires_in": 12 * DAY, "result": CheckResult.FAILED},
            False,
            ApiBadge.SP_API,
            (K.EXPIRES_SOON, K.CHECK_FAILED),
            Severity.WARNING,
            False,
        ),
        (
            {"expires_in": -DAY, "result": CheckResult.NEEDS_REAUTHORIZATION},
            False,
            ApiBadge.SP_API,
            (K.EXPIRED, K.NEEDS_REAUTHORIZATION),
            Severity.ERROR,
            True,
        ),
        (
            {"mws": True, "expires_in": 9 * DAY, "result": CheckResult.APP_CREDENTIALS},
            False,
            ApiBadge.HYBRID,
            (K.APP_CREDENTIALS, K.EXPIRES_SOON),
            Severity.ERROR,
            False,
        ),
        (
            {"mws": True, "auth": False},
            True,
            ApiBadge.MWS,
            (K.UNSAVED,),
            Severity.ERROR,
            True,
        ),
        (
            {"auth": False, "result": CheckResult.WRONG_ACCOUNT},
            False,
            ApiBadge.NOT_CONNECTED,
            (K.WRONG_ACCOUNT,),
            Severity.ERROR,
            True,
        ),
        (
            {"auth_seller": OTHER, "result": CheckResult.WRONG_ACCOUNT},
            True,
            ApiBadge.SP_API,
            (K.WRONG_ACCOUNT, K.UNSAVED),  # the two reasons show one badge
            Severity.ERROR,
            True,
        ),
        (
            {"result": CheckResult.FAILED},
            True,
            ApiBadge.SP_API,
            (K.CHECK_FAILED, K.UNSAVED),
            Severity.WARNING,
            False,
        ),
    ],
)
def test_overlay_combinations(
    conditions: dict[str, Any],
    pending: bool,
    api: ApiBadge,
    kinds: tuple[HealthKind, ...],
    severity: Severity,
    needs_consent: bool,
) -> None:
    channel, inv = make_channel(**conditions)
    st = channel_status(channel, inv, NOW, pending=pending)
    assert st.api is api
    assert tuple(b.kind for b in st.health) == kinds
    assert st.kinds == frozenset(kinds)
    assert st.severity is severity
    assert st.needs_reauthorization is needs_consent


@pytest.mark.parametrize(
    ("remaining", "warn_days", "badge", "days"),
    [
        # NOW is noon: counts are local calendar days, so 11 hours more is still the same day.
        (200 * DAY, DEFAULT_WARN_DAYS, None, 200),
        (31 * DAY, DEFAULT_WARN_DAYS, None, 31),
        (30 * DAY + timedelta(hours=12), DEFAULT_WARN_DAYS, None, 31),  # 00:00 the day after
        (30 * DAY + timedelta(hours=11), DEFAULT_WARN_DAYS, "Expires in 30 days", 30),
        (30 * DAY, DEFAULT_WARN_DAYS, "Expires in 30 days", 30),
        (29 * DAY + timedelta(hours=1), DEFAULT_WARN_DAYS, "Expires in 29 days", 29),
        (12 * DAY, DEFAULT_WARN_DAYS, "Expires in 12 days", 12),
        (8 * DAY, DEFAULT_WARN_DAYS, "Expires in 8 days", 8),
        (7 * DAY, DEFAULT_WARN_DAYS, "Urgent: 7 days left", 7),
        (DAY + timedelta(hours=11), DEFAULT_WARN_DAYS, "Urgent: 1 day left", 1),
        (DAY, DEFAULT_WARN_DAYS, "Urgent: 1 day left", 1),
        (timedelta(seconds=1), DEFAULT_WARN_DAYS, "Urgent: ends today", 0),
        (timedelta(0), DEFAULT_WARN_DAYS, "Expired", 0),
        (-timedelta(seconds=1), DEFAULT_WARN_DAYS, "Expired", 0),
        (-DAY, DEFAULT_WARN_DAYS, "Expired", -1),
        (-10.5 * DAY, DEFAULT_WARN_DAYS, "Expired", -10),
        (8 * DAY, 7, None, 8),
        (7 * DAY, 7, "Urgent: 7 days left", 7),
        (DAY, 0, None, 1),
        (-DAY, 0, "Expired", -1),
    ],
)
def test_expiry_boundaries(
    local_time_zone: Callable[[str], None],
    remaining: timedelta,
    warn_days: int,
    badge: str | None,
    days: int,
) -> None:
    local_time_zone("UTC0")
    channel, inv = make_channel(expires_in=remaining)
    st = channel_status(channel, inv, NOW, warn_days=warn_days)
    assert [b.text for b in st.health] == ([badge] if badge else [])
    assert st.expires_in_days == days


def test_expiry_detail_names_the_date() -> None:
    channel, inv = make_channel(expires_in=-10 * DAY)
    (badge,) = channel_status(channel, inv, NOW).health
    assert "19 Feb 2026" in badge.detail


@pytest.mark.parametrize(
    ("expected", "authorized", "wrong"),
    [
        (SELLER, SELLER, False),
        (SELLER, SELLER.lower(), False),
        (f" {SELLER.lower()} ", SELLER, False),
        (SELLER, OTHER, True),
        (SELLER.lower(), OTHER.lower(), True),
        (None, OTHER, False),  # nothing expected: nothing to compare
        ("", OTHER, False),
    ],
)
def test_wrong_account_when_authorized_seller_differs(
    expected: str | None, authorized: str, wrong: bool
) -> None:
    channel, inv = make_channel(seller=expected, auth_seller=authorized)
    st = channel_status(channel, inv, NOW)
    assert (K.WRONG_ACCOUNT in st.kinds) is wrong
    assert st.needs_reauthorization is wrong


def test_wrong_account_detail_names_both_accounts() -> None:
    channel, inv = make_channel(auth_seller=OTHER)
    badge = channel_status(channel, inv, NOW).badge(K.WRONG_ACCOUNT)
    assert badge is not None
    assert OTHER in badge.detail
    assert SELLER in badge.detail


@pytest.mark.parametrize(
    ("result", "failing_for", "too_long"),
    [
        (CheckResult.FAILED, FAILING_WARN - timedelta(minutes=1), False),  # 35 h 59 min
        (CheckResult.FAILED, FAILING_WARN, True),  # exactly 36 hours: the warning starts
        (CheckResult.FAILED, FAILING_WARN + timedelta(seconds=1), True),
        (CheckResult.FAILED, 2 * DAY, True),
        (CheckResult.FAILED, timedelta(hours=3), False),
        (CheckResult.FAILED, None, False),
        (CheckResult.NEEDS_REAUTHORIZATION, timedelta(hours=50), True),
        (CheckResult.APP_CREDENTIALS, timedelta(hours=40), True),
        (CheckResult.WRONG_ACCOUNT, timedelta(hours=40), True),
        (CheckResult.OK, 3 * DAY, False),  # working again: an old failure no longer counts
        (None, 3 * DAY, False),
    ],
)
def test_failing_too_long(
    result: CheckResult | None, failing_for: timedelta | None, too_long: bool
) -> None:
    channel, _ = make_channel()
    since = None if failing_for is None else NOW - failing_for
    channel = replace(channel, health=Health(NOW, result, since))
    assert failing_too_long(channel, NOW) is too_long


@pytest.mark.parametrize(
    ("result", "failing_for", "warns"),
    [
        (CheckResult.FAILED, timedelta(hours=37), True),
        (CheckResult.FAILED, timedelta(hours=35), False),
        (CheckResult.NEEDS_REAUTHORIZATION, timedelta(hours=48), True),
        (CheckResult.NEEDS_REAUTHORIZATION, timedelta(hours=2), False),
    ],
)
def test_long_failure_warns_about_orders_in_its_own_badge(
    result: CheckResult, failing_for: timedelta, warns: bool
) -> None:
    channel, inv = make_channel(result=result, failing_for=failing_for)
    status = channel_status(channel, inv, NOW)
    assert "failing since" in status.health[0].detail
    gap = status.badge(K.ORDERS_GAP)
    assert (gap is not None) is warns
    if gap is not None:
        assert gap.text == "Orders may be missing"
        assert "entered by hand" in gap.detail


def test_check_failed_detail_includes_the_recorded_message() -> None:
    channel, inv = make_channel()
    channel = replace(channel, health=Health(NOW, CheckResult.FAILED, NOW, "Amazon timed out"))
    (badge,) = channel_status(channel, inv, NOW).health
    assert "Amazon timed out." in badge.detail


def summary_inventory() -> Inventory:
    inv = Inventory()
    failed = CheckResult.FAILED
    cases: dict[str, dict[str, Any]] = {
        "mws": {"mws": True, "auth": False},
        "expired": {"expires_in": -DAY},
        "expired-failing": {"expires_in": -DAY, "result": failed},
        "soon": {"expires_in": 9 * DAY},
        "soon-failed": {"expires_in": 9 * DAY, "result": failed},
        "failed-long": {"result": failed, "failing_for": 2 * DAY},
        "app": {"result": CheckResult.APP_CREDENTIALS},
        "ok": {},
        "hybrid": {"mws": True},
    }
    for channel_id, conditions in cases.items():
        make_channel(channel_id=channel_id, inventory=inv, **conditions)
    return inv


@pytest.mark.parametrize(
    ("pending", "warn_days", "expected"),
    [
        (
            frozenset(),
            DEFAULT_WARN_DAYS,
            Summary(9, needs_reauthorization=3, app_credentials=1, expiring_soon=2,
                    check_failed=1, healthy=2, unsaved=0, failing_too_long=1),
        ),
        (
            frozenset({"ok", "mws"}),
            DEFAULT_WARN_DAYS,
            Summary(9, needs_reauthorization=3, app_credentials=1, expiring_soon=2,
                    check_failed=1, healthy=2, unsaved=2, failing_too_long=1),
        ),
        (
            frozenset(),
            5,
            Summary(9, needs_reauthorization=3, app_credentials=1, expiring_soon=0,
                    check_failed=2, healthy=3, unsaved=0, failing_too_long=1),
        ),
    ],
)  # fmt: skip
def test_summarize(pending: frozenset[str], warn_days: int, expected: Summary) -> None:
    summary = summarize(summary_inventory(), NOW, pending, warn_days)
    assert summary == expected
    buckets = (
        summary.needs_reauthorization
        + summary.app_credentials
        + summary.expiring_soon
        + summary.check_failed
        + summary.healthy
    )
    assert buckets == summary.total


def test_summarize_empty_inventory() -> None:
    assert summarize(Inventory(), NOW) == Summary()
