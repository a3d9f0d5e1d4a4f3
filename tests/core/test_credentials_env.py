"""Which channel ``exec --channel`` names, when its credentials are refused, and the variables a
command gets: the rules of core/services/credentials_env.py, without a process or a keychain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core.domain import marketplaces
from core.domain.endpoints import with_simulator
from core.domain.errors import UserFacingError
from core.domain.inventory import Channel, CheckResult, Company, Health, Inventory
from core.domain.marketplaces import EndpointProfile
from core.domain.samples import demo_inventory
from core.domain.secret import Secret
from core.services import credentials_env as ce
from core.services.credentials_env import (
    child_environment,
    credential_variables,
    find_channel,
    is_credential_variable,
    refusal,
)

NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def demo() -> tuple[Inventory, dict[str, Secret]]:
    return demo_inventory(NOW, "ns")


def channel_of(inventory: Inventory, seller: str, code: str) -> Channel:
    market = marketplaces.by_country(code)
    (found,) = [
        c
        for c in inventory.channels.values()
        if c.seller_id == seller and c.marketplace_id == market.id
    ]
    return found


def reader(values: dict[str, Secret]) -> Callable[[str], Secret | None]:
    return values.get


# --- naming the channel --------------------------------------------------------------------


def test_a_channel_is_found_by_id_or_by_seller_and_marketplace(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, _ = demo
    uk = channel_of(inv, "A1ALPINETRAIL7Q", "UK")
    assert find_channel(inv, uk.id) == uk
    assert find_channel(inv, f" {uk.id} ") == uk
    for text in ("A1ALPINETRAIL7Q/UK", "a1alpinetrail7q/gb", "A1ALPINETRAIL7Q/A1F83G8C2ARO7P"):
        assert find_channel(inv, text) == uk
    assert find_channel(inv, "A1ALPINETRAIL7Q/United Kingdom") == uk
    # A Seller ID with one channel is enough on its own.
    assert find_channel(inv, "A2ALPINEUSA9KX") == channel_of(inv, "A2ALPINEUSA9KX", "US")


def test_a_channel_without_its_own_seller_id_counts_as_its_grants_seller(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, _ = demo
    pets_it = next(c for c in inv.channels.values() if c.name == "Northwind Pet Supplies IT")
    assert pets_it.seller_id is None
    assert find_channel(inv, "A1NORTHWINDHG4Z/IT") == pets_it


def test_several_matches_are_listed_with_their_ids(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, _ = demo
    with pytest.raises(UserFacingError) as refused:
        find_channel(inv, "A1ALPINETRAIL7Q")
    message = refused.value.message
    assert message.startswith("5 channels match 'A1ALPINETRAIL7Q':")
    for code in ("UK", "DE", "FR", "IT", "ES"):
        channel = channel_of(inv, "A1ALPINETRAIL7Q", code)
        assert f"  {channel.id}  A1ALPINETRAIL7Q/{code}  Alpine Trail Outfitters {code}" in message
    assert "marketplace code" in refused.value.next_step


def test_a_seller_without_a_channel_there_lists_its_channels(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, _ = demo
    with pytest.raises(UserFacingError) as refused:
        find_channel(inv, "A2ALPINEUSA9KX/JP")
    assert refused.value.message.startswith("Seller ID A2ALPINEUSA9KX has no channel in that")
    assert "A2ALPINEUSA9KX/US" in refused.value.message
    assert "A1ALPINETRAIL7Q" not in refused.value.message


def test_an_unknown_name_lists_the_inventory_a_limited_number(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, _ = demo
    with pytest.raises(UserFacingError) as refused:
        find_channel(inv, "nothing-like-it")
    lines = refused.value.message.splitlines()
    assert lines[0] == "No channel matches 'nothing-like-it'. The inventory's channels:"
    assert len(lines) == 1 + ce.MAX_LISTED + 1
    assert lines[-1] == f"  … and {len(inv.channels) - ce.MAX_LISTED} more"
    assert "channel id" in refused.value.next_step
    with pytest.raises(UserFacingError, match="no Amazon marketplace called 'XX'"):
        find_channel(inv, "A2ALPINEUSA9KX/XX")


def test_names_are_listed_without_terminal_control_characters() -> None:
    inv = Inventory()
    inv.companies["co"] = Company("co", "Evil\x1b[2J Co")
    for cid in ("one", "two"):
        inv.channels[cid] = Channel(cid, "co", marketplaces.by_country("DE").id, "Shop\x07", "A1X")
    with pytest.raises(UserFacingError) as refused:
        find_channel(inv, "A1X/DE")
    assert "\x1b" not in refused.value.message
    assert "\x07" not in refused.value.message
    assert "Evil?[2J Co" in refused.value.message


# --- refusing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seller", "code", "says"),
    [
        ("A1NORTHWINDHG4Z", "UK", "needs reauthorization (Expired). This connection ended on"),
        ("A3ACORNTOYSAU8", "AU", "needs reauthorization. Amazon no longer accepts"),
        ("A2BRIGHTSIDE6HB", "US", "(Wrong account). This connection belongs to the Amazon"),
        ("A3COPPERPOT5NW", "US", "has only the old MWS credentials"),
        ("A3GOLDENHIVE7DE", "SE", "is not connected to Amazon yet"),
    ],
)
def test_a_channel_that_needs_a_new_consent_is_refused_with_the_reason(
    demo: tuple[Inventory, dict[str, Secret]], seller: str, code: str, says: str
) -> None:
    inv, _ = demo
    channel = channel_of(inv, seller, code)
    refused = refusal(channel, inv, NOW)
    assert refused is not None
    assert says in refused.message
    assert refused.message.startswith(f"The channel {channel.name} (")
    assert refused.next_step.startswith("Reauthorize it in SP Connect")


@pytest.mark.parametrize(
    ("seller", "code"),
    [
        ("A1ALPINETRAIL7Q", "UK"),  # expires in 12 days: still works
        ("A1SUMMITCYCLE8R", "US"),  # the last check failed: try anyway
        ("A1SUMMITCYCLE8R", "MX"),  # the app credentials were refused: may be fixed since
        ("A1COPPERPOTCA3M", "CA"),  # hybrid MWS/SP-API
    ],
)
def test_a_working_channel_is_not_refused(
    demo: tuple[Inventory, dict[str, Secret]], seller: str, code: str
) -> None:
    inv, _ = demo
    assert refusal(channel_of(inv, seller, code), inv, NOW) is None


def test_expiry_is_judged_at_the_injected_time(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, _ = demo
    uk = channel_of(inv, "A1ALPINETRAIL7Q", "UK")
    auth = inv.authorization_of(uk)
    assert auth is not None
    assert refusal(uk, inv, auth.expires_at - timedelta(seconds=1)) is None
    refused = refusal(uk, inv, auth.expires_at)
    assert refused is not None
    assert "(Expired)" in refused.message


def test_a_grant_without_a_refresh_token_is_refused(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, _ = demo
    us = channel_of(inv, "A2ALPINEUSA9KX", "US")
    auth = inv.authorization_of(us)
    assert auth is not None
    inv.authorizations[auth.id] = replace(auth, refresh_token_ref=None)
    refused = refusal(us, inv, NOW)
    assert refused is not None
    assert "no refresh token on record" in refused.message


# --- the variables ---------------------------------------------------------------------------


def test_the_variables_carry_the_channels_credentials_and_where_to_send_them(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, values = demo
    de = channel_of(inv, "A1ALPINETRAIL7Q", "DE")
    auth = inv.authorization_of(de)
    assert auth is not None
    assert auth.refresh_token_ref
    assert inv.app.client_secret_ref
    variables = credential_variables(inv, de, reader(values))
    ids = [marketplaces.by_country(c).id for c in ("DE", "ES", "UK", "FR", "IT")]
    assert variables == {
        "LWA_APP_ID": inv.app.lwa_client_id,
        "LWA_CLIENT_SECRET": values[inv.app.client_secret_ref].reveal(),
        "SP_API_REFRESH_TOKEN": values[auth.refresh_token_ref].reveal(),
        "LWA_TOKEN_URL": "https://api.amazon.com/auth/o2/token",
        "SP_API_ENDPOINT": "https://sellingpartnerapi-eu.amazon.com",
        "SP_API_REGION": "EU",
        "SP_API_SELLER_ID": "A1ALPINETRAIL7Q",
        "SP_API_MARKETPLACE_ID": marketplaces.by_country("DE").id,
        "SP_API_MARKETPLACE_IDS": ",".join(ids),  # its own first, then Amazon's table order
        "SP_API_DEFAULT_MARKETPLACE": "DE",
        "AWS_ENV": "PRODUCTION",
    }
    assert set(variables) == set(ce.VARIABLES)


def test_the_sandbox_and_the_simulator_get_their_own_endpoints(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, values = demo
    us = channel_of(inv, "A2ALPINEUSA9KX", "US")
    inv.app = replace(inv.app, endpoint_profile=EndpointProfile.SANDBOX)
    sandbox = credential_variables(inv, us, reader(values))
    assert sandbox["SP_API_ENDPOINT"] == "https://sandbox.sellingpartnerapi-na.amazon.com"
    assert sandbox["AWS_ENV"] == "SANDBOX"  # python-amazon-sp-api's switch to the sandbox
    inv.app = with_simulator(inv.app, "http://127.0.0.1:8765")
    simulated = credential_variables(inv, us, reader(values))
    assert simulated["SP_API_ENDPOINT"] == "http://127.0.0.1:8765"
    assert simulated["LWA_TOKEN_URL"] == "http://127.0.0.1:8765/auth/o2/token"
    assert "AWS_ENV" not in simulated  # the library knows no simulator


def test_a_missing_secret_or_incomplete_app_is_said_plainly(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, values = demo
    us = channel_of(inv, "A2ALPINEUSA9KX", "US")
    auth = inv.authorization_of(us)
    assert auth is not None
    assert auth.refresh_token_ref
    assert inv.app.client_secret_ref
    without_token = {k: v for k, v in values.items() if k != auth.refresh_token_ref}
    with pytest.raises(UserFacingError, match="refresh token of the channel Alpine") as caught:
        credential_variables(inv, us, reader(without_token))
    assert caught.value.next_step.startswith("Reauthorize it")
    without_secret = {k: v for k, v in values.items() if k != inv.app.client_secret_ref}
    with pytest.raises(UserFacingError, match="client secret is missing from the keychain"):
        credential_variables(inv, us, reader(without_secret))
    inv.app = replace(inv.app, lwa_client_id=" ")
    with pytest.raises(UserFacingError, match="app credentials are incomplete") as caught:
        credential_variables(inv, us, reader(values))
    assert "App credentials" in caught.value.next_step


def test_the_childs_environment_drops_inherited_credentials_and_keeps_the_rest() -> None:
    inherited = {
        "PATH": "/usr/bin",
        "HOME": "/home/seller",
        "SP_API_REFRESH_TOKEN_default": "stale",  # python-amazon-sp-api would prefer this one
        "LWA_CLIENT_SECRET": "stale",
        "lwa_app_id": "stale",
        "AWS_ENV": "SANDBOX",
        "SPCONNECT_DATA_DIR": "/data",
    }
    before = dict(inherited)
    env = child_environment(inherited, {"LWA_CLIENT_SECRET": "fresh", "SP_API_REGION": "EU"})
    assert env == {
        "PATH": "/usr/bin",
        "HOME": "/home/seller",
        "SPCONNECT_DATA_DIR": "/data",
        "LWA_CLIENT_SECRET": "fresh",
        "SP_API_REGION": "EU",
    }
    assert inherited == before  # a new dict: ours is never changed
    assert is_credential_variable("sp_api_endpoint")
    assert not is_credential_variable("SPCONNECT_DATA_DIR")


def test_a_failed_check_keeps_its_channel_usable_until_consent_is_needed(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, _ = demo
    us = channel_of(inv, "A2ALPINEUSA9KX", "US")
    failing = replace(us, health=Health(NOW, CheckResult.FAILED, NOW - 50 * DAY, "timeout"))
    inv.channels[us.id] = failing
    assert refusal(failing, inv, NOW) is None
    refused_now = replace(us, health=Health(NOW, CheckResult.NEEDS_REAUTHORIZATION, NOW))
    inv.channels[us.id] = refused_now
    assert refusal(refused_now, inv, NOW) is not None
