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
from core.domain.marketplaces import EndpointProfile, Endpoints, is_loopback_host
from core.domain.validation import check_redirect_uri

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
    """An ``http://`` address on this computer (127.0.0.0/8, localhost, ::1)."""
    parts = urlsplit(url.strip())
    return parts.scheme == "http" and is_loopback_host(parts.hostname or "")


def check_endpoint_url(
    profile: EndpointProfile, url: str, field: str = "endpoint_url"
) -> list[FieldError]:
    """The simulator needs its address, on this computer; Amazon's profiles need none.

    The simulator speaks plain HTTP and receives the client secret and refresh tokens it is
    given, so an address elsewhere is refused, not merely warned about.
    """
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
    if not is_loopback_host(parts.hostname):
        return [
            FieldError(
                field,
                "The simulator runs on this computer only: enter an address like "
                "http://127.0.0.1:8765 (secrets would travel unencrypted to any other).",
            )
        ]
    return []


def check_profile_switch(
    before: AppCredentials, after: AppCredentials, *, new_secret: bool, stored_grants: bool
) -> list[FieldError]:
    """What stops a change of endpoint profile from carrying one profile's secrets to another.

    Amazon and its sandbox share the real app credentials. The simulator is another world:
    moving to or from it needs that world's own client secret typed in (the stored one is never
    sent across), and the inventory's refresh tokens, which belong to Amazon, never go to the
    simulator at all (the demo keeps its own inventory for that).
    """
    crossing = (before.endpoint_profile is EndpointProfile.SIMULATOR) != (
        after.endpoint_profile is EndpointProfile.SIMULATOR
    )
    if not crossing:
        return []
    errors = []
    to_simulator = after.endpoint_profile is EndpointProfile.SIMULATOR
    if before.client_secret_ref is not None and not new_secret:
        errors.append(
            FieldError(
                "client_secret",
                "Enter the simulator's client secret: SP Connect does not send Amazon's to the "
                "simulator."
                if to_simulator
                else "Enter the app's client secret from Developer Central: the simulator's "
                "is not Amazon's.",
            )
        )
    if to_simulator and stored_grants:
        errors.append(
            FieldError(
                "endpoint_profile",
                "This inventory holds sellers' authorizations from Amazon, which SP Connect "
                "never sends to the simulator. To try the simulator, open the demo (File > "
                "Open the demo).",
            )
        )
    return errors


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
