"""Which channels a new grant covers, and the pending change that gives it to them (no network).

:mod:`core.services.consent.coverage`, with Amazon's participations made by hand.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core.amazon.consent import Authorized, ConsentTarget
from core.amazon.sellers import Participations
from core.domain.errors import UserFacingError
from core.domain.inventory import (
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Company,
    Inventory,
)
from core.domain.marketplaces import Region, by_country
from core.domain.secret import Secret
from core.services.consent.coverage import Coverage, authorization_change, coverage
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.core.factories import NOW
from tests.core.factories import participations as _participations
from tests.leaks import ExpectedWarnings
from tests.secret_names import ref_parts

SELLER = "A1EUROPESELLER7"
OTHER = "A2SOMEONEELSE99"


def _target(
    channel_ids: tuple[str, ...] = ("uk",),
    region: Region = Region.EU,
    marketplace: str = "UK",
    seller: str | None = SELLER,
) -> ConsentTarget:
    return ConsentTarget(channel_ids, region, by_country(marketplace).id, seller, "Acme EU")


# --- coverage ----------------------------------------------------------------------------------


def _authorized(
    seller: str, region: Region, *codes: str, participations: Participations | None = None
) -> Authorized:
    parts = participations or _participations(*codes)
    auth = Authorization.new(
        seller,
        region,
        AuthSource.CONSENT,
        None,
        granted_at=NOW,
        marketplace_ids=frozenset(
            p.marketplace_id for p in parts.items if by_country(p.country_code).region is region
        ),
        store_name=parts.store_name,
    )
    return Authorized(auth, Secret("Atzr|new"), None, parts)


def _channel(chid: str, company: str, code: str, seller: str | None = SELLER) -> Channel:
    return Channel(chid, company, by_country(code).id, f"{company} {code}", seller)


def _eu_inventory() -> Inventory:
    inv = Inventory()
    inv.companies["acme"] = Company("acme", "Acme")
    for code in ("UK", "DE", "FR", "IT", "ES"):
        inv.channels[code.lower()] = _channel(code.lower(), "acme", code)
    return inv


def test_coverage_eu_unified_account_covers_five_channels() -> None:
    inv = _eu_inventory()
    inv.channels["us"] = _channel("us", "acme", "US")  # same seller, other region
    inv.channels["pl"] = _channel("pl", "acme", "PL", OTHER)  # other seller
    result = coverage(
        inv, _target(("uk",)), _authorized(SELLER, Region.EU, "UK", "DE", "FR", "IT", "ES")
    )
    assert result == Coverage(("uk", "de", "fr", "it", "es"), ())


def test_coverage_names_marketplaces_amazon_did_not_list() -> None:
    inv = Inventory()
    inv.companies["acme"] = Company("acme", "Acme")
    inv.channels["jp"] = _channel("jp", "acme", "JP")
    inv.channels["au"] = _channel("au", "acme", "AU")
    target = ConsentTarget(("jp",), Region.FE, by_country("JP").id, SELLER, "Acme JP")
    result = coverage(inv, target, _authorized(SELLER, Region.FE, "JP"))
    assert result.channel_ids == ("jp",)
    assert result.not_covered == (
        (
            "au",
            "Amazon did not list Australia for this account: it may be a separate account. "
            "Reauthorize it on its own.",
        ),
    )


def test_coverage_folds_in_unified_children() -> None:
    inv = _eu_inventory()
    inv.companies["kid"] = Company("kid", "Acme Kids", "acme")
    inv.channels["kid-fr"] = _channel("kid-fr", "kid", "FR", None)  # takes the parent's seller
    inv.channels["kid-de"] = _channel("kid-de", "kid", "DE", SELLER)
    inv.channels["kid-it"] = _channel("kid-it", "kid", "IT", OTHER)  # a separate account
    inv.companies["solo"] = Company("solo", "Unrelated")
    inv.channels["solo-fr"] = _channel("solo-fr", "solo", "FR", None)
    result = coverage(
        inv, _target(("uk",)), _authorized(SELLER, Region.EU, "UK", "DE", "FR", "IT", "ES")
    )
    assert set(result.channel_ids) == {"uk", "de", "fr", "it", "es", "kid-fr", "kid-de"}
    assert result.not_covered == ()


def test_coverage_leaves_channels_of_unknown_accounts_alone() -> None:
    inv = Inventory()
    inv.companies["acme"] = Company("acme", "Acme")
    inv.companies["kid"] = Company("kid", "Acme Kids", "acme")
    inv.channels["us"] = _channel("us", "acme", "US")
    inv.channels["kid-uk"] = _channel("kid-uk", "kid", "UK", None)
    inv.channels["kid-de"] = _channel("kid-de", "kid", "DE", None)
    target = ConsentTarget(("kid-uk",), Region.EU, by_country("UK").id, None, "Acme Kids UK")
    result = coverage(inv, target, _authorized(OTHER, Region.EU, "UK", "DE"))
    # Nothing says kid-de sells through the same account (the plan gives it its own consent).
    assert result == Coverage(("kid-uk",), ())


def test_coverage_target_marketplace_not_listed_is_not_covered() -> None:
    inv = _eu_inventory()
    result = coverage(inv, _target(("uk",)), _authorized(SELLER, Region.EU, "DE"))
    assert result.channel_ids == ("de",)
    assert "uk" in dict(result.not_covered)


# --- the pending change ----------------------------------------------------------------------


def _workspace(inv: Inventory) -> Workspace:
    return Workspace(inv, MemorySecretStore(), namespace="test")


def test_authorization_change_makes_covered_channels_pending() -> None:
    inv = _eu_inventory()
    inv.authorizations["old"] = Authorization.new(
        SELLER, Region.EU, AuthSource.IMPORT, "test/authorization/old/1", NOW - timedelta(days=400)
    )
    inv.channels["uk"] = replace(inv.channels["uk"], authorization_id="old")
    workspace = _workspace(inv)
    authorized = _authorized(SELLER, Region.EU, "UK", "DE", "FR", "IT", "ES")
    covered = coverage(workspace.current, _target(), authorized)
    changes = authorization_change(workspace, authorized, covered, NOW)
    assert len(changes) == 1
    for change in changes:
        workspace.apply(change)
    current = workspace.current
    auth_id = authorized.authorization.id
    new = current.authorizations[auth_id]
    assert new.refresh_token_ref is not None
    assert ref_parts(new.refresh_token_ref) == ("test", "refresh-token", auth_id)
    assert new.previous_id == "old"
    assert workspace.pending_channel_ids() == {"uk", "de", "fr", "it", "es"}
    for channel_id in covered.channel_ids:
        channel = current.channels[channel_id]
        assert channel.authorization_id == auth_id
        assert channel.health.result is CheckResult.OK
        assert channel.health.checked_at == NOW
    assert workspace.secret(new.refresh_token_ref) == Secret("Atzr|new")
    assert workspace.saved.channels["uk"].authorization_id == "old"  # nothing saved yet


def test_authorization_change_records_a_returned_mws_token() -> None:
    workspace = _workspace(_eu_inventory())
    token = Secret("amzn.mws.4ea38b7b-f563-7709-4bae-87aea15c0c2d")
    authorized = replace(_authorized(SELLER, Region.EU, "UK", "DE"), mws_auth_token=token)
    covered = coverage(workspace.current, _target(), authorized)
    changes = authorization_change(workspace, authorized, covered, NOW)
    assert len(changes) == 3
    for change in changes:
        workspace.apply(change)
    for channel_id in ("uk", "de"):
        channel = workspace.current.channels[channel_id]
        assert channel.mws_merchant_token == SELLER
        assert channel.mws_auth_token_ref is not None
        assert ref_parts(channel.mws_auth_token_ref) == ("test", "mws-auth-token", channel_id)
        assert workspace.secret(channel.mws_auth_token_ref) == token
    assert workspace.current.channels["fr"].mws_auth_token_ref is None


def test_authorization_change_ignores_a_malformed_mws_token(
    expected_warnings: ExpectedWarnings,
) -> None:
    expected_warnings.allow("core.services.consent", r"MWS token in an unexpected format")
    workspace = _workspace(_eu_inventory())
    authorized = replace(
        _authorized(SELLER, Region.EU, "UK"), mws_auth_token=Secret("not-an-mws-token")
    )
    changes = authorization_change(workspace, authorized, Coverage(("uk",)), NOW)
    assert len(changes) == 1


def test_authorization_change_refuses_an_empty_coverage() -> None:
    workspace = _workspace(_eu_inventory())
    with pytest.raises(UserFacingError, match="does not cover any"):
        authorization_change(
            workspace, _authorized(SELLER, Region.EU, "UK"), Coverage((), (("uk", "x"),)), NOW
        )


def test_target_from_plan_item_and_channel() -> None:
    from core.domain.plan import build_plan

    inv = _eu_inventory()
    items = build_plan(inv, NOW)
    assert len(items) == 1
    target = ConsentTarget.from_plan_item(items[0])
    assert target.expected_seller_id == SELLER
    assert target.region is Region.EU
    assert set(target.channel_ids) == {"uk", "de", "fr", "it", "es"}
    single = ConsentTarget.for_channel(inv, "de")
    assert single.channel_ids == ("de",)
    assert single.expected_seller_id == SELLER
    assert single.marketplace.code == "DE"
