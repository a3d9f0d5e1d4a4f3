"""The app credentials' rules: what each use needs, and reading the client secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.domain.app_rules import (
    AppPart,
    AppUse,
    incomplete_app,
    missing_app_parts,
    read_client_secret,
)
from core.domain.errors import SecretStoreError, UserFacingError
from core.domain.inventory import AppCredentials
from core.domain.secret import Secret

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
    changes: dict[str, object], consent: tuple[AppPart, ...], test: tuple[AppPart, ...]
) -> None:
    app = AppCredentials(**{**_fields(APP), **changes})
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


def _fields(app: AppCredentials) -> dict[str, object]:
    return {name: getattr(app, name) for name in app.__slots__}
