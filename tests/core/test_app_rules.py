"""The app credentials' rules: what each use needs, the client secret, and its renewal date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from core.domain import dates
from core.domain.app_rules import (
    AppPart,
    AppUse,
    app_secret_status,
    incomplete_app,
    missing_app_parts,
    read_client_secret,
    renewal_text,
    secret_days_left,
)
from core.domain.errors import SecretStoreError, UserFacingError
from core.domain.inventory import AppCredentials
from core.domain.secret import Secret
from core.domain.status import HealthKind
from tests.zones import AUCKLAND, LOS_ANGELES

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
APP = AppCredentials(
    application_id="amzn1.sp.solution.0bf296b5-1111-2222-3333-444455556666",
    lwa_client_id="amzn1.application-oa2-client.0123456789abcdef0123456789abcdef",
    client_secret_ref="ns/client-secret/app/0123456789ab",
)
SECRET = Secret("amzn1.oa2-cs.v1.the-client-secret-value")
A, L, S = AppPart.APPLICATION_ID, AppPart.LWA_CLIENT_ID, AppPart.CLIENT_SECRET


@pytest.mark.parametrize(
    ("changes", "consent", "test"),
    [
        ({}, (), ()),
        ({"application_id": ""}, (A,), ()),  # a refresh does not name the application
        ({"application_id": "  "}, (A,), ()),
        ({"lwa_client_id": " "}, (L,), (L,)),
        ({"client_secret_ref": None}, (S,), (S,)),
        ({"application_id": "", "lwa_client_id": "", "client_secret_ref": None}, (A, L, S), (L, S)),
    ],
)
def test_each_use_needs_its_own_parts(
    changes: dict[str, Any], consent: tuple[AppPart, ...], test: tuple[AppPart, ...]
) -> None:
    app = replace(APP, **changes)
    assert missing_app_parts(app, AppUse.CONSENT) == consent
    assert missing_app_parts(app, AppUse.TEST) == test
    assert (incomplete_app(app, AppUse.CONSENT) is None) == (not consent)
    assert (incomplete_app(app, AppUse.TEST) is None) == (not test)


def test_incomplete_says_what_is_missing_and_what_to_do_for_each_use() -> None:
    app = AppCredentials(lwa_client_id=APP.lwa_client_id)
    consent = incomplete_app(app, AppUse.CONSENT)
    assert consent is not None
    assert consent.message == (
        "The app credentials are incomplete (no application ID and no client secret), so SP "
        "Connect cannot get an authorization from Amazon."
    )
    assert consent.next_step == "Open App credentials, complete them, then come back here."
    test = incomplete_app(app, AppUse.TEST)
    assert test is not None
    assert test.message == (
        "The app credentials are incomplete (no client secret), so no connection can be tested."
    )
    assert test.next_step == "Open App credentials, complete them, then test again."


def test_the_client_secret_is_read_under_the_apps_entry_name() -> None:
    asked: list[str] = []

    def read(ref: str) -> Secret | None:
        asked.append(ref)
        return SECRET if ref == APP.client_secret_ref else None

    assert read_client_secret(APP, read, AppUse.TEST) is SECRET
    assert asked == [APP.client_secret_ref]


@pytest.mark.parametrize("value", [None, Secret("")])
@pytest.mark.parametrize(
    ("use", "so", "then"),
    [
        (AppUse.CONSENT, "SP Connect cannot get an authorization from Amazon", "come back here"),
        (AppUse.TEST, "no connection can be tested", "test again"),
    ],
)
def test_a_client_secret_missing_from_the_keychain_is_explained(
    value: Secret | None, use: AppUse, so: str, then: str
) -> None:
    with pytest.raises(UserFacingError) as raised:
        read_client_secret(APP, lambda _ref: value, use)
    assert raised.value.message == f"The app's client secret is missing from the keychain, so {so}."
    assert raised.value.next_step == f"Open App credentials, enter the client secret, then {then}."


def test_no_entry_name_means_no_keychain_read() -> None:
    def read(ref: str) -> Secret | None:
        raise AssertionError(f"read {ref}")

    app = AppCredentials(lwa_client_id=APP.lwa_client_id)
    with pytest.raises(UserFacingError, match="missing from the keychain"):
        read_client_secret(app, read, AppUse.CONSENT)


def test_a_locked_keychain_is_not_mistaken_for_a_missing_secret() -> None:
    def read(_ref: str) -> Secret | None:
        raise SecretStoreError("The keychain is locked.", "Unlock it, then try again.")

    with pytest.raises(SecretStoreError, match="locked"):
        read_client_secret(APP, read, AppUse.TEST)


@pytest.mark.parametrize(
    ("issued_days_ago", "kind", "text"),
    [
        (None, None, None),
        (10, None, None),
        (149, None, None),  # 31 days left
        (150, HealthKind.EXPIRES_SOON, "Client secret expires in 30 days"),
        (153, HealthKind.EXPIRES_SOON, "Client secret expires in 27 days"),
        (173, HealthKind.EXPIRES_URGENT, "Urgent: client secret expires in 7 days"),
        (172, HealthKind.EXPIRES_SOON, "Client secret expires in 8 days"),
        (179.5, HealthKind.EXPIRES_URGENT, "Urgent: client secret expires in 1 day"),
        (179.75, HealthKind.EXPIRES_URGENT, "Urgent: client secret expires today"),
        (180, HealthKind.APP_CREDENTIALS, "Client secret expired"),
        (400, HealthKind.APP_CREDENTIALS, "Client secret expired"),
    ],
)
def test_app_secret_status(
    issued_days_ago: float | None, kind: HealthKind | None, text: str | None
) -> None:
    issued = None if issued_days_ago is None else NOW - issued_days_ago * DAY
    badge = app_secret_status(AppCredentials(secret_issued_at=issued), NOW)
    if kind is None:
        assert badge is None
    else:
        assert badge is not None
        assert (badge.kind, badge.text) == (kind, text)
        assert "Sellers do not need to do anything" in badge.detail


def test_app_secret_warning_window_is_adjustable() -> None:
    app = AppCredentials(secret_issued_at=NOW - 170 * DAY)
    assert app_secret_status(app, NOW, warn_days=5) is None
    assert app_secret_status(app, NOW, warn_days=10) is not None


def test_the_renewal_note(local_time_zone: Callable[[str], None]) -> None:
    local_time_zone("UTC0")
    assert "Enter the date" in renewal_text(AppCredentials(), NOW)
    assert secret_days_left(AppCredentials(), NOW) is None
    soon = AppCredentials(secret_issued_at=NOW - 170 * DAY)
    assert renewal_text(soon, NOW) == (
        "Renew it soon: this client secret must be replaced by 11 Mar 2026 (in 10 days)."
    )
    later = AppCredentials(secret_issued_at=NOW - 100 * DAY)
    assert renewal_text(later, NOW) == (
        "Renew by 20 May 2026 (in 80 days): Amazon requires a new client secret every 180 days."
    )
    gone = AppCredentials(secret_issued_at=NOW - 181 * DAY)
    assert renewal_text(gone, NOW).startswith("This client secret expired on 28 Feb 2026:")


@pytest.mark.parametrize(
    ("zone", "issued", "local_now", "banner", "dialog"),
    [
        # Entered at 03:00 on 2 Sep in Auckland; it stops at 04:00 on 1 Mar. Half an hour after
        # midnight that day it is "today", not yet "expired": Amazon still accepts it.
        (
            AUCKLAND,
            datetime(2025, 9, 1, 15, tzinfo=UTC),
            datetime(2026, 3, 1, 0, 30),
            "Urgent: client secret expires today",
            "Urgent: renew it now. This client secret must be replaced by 1 Mar 2026 (today); "
            "after that every connection stops.",
        ),
        (
            AUCKLAND,
            datetime(2025, 9, 1, 15, tzinfo=UTC),
            datetime(2026, 2, 28, 23, 30),
            "Urgent: client secret expires in 1 day",
            "Urgent: renew it now. This client secret must be replaced by 1 Mar 2026 (in 1 day); "
            "after that every connection stops.",
        ),
        # Picked as 12 Sep in Los Angeles: it stops at midnight starting 11 Mar. On 1 Mar that
        # is 10 calendar days ahead, whatever the hour: "by 11 Mar (in 10 days)" adds up.
        (
            LOS_ANGELES,
            date(2025, 9, 12),
            datetime(2026, 3, 1, 23, 30),
            "Client secret expires in 10 days",
            "Renew it soon: this client secret must be replaced by 11 Mar 2026 (in 10 days).",
        ),
        # Picked as 1 Dec in Auckland's summer: 180 days later is 23:00 on 29 May in its winter.
        (
            AUCKLAND,
            date(2025, 12, 1),
            datetime(2026, 5, 20, 23, 30),
            "Client secret expires in 9 days",
            "Renew it soon: this client secret must be replaced by 29 May 2026 (in 9 days).",
        ),
    ],
)
def test_the_banner_and_the_dialog_count_the_same_days_at_awkward_instants(
    local_time_zone: Callable[[str], None],
    zone: str,
    issued: datetime | date,
    local_now: datetime,
    banner: str,
    dialog: str,
) -> None:
    local_time_zone(zone)
    if not isinstance(issued, datetime):  # a day picked in the dialog, stored as it stores it
        issued = dates.start_of_local_day(issued)
    now = local_now.astimezone(UTC)  # a naive datetime is local wall-clock time
    app = AppCredentials(secret_issued_at=issued)
    badge = app_secret_status(app, now)
    assert badge is not None
    assert (badge.text, renewal_text(app, now)) == (banner, dialog)
