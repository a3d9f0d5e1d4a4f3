"""Which Amazon an app talks to: its endpoint profile, turned into :class:`Endpoints`.

The app credentials record where to reach Amazon (``endpoint_profile`` and, for the simulator,
``endpoint_url``). :func:`endpoints_for` is the one rule that turns them into the URLs every
client uses, so the GUI, headless commands and the demo never decide it each on their own.

The redirect URI rule differs by profile: Amazon (live and sandbox) accepts only HTTPS redirect
addresses, as an Amazon engineer said in https://github.com/amzn/selling-partner-api-docs/issues/26;
the built-in simulator also accepts ``http://127.0.0.1`` ones, which is how the demo sends the
consent's answer straight to the app's loopback listener.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from core.domain.errors import FieldError, UserFacingError
from core.domain.inventory import AppCredentials
from core.domain.marketplaces import EndpointProfile, Endpoints
from core.domain.validation import check_redirect_uri

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

#: What each profile is called on screen.
PROFILE_TITLES: dict[EndpointProfile, str] = {
    EndpointProfile.AMAZON: "Amazon",
    EndpointProfile.SANDBOX: "Amazon sandbox (test data)",
    EndpointProfile.SIMULATOR: "SP Connect's Amazon simulator (demo and training)",
}


def endpoints_for(app: AppCredentials) -> Endpoints:
    """The endpoints ``app`` is set to use.

    Raises:
        UserFacingError: The simulator profile without a usable simulator address.
    """
    profile = app.endpoint_profile
    if profile is EndpointProfile.SANDBOX:
        return Endpoints.sandbox()
    if profile is EndpointProfile.SIMULATOR:
        url = app.endpoint_url.strip()
        if any(not e.warning for e in check_endpoint_url(profile, url)):
            raise UserFacingError(
                "The app is set to use the Amazon simulator, but the simulator's address is "
                "missing or not valid.",
                "Open App credentials and enter the simulator's address, or choose Amazon.",
            )
        return Endpoints.simulator(url)
    return Endpoints.amazon()


def with_simulator(app: AppCredentials, base_url: str) -> AppCredentials:
    """``app`` pointed at the simulator running at ``base_url``."""
    return replace(app, endpoint_profile=EndpointProfile.SIMULATOR, endpoint_url=base_url)


def is_loopback_url(url: str) -> bool:
    """An ``http://`` address on this computer (127.0.0.1, localhost)."""
    parts = urlsplit(url.strip())
    return parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK_HOSTS


def check_endpoint_url(
    profile: EndpointProfile, url: str, field: str = "endpoint_url"
) -> list[FieldError]:
    """The simulator needs its address; Amazon's profiles need none."""
    if profile is not EndpointProfile.SIMULATOR:
        return []
    value = url.strip()
    if not value:
        return [
            FieldError(field, "Enter the simulator's address, for example http://127.0.0.1:8765.")
        ]
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [
            FieldError(
                field,
                "The simulator's address starts with http:// and names its host and port, for "
                "example http://127.0.0.1:8765.",
            )
        ]
    if parts.query or parts.fragment:
        return [FieldError(field, "Enter the simulator's address without ? or # parts.")]
    if parts.hostname not in _LOOPBACK_HOSTS:
        return [
            FieldError(
                field,
                "The simulator usually runs on this computer (127.0.0.1). Check the address.",
                warning=True,
            )
        ]
    return []


def check_app_redirect_uri(
    value: str, profile: EndpointProfile, field: str = "redirect_uri"
) -> list[FieldError]:
    """:func:`core.domain.validation.check_redirect_uri`, except that the simulator also takes
    loopback."""
    value = value.strip()
    if profile is EndpointProfile.SIMULATOR and is_loopback_url(value):
        if "#" in value:
            return [FieldError(field, "A redirect address cannot contain '#'.")]
        return []
    return check_redirect_uri(value, field)


def uses_loopback_redirect(endpoints: Endpoints) -> bool:
    """Whether the consent may name the loopback listener as its redirect URI.

    Only the simulator accepts that (its ``loopback_redirects``); Amazon sends the browser to the
    app's registered HTTPS page, which hands the answer on to the listener.
    """
    return endpoints.profile is EndpointProfile.SIMULATOR
