"""Roll back as a service: whether a selection can go back, to what, and the question's words."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from core.domain import changes as ch
from core.domain.dates import day
from core.domain.inventory import AuthSource, Inventory
from core.services import rollback
from tests.core.factories import CA, NOW, OTHER_SELLER, authorization, channel, company


def inventory() -> Inventory:
    """Acme US and CA share grant a2 (the wrong account), which replaced a1; ch3 has none."""
    inv = Inventory()
    inv.companies["c1"] = company()
    inv.authorizations["a1"] = authorization("a1", granted=NOW - timedelta(days=40))
    wrong = authorization("a2", OTHER_SELLER, previous_id="a1", granted=NOW - timedelta(days=1))
    inv.authorizations["a2"] = replace(
        wrong, store_name="Other Shop", source=AuthSource.SELF_AUTHORIZATION
    )
    inv.channels["ch1"] = channel(authorization_id="a2")
    inv.channels["ch2"] = channel("ch2", marketplace_id=CA, name="Acme CA", authorization_id="a2")
    inv.channels["ch3"] = channel("ch3", "c1", "A1AM78C64UM0Y8", name="Acme MX")
    return inv


def test_a_channel_offers_its_previous_grant_with_every_channel_sharing_it() -> None:
    found = rollback.offer(inventory(), ["ch1"])
    assert found.possible
    (step,) = found.steps
    assert step.restored.id == "a1"
    assert step.current.id == "a2"
    assert set(found.channel_ids) == {"ch1", "ch2"}


def test_the_question_names_what_comes_back_and_what_goes_away() -> None:
    inv = inventory()
    headline, details = rollback.question(rollback.offer(inv, ["ch2"]), NOW)
    assert headline == "Go back to the previous authorization?"
    back, away = details.split("Goes away:")
    a1, a2 = inv.authorizations["a1"], inv.authorizations["a2"]
    # What comes back: seller, store, granted date, source, expiry.
    for part in (a1.seller_id, '"Acme Store"', day(a1.granted_at), "consent", day(a1.expires_at)):
        assert part in back.split("Comes back:")[1]
    for part in (a2.seller_id, '"Other Shop"', day(a2.granted_at), "Seller Central"):
        assert part in away
    assert "2 channels share this authorization and move together: Acme US, Acme CA." in details
    assert "deleted from the keychain when you Save" in details
    assert "Undo" in details
    assert "Test connection" in details


def test_an_expired_earlier_grant_says_it_expired() -> None:
    inv = inventory()
    inv.authorizations["a1"] = authorization("a1", granted=NOW - timedelta(days=400))
    _headline, details = rollback.question(rollback.offer(inv, ["ch1"]), NOW)
    assert "it expired" in details.split("Goes away:")[0]


def test_without_an_earlier_grant_the_reason_is_given() -> None:
    inv = inventory()
    inv.channels["ch1"] = replace(inv.channels["ch1"], authorization_id="a1")
    found = rollback.offer(inv, ["ch1"])
    assert not found.possible
    assert "no earlier authorization" in found.reason
    assert rollback.why_not(inv, "ch1") == found.reason
    assert rollback.why_not(inv, "ch2") == ""


def test_a_channel_without_a_grant_and_an_empty_selection_are_refused_in_plain_words() -> None:
    assert "No authorization yet" in rollback.offer(inventory(), ["ch3"]).reason
    assert "No authorization yet" in rollback.why_not(inventory(), "ch3")
    assert rollback.offer(inventory(), []).reason == "Select a channel first."


def test_a_company_rolls_back_the_grants_that_can_and_leaves_the_others() -> None:
    inv = inventory()
    found = rollback.offer(inv, ["ch1", "ch2", "ch3"])
    assert set(found.channel_ids) == {"ch1", "ch2"}
    rollback.change(found).apply(inv)
    assert inv.channels["ch1"].authorization_id == "a1"
    assert inv.channels["ch3"].authorization_id is None
    assert "a2" not in inv.authorizations


def test_the_change_is_the_domain_roll_back() -> None:
    inv = inventory()
    touched = rollback.change(rollback.offer(inv, ["ch1"])).apply(inv)
    assert touched.channels == {"ch1", "ch2"}
    assert touched.authorizations == {"a2"}
    assert ch.roll_back_authorization(["ch1"]).description == "Roll back authorization"
