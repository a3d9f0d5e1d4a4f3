"""The tree rows without Qt: every row as its channel alone would have it, sort order, counts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.domain import changes as ch
from core.domain.inventory import CheckResult, Health, Inventory
from core.domain.samples import demo_inventory
from core.domain.status import channel_status
from core.domain.summary import Category, category, summarize
from core.domain.synthetic import generate_inventory
from core.services.view.nodes import ChannelRow, CompanyRow, search_text
from core.services.view.rows import InventoryRows, QuickFilter
from core.services.view.sorting import Column, channel_key, company_key
from core.services.view.updates import rows_to_update
from core.services.workspace import Workspace, WorkspaceEvent
from core.storage.keychain import MemorySecretStore
from tests.core.factories import CA, NOW, authorization, channel, company

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
    for channel_id, record in inventory.channels.items():
        row = rows.channels[channel_id]
        is_pending = channel_id in pending
        alone = channel_status(record, inventory, NOW, pending=is_pending)
        assert row.status == alone, record.name
        assert row.category == category(alone)
        assert row.search == search_text(record, inventory.companies[record.company_id])
        assert row.auth is inventory.authorization_of(record)
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


def _assert_listed_in_order(rows: InventoryRows, column: Column, descending: bool) -> None:
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
    _assert_listed_in_order(rows, Column.NAME, False)  # every company listed, in name order
    rows.set_sort(column, descending)  # the listed ones re-sorted in place
    _assert_listed_in_order(rows, column, descending)
    rows.set_filter("a", QuickFilter.ALL)  # listed afresh: sorted on first use
    rows.set_sort(Column.NAME, not descending)
    rows.set_filter("", QuickFilter.ALL)
    _assert_listed_in_order(rows, Column.NAME, not descending)


# --- which rows an event changes -------------------------------------------------------------


class Follower:
    """Rows kept in line with a workspace the way the GUI's model does, recording each answer."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.rows = InventoryRows(ws.current, NOW)
        self.answers: list[tuple[set[str], set[str]]] = []
        ws.changed.connect(self.follow)

    def follow(self, event: WorkspaceEvent) -> None:
        ws, rows = self.ws, self.rows
        pending_channels, pending_companies = ws.pending_channel_ids(), ws.pending_company_ids()
        answer = rows_to_update(rows, event, ws.current, pending_channels, pending_companies)
        self.answers.append(answer)
        # Then bring those rows in line (the model's RowUpdate does this with Qt signals).
        rows.inventory = ws.current
        rows.pending_channels, rows.pending_companies = pending_channels, pending_companies
        companies, channels = answer
        for company_id in companies:
            if company_id in rows.companies and company_id in ws.current.companies:
                rows.companies[company_id].company = ws.current.companies[company_id]
                rows.companies[company_id].pending = company_id in pending_companies
        for channel_id in channels:
            row = rows.channels.get(channel_id)
            if row is not None and channel_id in ws.current.channels:
                pending = channel_id in pending_channels
                rows.refresh(row, ws.current.channels[channel_id], NOW, pending)


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Workspace]:
    """Two companies; one grant shared by two channels of the first; a third channel alone."""
    ws = Workspace.open(tmp_path, MemorySecretStore())
    grant = authorization("a1", ref=None)
    inv = Inventory(
        companies={"c1": company("c1"), "c2": company("c2", "Bolt Tools")},
        channels={
            "ch1": channel("ch1", authorization_id="a1"),
            "ch2": channel("ch2", marketplace_id=CA, name="Acme CA", authorization_id="a1"),
            "ch3": channel("ch3", company_id="c2", name="Bolt US"),
        },
        authorizations={"a1": grant},
    )
    ws.apply(ch.replace_all(inv, {}, NOW))
    ws.save()
    yield ws
    ws.close()


def test_a_test_result_changes_its_channel_row_only(shared: Workspace) -> None:
    follower = Follower(shared)
    shared.record_health({"ch1": Health(NOW, CheckResult.FAILED, NOW, "Amazon did not answer")})
    assert follower.answers == [(set(), {"ch1"})]


def test_an_edited_company_changes_its_row_and_its_channels_unsaved_badges(
    shared: Workspace,
) -> None:
    follower = Follower(shared)
    shared.apply(ch.edit_company(replace(shared.current.companies["c1"], notes="New notes")))
    assert follower.answers == [({"c1"}, {"ch1", "ch2"})]
    shared.apply(ch.edit_company(replace(shared.current.companies["c1"], notes="Newer notes")))
    # The event names the company's channels again (they show Unsaved); nothing else moves.
    assert follower.answers[-1] == ({"c1"}, {"ch1", "ch2"})
    shared.save()  # the same inventory, saved: the Unsaved badges go, nothing else
    assert follower.answers[-1] == ({"c1"}, {"ch1", "ch2"})


def test_a_shared_grant_replaced_through_one_channel_changes_every_channel_on_it(
    shared: Workspace,
) -> None:
    follower = Follower(shared)
    grant = shared.current.authorizations["a1"]
    confirmed = replace(grant, expires_at=NOW + timedelta(days=3))
    shared.apply(ch.set_authorization(confirmed, None, ["ch1"], Health()))
    assert follower.answers[-1] == (set(), {"ch1", "ch2"})  # ch2 was not named
    row = follower.rows.channels["ch2"]
    assert row.auth is confirmed
    assert row.status == channel_status(row.channel, shared.current, NOW, pending=True)
    again = replace(confirmed, expires_at=NOW + timedelta(days=2))
    shared.apply(ch.set_authorization(again, None, ["ch1"], Health()))
    assert follower.answers[-1] == (set(), {"ch1", "ch2"})  # already pending: still found


def test_undo_compares_every_row(shared: Workspace) -> None:
    follower = Follower(shared)
    shared.apply(ch.edit_channel(replace(shared.current.channels["ch3"], name="Bolt USA")))
    shared.apply(ch.edit_company(replace(shared.current.companies["c1"], name="Acme Ltd")))
    shared.undo()  # a new inventory: the company's rename and its channels' badges go
    assert follower.answers[-1] == ({"c1"}, {"ch1", "ch2", "ch3"})  # ch3 stays Unsaved
    shared.undo()
    assert follower.answers[-1] == (set(), {"ch3"})


# --- the filter ------------------------------------------------------------------------------


def shown_ids(rows: InventoryRows) -> tuple[set[str], set[str], list[str]]:
    """The channels and companies a filter shows, and the top-level order."""
    channels = {r.id for r in rows.channels.values() if rows.is_shown(r)}
    companies = {c.id for c in rows.companies.values() if rows.is_shown(c)}
    return channels, companies, [c.id for c in rows.shown]


def test_typing_and_erasing_shows_what_a_fresh_filter_would() -> None:
    inventory = generated()
    rows = InventoryRows(inventory, NOW)
    typed = ["h", "ha", "har", "harb", "har", "ha", "h", "", "1", "1 a", "1 ab", "1 a", "ab"]
    typed += ["ab 1", "b", "", "willow", "willow 0", "illow", "germany", "erman", "e"]
    for quick in (QuickFilter.ALL, QuickFilter.ATTENTION, QuickFilter.MWS):
        for text in typed:
            rows.set_filter(text, quick)
            fresh = InventoryRows(inventory, NOW)
            fresh.set_filter(text, quick)
            assert shown_ids(rows) == shown_ids(fresh), (text, quick)


def test_a_changed_row_is_found_by_words_looked_for_before() -> None:
    inventory = generated()
    rows = InventoryRows(inventory, NOW)
    rows.set_filter("zephyr", QuickFilter.ALL)
    assert not rows.matched
    row = next(iter(rows.channels.values()))
    renamed = replace(row.channel, name="Zephyr Goods")
    inventory.channels[renamed.id] = renamed
    rows.refresh(row, renamed, NOW, pending=True)
    rows.set_filter("zep", QuickFilter.ALL)
    rows.set_filter("zephyr", QuickFilter.ALL)
    assert rows.matched == {row.key}
