"""The blocking part of a consent, and what must be true before one starts.

A consent needs the app's application ID (the consent link names it) and its LWA client ID and
client secret (the code exchange authenticates with them; :mod:`core.amazon.consent` and
:mod:`core.amazon.lwa` cite Amazon). The first two and the secret's keychain entry name are checked
on the calling thread before anything starts (:func:`cannot_start`); the secret's value is read
inside the :class:`Check`, off the GUI thread, because the keychain may be slow or locked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from core.amazon.lwa import LwaClient
from core.amazon.sellers import SellersClient
from core.domain.app_rules import AppUse, incomplete_app, read_client_secret
from core.domain.errors import UserFacingError
from core.domain.inventory import AppCredentials
from core.domain.marketplaces import EndpointProfile, Endpoints
from core.domain.secret import Secret
from core.services.workspace import Workspace

SecretReader = Callable[[str], Secret | None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True, eq=False)
class Check(Generic[T]):
    """The blocking part of finishing a consent, for one try.

    Run :attr:`run` off the GUI thread (the network lane: it reads the keychain and calls
    Amazon), then hand its outcome to :meth:`ConsentSession.ended` before using it.
    """

    try_number: int
    run: Callable[[], T] = field(repr=False)


def cannot_start(workspace: Workspace) -> UserFacingError | None:
    """Why no consent can start here (read-only inventory, incomplete app), or ``None``."""
    if workspace.read_only_reason is not None:
        return UserFacingError(
            f"{workspace.read_only_reason} A new authorization could not be kept.",
            "Reauthorize from the SP Connect window that can save this inventory.",
        )
    app = workspace.current.app
    problem = incomplete_app(app, AppUse.CONSENT)
    needs_redirect = app.endpoint_profile is not EndpointProfile.SIMULATOR
    if problem is None and needs_redirect and not app.redirect_uri.strip():
        # The answer reaches SP Connect through the hand-off page at this address, and the
        # code exchange must name the redirect URI the consent link named ("Website
        # authorization workflow", Steps 1 and 4, in Amazon's archived developer guide,
        # https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md).
        # Without one, Amazon picks the app's first registered page, which SP Connect does not
        # know and so cannot name in the exchange. The simulator hands the answer to the
        # listener instead.
        return UserFacingError(
            "The app credentials have no redirect URI, so SP Connect cannot get an "
            "authorization from Amazon: Amazon sends its answer to that page.",
            "Open App credentials and enter the app's OAuth redirect URI exactly as it is "
            "registered in Developer Central (the HTTPS page that hosts SP Connect's "
            "hand-off page).",
        )
    return problem


def with_amazon(
    app: AppCredentials,
    read: SecretReader,
    endpoints: Endpoints,
    call: Callable[[LwaClient, SellersClient], T],
) -> T:
    """Runs in the check: read the client secret, then call Amazon with fresh clients."""
    secret = read_client_secret(app, read, AppUse.CONSENT)
    with (
        LwaClient(endpoints, app.lwa_client_id, secret) as lwa,
        SellersClient(endpoints) as sellers,
    ):
        return call(lwa, sellers)
