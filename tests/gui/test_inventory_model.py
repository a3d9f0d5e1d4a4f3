"""The inventory model: Qt's model tester, filters, sort, summary counts and row updates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from core.domain import changes
from core.domain.inventory import Channel, CheckResult, Company, Health, new_id, utcnow
from core.domain.samples import demo_inventory
from core.domain.status import ApiBadge
from core.domain.summary import Category, summarize
from core.domain.synthetic import generate_inventory
from core.services.view.rows import InventoryRows, QuickFilter
from core.services.view.sorting import Column
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from gui.bridge import Bridge
from gui.inventory.model import FETCH_BATCH, InventoryModel, KeyRole, StatusRole

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"


def make_workspace(tmp_path: Any, inventory_fn: Any = None) -> Workspace:
    ws = Workspace.open(tmp_path / "inv", MemorySecretStore())
    now = utcnow()
    inventory, values = (inventory_fn or demo_inventory)(now, ws.namespace)
    ws.apply(changes.replace_all(inventory, values, now))
    ws.save()
    return ws


@pytest.fixture
def ws(tmp_path: Any) -> Any:
    workspace = make_workspace(tmp_path)
    yield workspace
    workspace.close()


@pytest.fixture
def model(ws: Workspace, qtmodeltester: Any) -> InventoryModel:
    model = InventoryModel()
    rows = InventoryRows(ws.current, utcnow(), ws.pending_channel_ids(), ws.pending_company_ids())
    model.load(rows, ws)
    bridge = Bridge(model)
    bridge.listen(ws.changed, model.on_workspace_event)
    qtmodeltester.check(model)  # the tester stays attached: every later change is checked too
    return model


def all_keys(model: InventoryModel, parent: QModelIndex | None = None) -> list[tuple[str, str]]:
    parent = parent or QModelIndex()
    keys = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        keys.append(index.data(KeyRole))
        keys.extend(all_keys(model, index))
    return keys


def names(model: InventoryModel) -> list[str]:
    out = []
    for kind, item_id in all_keys(model):
        index = model.index_of(kind, item_id)
        out.append(index.data())
    return out


def channel_named(ws: Workspace, name: str) -> Channel:
    return next(c for c in ws.current.channels.values() if c.name == name)


def company_named(ws: Workspace, name: str) -> Company:
    return next(c for c in ws.current.companies.values() if c.name == name)


def badge_texts(model: InventoryModel, kind: str, item_id: str) -> list[str]:
    index = model.index_of(kind, item_id, Column.STATUS)
    return [b.text for b in index.data(StatusRole)]


def test_the_tree_shows_companies_unified_children_and_channels(
    model: InventoryModel, ws: Workspace
) -> None:
    inv = ws.current
    assert len(all_keys(model)) == len(inv.companies) + len(inv.channels)
    northwind = company_named(ws, "Northwind Home & Garden")
    outdoor = company_named(ws, "Northwind Outdoor Living")
    child = model.index_of("company", outdoor.id)
    assert child.parent().data(KeyRole) == ("company", northwind.id)
    assert "Unified" in badge_texts(model, "company", outdoor.id)
    top = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "Northwind Outdoor Living" not in top
    assert top == sorted(top, key=str.casefold)


def test_columns_show_marketplace_seller_status_expiry_and_last_check(
    model: InventoryModel, ws: Workspace
) -> None:
    channel = channel_named(ws, "Alpine Trail Outfitters DE")
    row = [model.index_of("channel", channel.id, c).data() for c in Column]
    assert row[Column.MARKETPLACE] == "Germany (DE)"
    assert row[Column.SELLER_ID] == "A1ALPINETRAIL7Q"
    assert row[Column.STATUS].startswith("SP-API, Expires in")
    assert row[Column.EXPIRES][-4:].isdigit()
    assert row[Column.LAST_CHECK].endswith("ago")
    assert badge_texts(model, "channel", channel.id)[0] == "SP-API"
    tooltip = model.index_of("channel", channel.id, Column.STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert "Reauthorize it before then" in tooltip


def test_summary_counts_match_the_core_summary(model: InventoryModel, ws: Workspace) -> None:
    core = summarize(ws.current, utcnow())
    counts = model.counts
    assert counts[Category.NEEDS_REAUTHORIZATION] == core.needs_reauthorization
    assert counts[Category.EXPIRING] == core.expiring_soon
    assert counts[Category.CHECK_FAILED] == core.check_failed
    assert counts[Category.APP_CREDENTIALS] == core.app_credentials
    assert counts[Category.HEALTHY] == core.healthy
    assert model.total == core.total


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acorn", {"Little Acorn Toys", "Little Acorn Toys AU", "Little Acorn Toys JP"}),
        (
            "A3COPPERPOT5NW",
            {"Copper Pot Kitchenware", "Copper Pot Kitchenware US", "Copper Pot Kitchenware MX"},
        ),
        ("sweden", {"Golden Hive Honey Co.", "Golden Hive Honey Co. SE"}),
        (
            "pet it",
            {"Northwind Home & Garden", "Northwind Pet Supplies", "Northwind Pet Supplies IT"},
        ),
    ],
)
def test_filter_by_name_seller_id_country_and_code(
    model: InventoryModel, text: str, expected: set[str]
) -> None:
    model.set_filter(text, QuickFilter.ALL)
    assert set(names(model)) == expected
    model.set_filter("", QuickFilter.ALL)
    assert len(names(model)) == model.total + len(model.rows.companies)  # type: ignore[union-attr]


def test_quick_filters(model: InventoryModel, ws: Workspace) -> None:
    rows = model.rows
    assert rows is not None

    def shown_channels() -> set[str]:
        return {i for kind, i in all_keys(model) if kind == "channel"}

    model.set_filter("", QuickFilter.MWS)
    assert shown_channels() == {
        r.id for r in rows.channels.values() if r.status.api is ApiBadge.MWS
    }
    assert shown_channels()
    model.set_filter("", QuickFilter.EXPIRING)
    assert len(shown_channels()) == model.counts[Category.EXPIRING] > 0
    model.set_filter("", QuickFilter.ATTENTION)
    assert len(shown_channels()) == model.total - model.counts[Category.HEALTHY]
    model.set_filter("alpine", QuickFilter.ATTENTION)
    assert len(shown_channels()) == 5  # the healthy US channel is left out
    model.set_filter("", QuickFilter.ALL)
    assert len(shown_channels()) == model.total


def test_sorting_by_status_puts_problems_first(model: InventoryModel, ws: Workspace) -> None:
    model.sort(Column.STATUS, Qt.SortOrder.AscendingOrder)
    alpine = model.index_of("company", company_named(ws, "Alpine Trail Outfitters").id)
    first = model.index(0, Column.STATUS, alpine).data()
    last = model.index(model.rowCount(alpine) - 1, Column.STATUS, alpine).data()
    assert "Expires in" in first
    assert last == "SP-API"
    model.sort(Column.NAME, Qt.SortOrder.DescendingOrder)
    top = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert top == sorted(top, key=str.casefold, reverse=True)


def test_an_edit_updates_one_row_without_a_reset(
    model: InventoryModel, ws: Workspace, qtbot: Any
) -> None:
    channel = channel_named(ws, "Summit Cycle Parts CA")
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignal(model.dataChanged) as changed:
        ws.apply(changes.edit_channel(replace(channel, name="Summit Canada")))
    assert changed.args[0].data(KeyRole) == ("channel", channel.id)
    assert model.index_of("channel", channel.id).data() == "Summit Canada"
    assert "Unsaved" in badge_texts(model, "channel", channel.id)
    ws.save()
    assert "Unsaved" not in badge_texts(model, "channel", channel.id)
    assert not resets


def test_inserts_moves_and_removals_keep_the_model_consistent(
    model: InventoryModel, ws: Workspace, qtbot: Any
) -> None:
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    company = Company(new_id(), "Zephyr Goods")
    with qtbot.waitSignal(model.rowsInserted):
        ws.apply(changes.add_company(company))
    channel = Channel(new_id(), company.id, US, "Zephyr US", "A1ZEPHYRGOODS9")
    with qtbot.waitSignal(model.rowsInserted):
        ws.apply(changes.add_channel(channel))
    assert model.index_of("channel", channel.id).parent().data(KeyRole) == ("company", company.id)
    northwind = company_named(ws, "Northwind Home & Garden")
    with qtbot.waitSignal(model.rowsMoved):  # becomes a unified child
        ws.apply(changes.edit_company(replace(company, parent_id=northwind.id)))
    assert model.index_of("company", company.id).parent().data(KeyRole) == (
        "company",
        northwind.id,
    )
    with qtbot.waitSignal(model.rowsRemoved):
        ws.apply(changes.remove_channel(channel.id))
    with qtbot.waitSignal(model.rowsRemoved):
        ws.apply(changes.remove_company(company.id))
    assert not model.index_of("company", company.id).isValid()
    before = model.total
    ws.undo()  # the company comes back (with no channel: that removal is still pending)
    assert model.index_of("company", company.id).isValid()
    ws.undo()
    assert model.index_of("channel", channel.id).isValid()
    assert model.total == before + 1
    assert not resets
    ws.revert()
    assert not model.index_of("company", company.id).isValid()
    assert model.total == len(ws.current.channels)


def test_rows_added_under_a_filter_show_until_the_filter_changes(
    model: InventoryModel, ws: Workspace
) -> None:
    model.set_filter("acorn", QuickFilter.ALL)
    acorn = company_named(ws, "Little Acorn Toys")
    channel = Channel(new_id(), acorn.id, DE, "Little Acorn Toys DE", None)
    ws.apply(changes.add_channel(channel))
    assert model.index_of("channel", channel.id).isValid()
    hidden = Company(new_id(), "Quiet Company")
    ws.apply(changes.add_company(hidden))
    assert model.index_of("company", hidden.id).isValid()  # new rows always show
    model.set_filter("acorn ", QuickFilter.MWS)
    assert not model.index_of("company", hidden.id).isValid()


def test_summary_follows_edits(model: InventoryModel, ws: Workspace, qtbot: Any) -> None:
    healthy = model.counts[Category.HEALTHY]
    channel = channel_named(ws, "Alpine Trail Outfitters US")
    with qtbot.waitSignal(model.summaryChanged):
        ws.apply(changes.remove_channel(channel.id))
    assert model.counts[Category.HEALTHY] == healthy - 1


@pytest.fixture
def large(tmp_path: Any) -> Any:
    ws = make_workspace(tmp_path, lambda now, ns: generate_inventory(2_000, now, ns, seed=3))
    model = InventoryModel()
    model.load(InventoryRows(ws.current, utcnow()), ws)
    Bridge(model).listen(ws.changed, model.on_workspace_event)
    yield model, ws
    ws.close()


def test_a_large_inventory_is_fetched_in_batches(large: Any) -> None:
    model, ws = large
    rows = model.rows
    tops = len(rows.shown)
    assert model.rowCount() == FETCH_BATCH < tops  # the view gets the rest as it scrolls
    assert model.canFetchMore(QModelIndex())
    last = rows.shown[-1]
    index = model.index_of("company", last.id)  # selecting it fetches up to it
    assert index.row() == tops - 1
    assert model.rowCount() == tops
    assert not model.canFetchMore(QModelIndex())
    model.set_filter("", QuickFilter.MWS)
    model.set_filter("", QuickFilter.ALL)
    assert model.rowCount() == FETCH_BATCH  # a filter starts again from one batch
    late = Company(new_id(), "Zzz Last Company")  # sorts after every fetched row
    ws.apply(changes.add_company(late))
    assert model.rowCount() == FETCH_BATCH  # not fetched yet: the view learns of it later
    assert model.index_of("company", late.id).isValid()
    early = Company(new_id(), "000 First Company")
    ws.apply(changes.add_company(early))
    assert model.index(0, 0).data() == "000 First Company"
    ws.apply(changes.remove_company(early.id))
    assert model.index(0, 0).data() != "000 First Company"


def test_a_large_inventory_passes_the_model_tester(large: Any, qtmodeltester: Any) -> None:
    model, ws = large
    qtmodeltester.check(model)
    some = next(iter(ws.current.channels.values()))
    model.set_filter(some.seller_id or some.name, QuickFilter.ALL)
    assert model.index_of("channel", some.id).isValid()
    ws.apply(changes.edit_channel(replace(some, name="Renamed channel")))
    assert model.index_of("channel", some.id).data() == "Renamed channel"
    model.sort(Column.STATUS, Qt.SortOrder.DescendingOrder)
    ws.apply(changes.remove_channel(some.id))
    assert not model.index_of("channel", some.id).isValid()
    ws.undo()
    assert model.index_of("channel", some.id).isValid()


class Signals:
    """Records what the model tells its views: the rows given dataChanged, and anything else."""

    def __init__(self, model: InventoryModel) -> None:
        self.changed: list[tuple[str, str]] = []
        self.other: list[str] = []
        model.dataChanged.connect(self._changed)
        for name in (
            "modelReset",
            "layoutChanged",
            "rowsInserted",
            "rowsRemoved",
            "rowsMoved",
            "headerDataChanged",
        ):
            getattr(model, name).connect(lambda *_args, name=name: self.other.append(name))

    def _changed(self, first: QModelIndex, last: QModelIndex, _roles: Any = None) -> None:
        assert first.row() == last.row()
        assert first.parent() == last.parent()
        self.changed.append(first.siblingAtColumn(0).data(KeyRole))


def test_an_event_naming_channels_updates_those_rows_only(large: Any, qtmodeltester: Any) -> None:
    model, ws = large
    qtmodeltester.check(model)  # attached from here on: every signal below is checked too
    channels = list(ws.current.channels.values())
    named = channels[::500][:3]
    for channel in channels[::50]:  # the view holds indexes of these rows and of their companies
        assert model.index_of("channel", channel.id).isValid()
    signals = Signals(model)
    for channel in named:  # one Test connection result each, as the window records them
        result = Health(utcnow(), CheckResult.FAILED, utcnow(), "Amazon did not answer")
        ws.record_health({channel.id: result})
    owners = {("company", c.company_id) for c in named}
    assert set(signals.changed) == {("channel", c.id) for c in named} | owners
    assert not signals.other  # no reset, no re-layout, no row inserted, moved or removed
    for channel in named:
        assert "Check failed" in badge_texts(model, "channel", channel.id)
