"""Which Amazon an app talks to: the simulator on this computer only, Amazon over HTTPS only,
and no stored secret of one profile sent to the other."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.domain.changes import set_app_credentials
from core.domain.endpoints import check_endpoint_url, endpoints_for
from core.domain.errors import UserFacingError, ValidationError
from core.domain.inventory import AppCredentials, Inventory
from core.domain.marketplaces import EndpointProfile, Endpoints, Region
from core.domain.secret import Secret
from tests.core.factories import full_inventory

LOOPBACK = [
    "http://127.0.0.1:8765",
    "http://127.3.4.5:8765",
    "http://localhost:8765",
    "http://LOCALHOST:8765/",
    "http://[::1]:8765",
]
REMOTE = [
    "http://192.168.1.20:8765",
    "http://10.0.0.1",
    "http://0.0.0.0:8765",
    "http://simulator.example.com:8765",
    "http://127.0.0.1.evil.example:8765",
    "http://localhost.evil.example:8765",
    "http://[::2]:8765",
]


@pytest.mark.parametrize("url", LOOPBACK)
def test_the_simulator_runs_on_this_computer(url: str) -> None:
    assert check_endpoint_url(EndpointProfile.SIMULATOR, url) == []
    assert endpoints_for(simulator_app(url)).profile is EndpointProfile.SIMULATOR


@pytest.mark.parametrize("url", REMOTE)
def test_a_simulator_elsewhere_is_refused(url: str) -> None:
    errors = check_endpoint_url(EndpointProfile.SIMULATOR, url)
    assert [e.warning for e in errors] == [False]
    assert "this computer" in errors[0].message
    with pytest.raises(UserFacingError):
        endpoints_for(simulator_app(url))
    with pytest.raises(ValueError, match="this computer"):
        Endpoints.simulator(url)


@pytest.mark.parametrize("profile", [EndpointProfile.AMAZON, EndpointProfile.SANDBOX])
def test_amazons_profiles_refuse_plain_http(profile: EndpointProfile) -> None:
    endpoints = Endpoints.amazon() if profile is EndpointProfile.AMAZON else Endpoints.sandbox()
    with pytest.raises(ValueError, match="https"):
        endpoints.with_token_url(Region.EU, "http://api.amazon.co.uk/auth/o2/token")
    with pytest.raises(ValueError, match="https"):
        endpoints.with_sp_api({Region.NA: "http://sellingpartnerapi-na.amazon.com"})
    with pytest.raises(ValueError, match="https"):
        Endpoints(profile=profile, token_url="http://api.amazon.com/auth/o2/token")


def test_https_overrides_are_still_allowed() -> None:
    endpoints = Endpoints.amazon().with_token_url(
        Region.EU, "https://api.amazon.co.uk/auth/o2/token"
    )
    assert endpoints.lwa_token_url(Region.EU) == "https://api.amazon.co.uk/auth/o2/token"


def simulator_app(url: str = "http://127.0.0.1:8765", **changes: object) -> AppCredentials:
    app = AppCredentials(
        application_id="amzn1.sp.solution.x",
        lwa_client_id="amzn1.application-oa2-client.x",
        client_secret_ref="spconnect/client-secret/app/1",
        endpoint_profile=EndpointProfile.SIMULATOR,
        endpoint_url=url,
    )
    return replace(app, **changes)  # type: ignore[arg-type]


def amazon_inventory(*, grants: bool) -> Inventory:
    inventory = full_inventory() if grants else Inventory()
    inventory.app = replace(
        simulator_app(), endpoint_profile=EndpointProfile.AMAZON, endpoint_url=""
    )
    return inventory


def test_switching_to_the_simulator_keeps_amazons_secret_away() -> None:
    inventory = amazon_inventory(grants=False)
    change = set_app_credentials(simulator_app())  # the stored Amazon secret would go along

    with pytest.raises(ValidationError) as caught:
        change.apply(inventory)

    assert caught.value.errors[0].field == "client_secret"
    assert "simulator" in caught.value.errors[0].message
    assert inventory.app.endpoint_profile is EndpointProfile.AMAZON


def test_switching_to_the_simulator_with_its_own_secret_is_fine() -> None:
    inventory = amazon_inventory(grants=False)
    change = set_app_credentials(
        simulator_app(), Secret("simulator-secret"), new_ref="spconnect/client-secret/app/2"
    )
    change.apply(inventory)
    assert inventory.app.endpoint_profile is EndpointProfile.SIMULATOR
    assert inventory.app.client_secret_ref == "spconnect/client-secret/app/2"


def test_amazons_refresh_tokens_never_go_to_the_simulator() -> None:
    inventory = amazon_inventory(grants=True)
    assert any(a.refresh_token_ref for a in inventory.authorizations.values())
    change = set_app_credentials(
        simulator_app(), Secret("simulator-secret"), new_ref="spconnect/client-secret/app/2"
    )

    with pytest.raises(ValidationError) as caught:
        change.apply(inventory)

    assert "authorizations" in str(caught.value)
    assert inventory.app.endpoint_profile is EndpointProfile.AMAZON


def test_leaving_the_simulator_for_amazon_needs_amazons_secret() -> None:
    inventory = Inventory()
    inventory.app = simulator_app()
    change = set_app_credentials(
        replace(inventory.app, endpoint_profile=EndpointProfile.AMAZON, endpoint_url="")
    )
    with pytest.raises(ValidationError):
        change.apply(inventory)


def test_amazon_and_sandbox_share_the_real_secret() -> None:
    inventory = amazon_inventory(grants=True)
    change = set_app_credentials(replace(inventory.app, endpoint_profile=EndpointProfile.SANDBOX))
    change.apply(inventory)
    assert inventory.app.endpoint_profile is EndpointProfile.SANDBOX
