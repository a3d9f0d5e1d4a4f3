"""The reauthorization plan (core.domain.plan): fewest consents, one per seller per region."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.domain import marketplaces
from core.domain.inventory import (
    GRANT_LIFETIME,
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Company,
    Health,
    Inventory,
)
from core.domain.marketplaces import Region
from core.domain.plan import PlanItem, build_plan, consent_seller_id, plan_reason
from core.domain.status import channel_status

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EU_SC = "https://sellercentral-europe.amazon.com"
S1 = "A1EXAMPLESELL1"
S2 = "A2EXAMPLESELL2"
S3 = "A3EXAMPLESELL3"


class Builder:
    """Terse inventory building: marketplaces by country code, authorizations by expiry."""

    def __init__(self) -> None:
        self.inv = Inventory()

    def company(self, cid: str, name: str | None = None, parent: str | None = None) -> str:
        self.inv.companies[cid] = Company(cid, name or cid.title(), parent)
        return cid

    def auth(
        self, aid: str, seller: str, region: Region, days: float = 200, store: str = ""
    ) -> str:
        granted = NOW + timedelta(days=days) - GRANT_LIFETIME
        self.inv.authorizations[aid] = Authorization.new(
            seller, region, AuthSource.CONSENT, f"ns/{aid}", granted, store_name=store, auth_id=aid
        )
        return aid

    def channel(
        self,
        chid: str,
        company: str,
        code: str,
        seller: str | None = S1,
        auth: str | None = None,
        *,
        mws: bool = False,
        result: CheckResult | None = None,
    ) -> str:
        self.inv.channels[chid] = Channel(
            chid,
            company,
            marketplaces.by_country(code).id,
            seller_id=seller,
            authorization_id=auth,
            mws_merchant_token=seller if mws else None,
            mws_auth_token_ref="ns/mws" if mws else None,
            health=Health(NOW, result, NOW) if result else Health(),
        )
        return chid

    def plan(self, **kw: Any) -> list[PlanItem]:
        return build_plan(self.inv, NOW, **kw)


def eu_unified(b: Builder, days: float = -5) -> None:
    b.company("acme", "Acme Outdoor")
    b.auth("a-eu", S1, Region.EU, days, store="Acme EU")
    for code in ("UK", "DE", "FR", "IT", "ES"):
        b.channel(f"acme-{code.lower()}", "acme", code, S1, "a-eu")


def test_eu_unified_account_is_one_consent_for_five_channels() -> None:
    b = Builder()
    eu_unified(b)
    (item,) = b.plan()
    assert item.region is Region.EU
    assert item.seller_id == S1
    assert item.key == f"EU/seller/{S1}"
    # Marketplace table order: Spain, United Kingdom, France, Germany, Italy.
    assert item.channel_ids == ("acme-es", "acme-uk", "acme-fr", "acme-de", "acme-it")
    assert item.reasons == ("Expired",) * 5
    assert item.company_ids == ("acme",)
    assert item.lead_marketplace_id == marketplaces.by_country("ES").id
    assert item.seller_central_url == EU_SC
    assert item.title == f"Europe: Seller {S1}, 5 channels"
    assert S1 in item.account_hint
    assert "Acme EU" in item.account_hint  # the store name helps pick the right account
    assert "Acme Outdoor" in item.account_hint


def test_far_east_japan_and_australia_as_different_sellers_are_two_consents() -> None:
    b = Builder()
    b.company("toys")
    b.channel("jp", "toys", "JP", S1, b.auth("a-jp", S1, Region.FE, days=-1))
    b.channel("au", "toys", "AU", S2, b.auth("a-au", S2, Region.FE, days=10))
    items = b.plan()
    assert [(i.seller_id, i.channel_ids, i.reasons) for i in items] == [
        (S1, ("jp",), ("Expired",)),
        (S2, ("au",), ("Expires in 10 days",)),
    ]
    assert [i.seller_central_url for i in items] == [
        "https://sellercentral.amazon.co.jp",
        "https://sellercentral.amazon.com.au",
    ]
    assert items[0].title == f"Far East: Seller {S1}, 1 channel"


def unified_family(b: Builder, parent_days: float = -3) -> None:
    """Parent "Northwind" (DE) with children "Outdoor" (FR, own Seller ID) and "Pets" (IT, ES)."""
    b.company("nw", "Northwind")
    b.company("outdoor", "Northwind Outdoor", "nw")
    b.company("pets", "Northwind Pets", "nw")
    b.auth("a-nw", S1, Region.EU, parent_days)
    b.channel("nw-de", "nw", "DE", S1, "a-nw")
    b.channel("outdoor-fr", "outdoor", "FR", S1, "a-nw")
    b.channel("pets-it", "pets", "IT", None, "a-nw")  # the workspace assigned the parent's grant
    b.channel("pets-es", "pets", "ES", None)  # nothing of its own: takes the parent's Seller ID


def test_parent_with_two_unified_children_is_one_consent() -> None:
    b = Builder()
    unified_family(b)
    (item,) = b.plan()
    assert item.seller_id == S1
    assert item.company_ids == ("nw", "outdoor", "pets")
    assert item.channel_ids == ("nw-de", "outdoor-fr", "pets-es", "pets-it")
    assert item.reasons == ("Expired", "Expired", "Not connected", "Expired")
    # The parent's channel leads even though Spain and France come first in the table.
    assert item.lead_marketplace_id == marketplaces.by_country("DE").id
    assert "Northwind" in item.account_hint


def test_children_alone_still_use_the_parents_account_and_site() -> None:
    b = Builder()
    unified_family(b, parent_days=200)  # the parent's own grant is healthy
    b.channel("nw-nl", "nw", "NL", S1, "a-nw")
    b.inv.channels["outdoor-fr"] = replace(b.inv.channels["outdoor-fr"], authorization_id=None)
    b.inv.channels["pets-it"] = replace(b.inv.channels["pets-it"], authorization_id=None)
    (item,) = b.plan()
    assert item.channel_ids == ("outdoor-fr", "pets-es", "pets-it")
    assert item.company_ids == ("nw", "outdoor", "pets")  # the parent is named first
    # The parent's first channel in table order (Netherlands before Germany) decides the site.
    assert item.lead_marketplace_id == marketplaces.by_country("NL").id
    assert item.seller_central_url == "https://sellercentral.amazon.nl"


def test_child_without_seller_id_and_no_parent_channel_in_region_is_its_own_consent() -> None:
    b = Builder()
    b.company("nw", "Northwind")
    b.company("pets", "Northwind Pets", "nw")
    b.channel("nw-us", "nw", "US", S1)  # the parent sells in North America only
    b.channel("pets-uk", "pets", "UK", None)
    items = b.plan()
    assert [(i.region, i.seller_id, i.channel_ids) for i in items] == [
        (Region.NA, S1, ("nw-us",)),
        (Region.EU, None, ("pets-uk",)),
    ]
    assert items[1].company_ids == ("nw", "pets")


def test_child_with_a_different_seller_id_is_a_separate_consent() -> None:
    b = Builder()
    b.company("nw", "Northwind")
    b.company("pets", "Northwind Pets", "nw")
    b.channel("nw-de", "nw", "DE", S1)
    b.channel("pets-fr", "pets", "FR", S2)
    items = b.plan()
    assert [i.seller_id for i in items] == [S1, S2]
    assert items[1].company_ids == ("nw", "pets")


def test_channels_without_seller_id_are_one_consent_each() -> None:
    b = Builder()
    b.company("maple", "Maple & Moss")
    b.channel("uk", "maple", "UK", None)
    b.channel("de", "maple", "DE", None)
    items = b.plan()
    assert sorted(i.channel_ids for i in items) == [("de",), ("uk",)]
    for item in items:
        assert item.seller_id is None
        assert item.key == f"EU/channel/{item.channel_ids[0]}"
        assert "Seller ID unknown" in item.title
        assert "note which one you chose" in item.account_hint
    by_channel = {i.channel_ids[0]: i for i in items}
    assert by_channel["uk"].title == (
        "Europe: Seller ID unknown (Maple & Moss, United Kingdom), 1 channel"
    )


@pytest.mark.parametrize(
    ("days", "planned", "reason"),
    [
        (200, False, None),
        (31, False, None),
        (30, True, "Expires in 30 days"),
        (29, True, "Expires in 29 days"),
        (0.5, True, "Urgent: 1 day left"),
        (-1, True, "Expired"),
    ],
)
def test_healthy_channels_are_left_out_unless_expiring(
    days: float, planned: bool, reason: str | None
) -> None:
    b = Builder()
    b.company("c")
    b.channel("ch", "c", "US", S1, b.auth("a", S1, Region.NA, days))
    items = b.plan()
    assert [i.reasons for i in items] == ([(reason,)] if planned else [])


def test_warning_window_is_adjustable() -> None:
    b = Builder()
    b.company("c")
    b.channel("ch", "c", "US", S1, b.auth("a", S1, Region.NA, 12))
    assert b.plan(warn_days=7) == []
    assert len(b.plan(warn_days=12)) == 1


@pytest.mark.parametrize(
    ("result", "days", "reason"),
    [
        (CheckResult.FAILED, 200, None),  # a consent does not fix the network
        (CheckResult.APP_CREDENTIALS, 200, None),  # nor the app's own credentials
        (CheckResult.FAILED, -2, "Expired"),
        (CheckResult.APP_CREDENTIALS, 5, "Urgent: 5 days left"),
        (CheckResult.NEEDS_REAUTHORIZATION, 200, "Needs reauthorization"),
        (CheckResult.WRONG_ACCOUNT, 200, "Wrong account"),
        (CheckResult.OK, 200, None),
    ],
)
def test_check_results_and_plan(result: CheckResult, days: float, reason: str | None) -> None:
    b = Builder()
    b.company("c")
    b.channel("ch", "c", "US", S1, b.auth("a", S1, Region.NA, days), result=result)
    assert [i.reasons for i in b.plan()] == ([(reason,)] if reason else [])


@pytest.mark.parametrize(
    ("seller", "auth_seller", "auth_days", "mws", "result", "reason"),
    [
        (S1, None, 0, True, None, "MWS only"),
        (S1, None, 0, False, None, "Not connected"),
        (S1, S2, 200, False, None, "Wrong account"),
        (S1, S2, -1, False, None, "Wrong account"),  # the most urgent reason only
        (S1, S1, -1, False, CheckResult.NEEDS_REAUTHORIZATION, "Expired"),
        (S1, S1, 200, True, CheckResult.NEEDS_REAUTHORIZATION, "Needs reauthorization"),
        (S1, S1, 3, True, None, "Urgent: 3 days left"),
        (S1, S1, 200, True, None, None),
    ],
)
def test_plan_reason(
    seller: str,
    auth_seller: str | None,
    auth_days: float,
    mws: bool,
    result: CheckResult | None,
    reason: str | None,
) -> None:
    b = Builder()
    b.company("c")
    auth = b.auth("a", auth_seller, Region.NA, auth_days) if auth_seller else None
    b.channel("ch", "c", "US", seller, auth, mws=mws, result=result)
    assert plan_reason(channel_status(b.inv.channels["ch"], b.inv, NOW)) == reason


def test_same_seller_in_two_regions_is_two_consents() -> None:
    b = Builder()
    b.company("c")
    b.channel("us", "c", "US", S1, mws=True)
    b.channel("uk", "c", "UK", S1, mws=True)
    items = b.plan()
    assert [(i.key, i.channel_ids) for i in items] == [
        (f"NA/seller/{S1}", ("us",)),
        (f"EU/seller/{S1}", ("uk",)),
    ]


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (Channel("x", "c", "ATVPDKIKX0DER", seller_id=f" {S1.lower()} "), S1),
        (Channel("x", "c", "ATVPDKIKX0DER", mws_merchant_token=S2), S2),
        (Channel("x", "c", "ATVPDKIKX0DER", seller_id=S1, mws_merchant_token=S2), S1),
        (Channel("x", "c", "ATVPDKIKX0DER", authorization_id="a"), S3),
        (Channel("x", "c", "ATVPDKIKX0DER", seller_id="", authorization_id="a"), S3),
        (Channel("x", "c", "ATVPDKIKX0DER"), None),
    ],
)
def test_consent_seller_id_fallbacks(channel: Channel, expected: str | None) -> None:
    b = Builder()
    b.company("c")
    b.auth("a", S3, Region.NA)
    assert consent_seller_id(channel, b.inv) == expected


def test_seller_ids_are_grouped_regardless_of_case() -> None:
    b = Builder()
    b.company("c")
    b.company("d")
    b.channel("c-us", "c", "US", S1, mws=True)
    b.channel("d-ca", "d", "CA", S1.lower(), mws=True)
    (item,) = b.plan()
    assert item.channel_ids == ("c-us", "d-ca")
    assert item.company_ids == ("c", "d")


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        (None, {f"EU/seller/{S1}": 5, f"EU/seller/{S2}": 4}),
        ([], {}),
        (["acme-de"], {f"EU/seller/{S1}": 1}),
        (["acme-de", "acme-fr", "pets-es"], {f"EU/seller/{S1}": 2, f"EU/seller/{S2}": 1}),
        (iter(["pets-it"]), {f"EU/seller/{S2}": 1}),
        (["no-such-channel"], {}),
    ],
)
def test_selected_limits_the_plan(selected: list[str] | None, expected: dict[str, int]) -> None:
    b = Builder()
    eu_unified(b)
    b.company("nw", "Northwind")
    b.company("pets", "Northwind Pets", "nw")
    b.auth("a-nw", S2, Region.EU, -3)
    b.channel("nw-de", "nw", "DE", S2, "a-nw")
    b.channel("nw-fr", "nw", "FR", S2, "a-nw")
    b.channel("pets-it", "pets", "IT", None, "a-nw")
    b.channel("pets-es", "pets", "ES", None)
    items = b.plan(selected=selected)
    assert {i.key: len(i.channel_ids) for i in items} == expected


def test_selected_child_is_planned_under_its_parent() -> None:
    b = Builder()
    unified_family(b)
    (item,) = b.plan(selected=["pets-es"])
    assert item.key == f"EU/seller/{S1}"
    assert item.channel_ids == ("pets-es",)
    assert item.company_ids == ("nw", "pets")
    assert item.lead_marketplace_id == marketplaces.by_country("DE").id  # the parent's site


def test_pending_channels_are_planned_from_what_the_working_copy_shows() -> None:
    b = Builder()
    eu_unified(b)
    pending = frozenset({"acme-uk"})
    (item,) = b.plan(pending_channel_ids=pending)
    assert item.reason_of("acme-uk") == "Expired"


def test_reason_of_unknown_channel() -> None:
    b = Builder()
    eu_unified(b)
    (item,) = b.plan()
    assert item.reason_of("acme-fr") == "Expired"
    with pytest.raises(KeyError):
        item.reason_of("nope")


def mixed_inventory(order_seed: int) -> Inventory:
    """Several regions and sellers, inserted in an order that depends on ``order_seed``."""
    b = Builder()
    for cid in ("zeta", "alpha", "mid"):
        b.company(cid)
    rows = [
        ("z-jp", "zeta", "JP", S2),
        ("z-au", "zeta", "AU", S1),
        ("a-us", "alpha", "US", S2),
        ("a-ca", "alpha", "CA", S2),
        ("m-mx", "mid", "MX", S1),
        ("m-uk", "mid", "UK", S3),
        ("a-de", "alpha", "DE", None),
        ("z-fr", "zeta", "FR", None),
        ("m-br", "mid", "BR", None),
    ]
    random.Random(order_seed).shuffle(rows)
    for chid, cid, code, seller in rows:
        b.channel(chid, cid, code, seller, mws=seller is not None)
    return b.inv


@pytest.mark.parametrize("order_seed", [0, 1, 2, 3])
def test_order_is_region_then_seller_then_title(order_seed: int) -> None:
    items = build_plan(mixed_inventory(order_seed), NOW)
    assert [(i.region.value, i.seller_id, i.channel_ids) for i in items] == [
        ("NA", S1, ("m-mx",)),
        ("NA", S2, ("a-ca", "a-us")),  # table order: Canada first
        ("NA", None, ("m-br",)),
        ("EU", S3, ("m-uk",)),
        ("EU", None, ("a-de",)),  # titles: "Alpha" before "Zeta"
        ("EU", None, ("z-fr",)),
        ("FE", S1, ("z-au",)),
        ("FE", S2, ("z-jp",)),
    ]


def test_empty_inventory_has_an_empty_plan() -> None:
    assert build_plan(Inventory(), NOW) == []
