"""Rules about the app's own credentials: what a use of them needs.

Two uses need the app credentials, and each needs a different part of them:

* a **consent** builds Seller Central's consent link, which names the SP-API *application ID*,
  then exchanges Amazon's code with the *LWA client ID and client secret*
  (https://developer-docs.amazon.com/sp-api/docs/website-authorization-workflow);
* a **connection test** only refreshes an access token, which takes the LWA client ID and client
  secret but not the application ID
  (https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum

from core.domain.errors import UserFacingError
from core.domain.inventory import AppCredentials
from core.domain.secret import Secret


class AppPart(StrEnum):
    """A part of the app credentials a use may need. The value names it in messages."""

    APPLICATION_ID = "application ID"
    LWA_CLIENT_ID = "LWA client ID"
    CLIENT_SECRET = "client secret"  # noqa: S105 - the part's name, not a secret


@dataclass(frozen=True, slots=True)
class _UseRule:
    needs: tuple[AppPart, ...]
    cannot: str  # what fails without the app credentials, after "so"
    then: str  # what to do once they are fixed, after "then"


class AppUse(Enum):
    """What the app credentials are about to be used for."""

    CONSENT = _UseRule(
        (AppPart.APPLICATION_ID, AppPart.LWA_CLIENT_ID, AppPart.CLIENT_SECRET),
        "SP Connect cannot get an authorization from Amazon",
        "come back here",
    )
    TEST = _UseRule(
        (AppPart.LWA_CLIENT_ID, AppPart.CLIENT_SECRET),
        "no connection can be tested",
        "test again",
    )


def missing_app_parts(app: AppCredentials, use: AppUse) -> tuple[AppPart, ...]:
    """The parts ``use`` needs that ``app`` lacks (the client secret's entry name, not its value).

    Checked without the keychain, so it is cheap enough for the GUI thread.
    """
    present = {
        AppPart.APPLICATION_ID: bool(app.application_id.strip()),
        AppPart.LWA_CLIENT_ID: bool(app.lwa_client_id.strip()),
        AppPart.CLIENT_SECRET: bool(app.client_secret_ref),
    }
    return tuple(part for part in use.value.needs if not present[part])


def incomplete_app(app: AppCredentials, use: AppUse) -> UserFacingError | None:
    """Why ``app`` cannot serve ``use`` (which parts are missing), or ``None`` when it can."""
    missing = missing_app_parts(app, use)
    if not missing:
        return None
    rule = use.value
    return UserFacingError(
        f"The app credentials are incomplete (no {' and no '.join(missing)}), so {rule.cannot}.",
        f"Open App credentials, complete them, then {rule.then}.",
    )


def read_client_secret(
    app: AppCredentials, read: Callable[[str], Secret | None], use: AppUse
) -> Secret:
    """The app's client secret through ``read`` (which may block on the keychain).

    Raises:
        UserFacingError: The app names no client secret, or the keychain has no value for it.
        SecretStoreError: ``read`` could not use the keychain.
    """
    secret = read(app.client_secret_ref) if app.client_secret_ref else None
    if secret is None or not secret:
        rule = use.value
        raise UserFacingError(
            f"The app's client secret is missing from the keychain, so {rule.cannot}.",
            f"Open App credentials, enter the client secret, then {rule.then}.",
        )
    return secret
