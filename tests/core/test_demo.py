"""The demo inventory and the synthetic benchmark inventories (core.domain.samples)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from core.domain import marketplaces, validation
from core.domain.app_rules import app_secret_status
from core.domain.inventory import Inventory
from core.domain.plan import build_plan
from core.domain.samples import REDIRECT_URI, demo_inventory
from core.domain.secret import Secret
from core.domain.status import (
    ApiBadge,
    HealthKind,
    channel_status,
    failing_too_long,
)
from core.domain.synthetic import generate_inventory

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NS = "demo-test"


@pytest.fixture(scope="module")
def demo() -> tuple[Inventory, dict[str, Secret]]:
    return demo_inventory(NOW, NS)


@pytest.fixture(scope="module")
def generated() -> tuple[Inventory, dict[str, Secret]]:
    return generate_inventory(5000, NOW, NS)


def by_name(inv: Inventory, name: str) -> str:
    return next(c.id for c in inv.companies.values() if c.name == name)


def test_demo_passes_validation_without_warnings(demo: tuple[Inventory, dict[str, Secret]]) -> None:
    inv, _ = demo
    assert 8 <= len(inv.companies) <= 12
    for company in inv.companies.values():
        assert validation.check_company(company, inv) == [], company.name
    for channel in inv.channels.values():
        assert validation.check_channel(channel, inv) == [], channel.name
    for auth in inv.authorizations.values():
        assert validation.check_seller_id(auth.seller_id) == []


def test_demo_app_credentials_look_real(demo: tuple[Inventory, dict[str, Secret]]) -> None:
    app = demo[0].app
    assert validation.check_application_id(app.application_id) == []
    assert app.application_id.startswith("amzn1.sp.solution.")
    assert validation.check_lwa_client_id(app.lwa_client_id) == []
    assert validation.check_redirect_uri(app.redirect_uri) == []
    assert app.redirect_uri == REDIRECT_URI
    badge = app_secret_status(app, NOW)  # ~150 days old: the rotation warning shows
    assert badge is not None
    assert badge.kind is HealthKind.EXPIRES_SOON


def test_demo_secrets_cover_every_reference(demo: tuple[Inventory, dict[str, Secret]]) -> None:
    inv, secrets = demo
    assert set(secrets) == inv.secret_refs()
    assert all(ref.startswith(f"{NS}/") for ref in secrets)
    for auth in inv.authorizations.values():
        assert auth.refresh_token_ref is not None
        assert auth.refresh_token_ref.startswith(f"{NS}/refresh-token/{auth.id}/")
        assert secrets[auth.refresh_token_ref].reveal().startswith("Atzr|")
    assert inv.app.client_secret_ref is not None
    assert secrets[inv.app.client_secret_ref].reveal().startswith("amzn1.oa2-cs.v1.")
    mws = [c for c in inv.channels.values() if c.mws_auth_token_ref]
    assert len(mws) >= 3
    for channel in mws:
        ref = channel.mws_auth_token_ref
        assert ref is not None
        assert ref.startswith(f"{NS}/mws-auth-token/{channel.id}/")
        assert validation.check_mws_auth_token(secrets[ref].reveal()) == []
        assert channel.mws_merchant_token == channel.seller_id


def test_demo_authorizations_match_their_channels(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, _ = demo
    for channel in inv.channels.values():
        auth = inv.authorization_of(channel)
        if channel.authorization_id is not None:
            assert auth is not None
            assert auth.region is channel.region


def test_demo_shows_every_badge(demo: tuple[Inventory, dict[str, Secret]]) -> None:
    inv, _ = demo
    statuses = [channel_status(c, inv, NOW) for c in inv.channels.values()]
    assert {s.api for s in statuses} == set(ApiBadge)
    shown = {kind for s in statuses for kind in s.kinds}
    assert shown == set(HealthKind) - {HealthKind.UNSAVED}
    soon = [s.badge(HealthKind.EXPIRES_SOON) for s in statuses]
    assert "Expires in 20 days" in {b.text for b in soon if b is not None}


def test_demo_has_a_connection_failing_for_more_than_36_hours(
    demo: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, _ = demo
    assert any(failing_too_long(c, NOW) for c in inv.channels.values())


def test_demo_app_statuses_are_mixed(demo: tuple[Inventory, dict[str, Secret]]) -> None:
    inv, _ = demo
    assert len({c.app_status for c in inv.channels.values()}) == 3


def test_demo_plan_covers_every_plan_case(demo: tuple[Inventory, dict[str, Secret]]) -> None:
    inv, _ = demo
    items = build_plan(inv, NOW)
    alpine = by_name(inv, "Alpine Trail Outfitters")
    (eu,) = [i for i in items if i.company_ids == (alpine,) and i.region is marketplaces.Region.EU]
    assert eu.region is marketplaces.Region.EU
    assert len(eu.channel_ids) == 5
    assert eu.reasons == ("Expires in 20 days",) * 5

    northwind = by_name(inv, "Northwind Home & Garden")
    (family,) = [i for i in items if i.company_ids[0] == northwind]
    assert len(family.company_ids) == 3
    assert len(family.channel_ids) == 5

    acorn = by_name(inv, "Little Acorn Toys")
    far_east = [i for i in items if acorn in i.company_ids]
    assert len(far_east) == 2
    assert len({i.seller_id for i in far_east}) == 2

    assert sum(i.seller_id is None for i in items) == 1
    assert {r for i in items for r in i.reasons} >= {"MWS only", "Not connected", "Wrong account"}


def test_demo_values_are_the_same_every_time() -> None:
    first, first_secrets = demo_inventory(NOW, NS)
    second, second_secrets = demo_inventory(NOW, NS)
    assert sorted(s.reveal() for s in first_secrets.values()) == sorted(
        s.reveal() for s in second_secrets.values()
    )
    assert sorted(c.name for c in first.channels.values()) == sorted(
        c.name for c in second.channels.values()
    )
    assert first.app.application_id == second.app.application_id


@pytest.mark.parametrize("n", [0, 1, 6, 23])
def test_generate_makes_exactly_n_channels(n: int) -> None:
    inv, _ = generate_inventory(n, NOW, NS)
    assert len(inv.channels) == n


def test_generated_inventory_is_consistent(
    generated: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, secrets = generated
    assert len(inv.channels) == 5000
    assert set(secrets) == inv.secret_refs()
    seen: set[tuple[str, str]] = set()
    for channel in inv.channels.values():
        assert channel.marketplace_id in marketplaces.BY_ID
        assert channel.company_id in inv.companies
        key = (channel.company_id, channel.marketplace_id)
        assert key not in seen  # one channel per company per marketplace
        seen.add(key)
        if channel.seller_id is not None:
            assert validation.check_seller_id(channel.seller_id) == []
        if channel.authorization_id is not None:
            auth = inv.authorizations[channel.authorization_id]
            assert auth.region is channel.region
    for company in inv.companies.values():
        if company.parent_id is not None:
            assert inv.companies[company.parent_id].parent_id is None  # one level only


def test_generated_authorizations_are_shared_per_seller_and_region(
    generated: tuple[Inventory, dict[str, Secret]],
) -> None:
    inv, _ = generated
    auth_of_account: dict[tuple[str, marketplaces.Region], str] = {}
    for channel in inv.channels.values():
        if channel.authorization_id is None or channel.seller_id is None:
            continue
        account = (channel.seller_id, channel.region)
        assert auth_of_account.setdefault(account, channel.authorization_id) == (
            channel.authorization_id
        )
    shared = Counter(c.authorization_id for c in inv.channels.values() if c.authorization_id)
    assert max(shared.values()) > 1
    children = {c.id for c in inv.companies.values() if c.parent_id}
    assert children
    assert any(c.company_id in children and c.authorization_id for c in inv.channels.values())


def test_generated_mix_of_badges(generated: tuple[Inventory, dict[str, Secret]]) -> None:
    inv, _ = generated
    statuses = [channel_status(c, inv, NOW) for c in inv.channels.values()]
    apis = Counter(s.api for s in statuses)
    assert set(apis) == set(ApiBadge)
    assert 0.12 < apis[ApiBadge.MWS] / len(statuses) < 0.28
    kinds = Counter(k for s in statuses for k in s.kinds)
    assert set(kinds) == set(HealthKind) - {HealthKind.UNSAVED}
    assert 0.05 < kinds[HealthKind.EXPIRES_SOON] / len(statuses) < 0.15
    assert 0.02 < kinds[HealthKind.EXPIRED] / len(statuses) < 0.08
    assert any(c.seller_id is None for c in inv.channels.values())


def test_generate_is_reproducible_from_its_seed() -> None:
    first, _ = generate_inventory(300, NOW, NS, seed=7)
    again, _ = generate_inventory(300, NOW, NS, seed=7)
    other, _ = generate_inventory(300, NOW, NS, seed=8)
    assert first.channels == again.channels
    assert first.companies == again.companies
    assert first.channels != other.channels
