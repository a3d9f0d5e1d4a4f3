"""Rules about the app's own credentials: what a use of them needs, and when the secret is due.

Two uses need the app credentials, and each needs a different part of them:

* a **consent** builds Seller Central's consent link, which names the SP-API *application ID*,
  then exchanges Amazon's code with the *LWA client ID and client secret*
  (https://developer-docs.amazon.com/sp-api/docs/website-authorization-workflow);
* a **connection test** only refreshes an access token, which takes the LWA client ID and client
  secret but not the application ID
  (https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api).

The client secret must be replaced every 180 days
(https://developer-docs.amazon.com/sp-api/docs/rotating-your-apps-lwa-credentials). The main
window's banner and the App credentials dialog both count the days left with
:func:`secret_days_left`, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum

from core.domain import dates
from core.domain.errors import UserFacingError
from core.domain.expiry import URGENT_DAYS, WARN_DAYS, ExpiryStep, expiry_step, when
from core.domain.inventory import CLIENT_SECRET_LIFETIME, AppCredentials
from core.domain.secret import Secret
from core.domain.status import HealthBadge, HealthKind

#: Warn this many days before the app's client secret must be renewed (the same steps as an
#: authorization's end, :mod:`core.domain.expiry`).
SECRET_WARN_DAYS = WARN_DAYS


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


def secret_days_left(app: AppCredentials, now: datetime) -> int | None:
    """Days until the client secret must be replaced (see :func:`core.domain.dates.days_left`).

    Local calendar days: 0 on the day itself, less after it; ``None`` when the secret's date is
    not recorded.
    """
    expires_at = app.secret_expires_at
    return None if expires_at is None else dates.days_left(expires_at, now)


def secret_step(
    app: AppCredentials, now: datetime, *, warn_days: int = SECRET_WARN_DAYS
) -> ExpiryStep | None:
    """How close the client secret's renewal is; ``None`` when its date is not recorded."""
    left = secret_days_left(app, now)
    if left is None or app.secret_expires_at is None:
        return None
    ended = now >= app.secret_expires_at
    return expiry_step(left, ended=ended, warn_days=warn_days, urgent_days=URGENT_DAYS)


def app_secret_status(
    app: AppCredentials, now: datetime, *, warn_days: int = SECRET_WARN_DAYS
) -> HealthBadge | None:
    """The banner's warning when the client secret is due for renewal soon or overdue.

    After the deadline Amazon refuses the app's calls for every seller. Returns ``None`` when
    the secret's date is unknown or it is not due yet.
    """
    step = secret_step(app, now, warn_days=warn_days)
    left = secret_days_left(app, now)
    if step is None or left is None or app.secret_expires_at is None:
        return None
    due = dates.day(app.secret_expires_at)
    fix = (
        "Whoever manages the app must create a new client secret in Amazon's Developer "
        "Central and enter it in Amazon > App credentials. Sellers do not need to do anything."
    )
    if step is ExpiryStep.EXPIRED:
        return HealthBadge(
            HealthKind.APP_CREDENTIALS,
            "Client secret expired",
            f"The app's client secret had to be renewed by {due}, so Amazon refuses the "
            f"app's connections. {fix}",
        )
    if step is ExpiryStep.URGENT:
        return HealthBadge(
            HealthKind.EXPIRES_URGENT,
            f"Urgent: client secret expires {when(left)}",
            f"The app's client secret must be renewed by {due}; after that every connection "
            f"stops working. {fix}",
        )
    if step is ExpiryStep.SOON:
        return HealthBadge(
            HealthKind.EXPIRES_SOON,
            f"Client secret expires {when(left)}",
            f"The app's client secret must be renewed by {due}; after that every connection "
            f"stops working. {fix}",
        )
    return None


def renewal_text(app: AppCredentials, now: datetime, *, warn_days: int = SECRET_WARN_DAYS) -> str:
    """The App credentials dialog's note on when the client secret must be renewed.

    The same steps as the banner's warning (:func:`app_secret_status`): from ``warn_days``,
    urgent from :data:`~core.domain.expiry.URGENT_DAYS`, expired on the day itself.
    """
    lifetime = CLIENT_SECRET_LIFETIME.days
    step = secret_step(app, now, warn_days=warn_days)
    left = secret_days_left(app, now)
    if step is None or left is None or app.secret_expires_at is None:
        return (
            "Enter the date the client secret was created, so SP Connect can remind you to "
            f"renew it (Amazon requires a new one every {lifetime} days)."
        )
    due = dates.day(app.secret_expires_at)
    if step is ExpiryStep.EXPIRED:
        return (
            f"This client secret expired on {due}: Amazon refuses the app's connections. "
            "Create a new one in Developer Central and enter it above."
        )
    if step is ExpiryStep.URGENT:
        return (
            f"Urgent: renew it now. This client secret must be replaced by {due} ({when(left)}); "
            "after that every connection stops."
        )
    if step is ExpiryStep.SOON:
        return f"Renew it soon: this client secret must be replaced by {due} ({when(left)})."
    return (
        f"Renew by {due} ({when(left)}): Amazon requires a new client secret every {lifetime} days."
    )
