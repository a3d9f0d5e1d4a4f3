"""The tree rows without Qt: every row as its channel alone would have it, sort order, counts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.domain.inventory import CheckResult, Health, Inventory
from core.domain.samples import demo_inventory, generate_inventory
from core.domain.status import Category, category, channel_status, summarize
from core.services.view.nodes import ChannelRow, CompanyRow, search_text
from core.services.view.rows import InventoryRows, QuickFilter
from core.services.view.sorting import Column, channel_key, company_key
from tests.core.factories import NOW, channel, company

NAMESPACE = "test"


def demo() -> Inventory:
    return demo_inventory(NOW, NAMESPACE)[0]


def generated() -> Inventory:
    inventory = generate_inventory(3000, NOW, NAMESPACE, seed=11)[0]
    # Channels alike but for the last check's message, and alike but for their names: the rows
    # share work between alike channels, and must never share what differs.
    first = next(iter(inventory.channels.values()))
    failed = Health(NOW, CheckResult.FAILED, NOW, "one message")
    inventory.channels[first.id] = replace(first, health=failed)
    for n, twin_id in enumerate(("twin-a", "twin-b")):
        message = "one message" if n == 0 else "another message"
        twin = replace(first, id=twin_id, name=f"Twin {n}", health=replace(failed, message=message))
        inventory.channels[twin_id] = twin
    return inventory


@pytest.mark.parametrize("make", [demo, generated], ids=["demo", "generated"])
def test_every_row_shows_what_its_channel_alone_would(make: object) -> None:
    inventory = make()  # type: ignore[operator]
    ids = list(inventory.channels)
    pending = frozenset(ids[::7])
    rows = InventoryRows(inventory, NOW, pending, frozenset(list(inventory.companies)[:3]))
    assert rows.total == len(inventory.channels)
    for channel_id, ch in inventory.channels.items():
        row = rows.channels[channel_id]
        is_pending = channel_id in pending
        alone = channel_status(ch, inventory, NOW, pending=is_pending)
        assert row.status == alone, ch.name
        assert row.category == category(alone)
        assert row.search == search_text(ch, inventory.companies[ch.company_id])
        assert row.auth is inventory.authorization_of(ch)
        assert row.pending == is_pending


def test_counts_are_the_core_summary() -> None:
    inventory = generated()
    rows = InventoryRows(inventory, NOW)
    core = summarize(inventory, NOW)
    assert {c: rows.counts[c] for c in Category} == {
        Category.NEEDS_REAUTHORIZATION: core.needs_reauthorization,
        Category.APP_CREDENTIALS: core.app_credentials,
        Category.EXPIRING: core.expiring_soon,
        Category.CHECK_FAILED: core.check_failed,
        Category.HEALTHY: core.healthy,
    }


def test_search_text_folds_every_word_of_names_ids_and_marketplace() -> None:
    shop = company(name="Große Straße ΣΟΦΊΑ")
    ch = channel(name="Ørsted DE", seller_id="A2Seller", mws_merchant_token="A2Merchant")
    market = ch.marketplace
    words = (shop.name, ch.name, "A2Seller", "A2Merchant", market.country, market.code, market.id)
    assert search_text(ch, shop) == " ".join(words).casefold()
    assert "strasse" in search_text(ch, shop)
    assert (
        search_text(replace(ch, seller_id=None, mws_merchant_token=None), shop)
        == " ".join((shop.name, ch.name, "", "", market.country, market.code, market.id)).casefold()
    )


def _listed_in_order(rows: InventoryRows, column: Column, descending: bool) -> None:
    """Every company's shown rows: channels then companies, each in the column's order."""
    ckey, okey = channel_key(column), company_key(column)
    top = rows.shown
    assert top == sorted(top, key=okey, reverse=descending)
    for row in rows.companies.values():
        shown = rows.children(row)
        channels = [n for n in shown if isinstance(n, ChannelRow)]
        children = [n for n in shown if isinstance(n, CompanyRow)]
        assert shown == channels + children
        assert channels == sorted(row.channels, key=ckey, reverse=descending)
        assert children == sorted(row.children, key=okey, reverse=descending)
        assert [n.row for n in shown] == list(range(len(shown)))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("column", list(Column))
def test_rows_come_in_sort_order_listed_before_or_after_a_sort(
    column: Column, descending: bool
) -> None:
    inventory = generated()
    rows = InventoryRows(inventory, NOW)
    _listed_in_order(rows, Column.NAME, False)  # every company listed, in name order
    rows.set_sort(column, descending)  # the listed ones re-sorted in place
    _listed_in_order(rows, column, descending)
    rows.set_filter("a", QuickFilter.ALL)  # listed afresh: sorted on first use
    rows.set_sort(Column.NAME, not descending)
    rows.set_filter("", QuickFilter.ALL)
    _listed_in_order(rows, Column.NAME, not descending)
