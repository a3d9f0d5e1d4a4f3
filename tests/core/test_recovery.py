"""The 36-hour window: the last success, the warning at exactly 36 hours, and the checklist's
ticks written at once and kept across a restart."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.domain import changes as ch
from core.domain import dates, recovery
from core.domain.errors import ReadOnlyError, UserFacingError
from core.domain.inventory import (
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Company,
    Health,
    Inventory,
    Recovery,
)
from core.domain.marketplaces import Region, by_country
from core.domain.status import HealthKind, channel_status, failing_too_long, gap_sentence
from core.services import recovery as ticks
from core.services.checks import CheckRun, prepare
from core.services.lanes import Lanes
from core.services.workspace import Workspace
from core.simulator import Simulator
from core.storage.backups import DB_NAME
from core.storage.keychain import MemorySecretStore
from core.storage.opening import statements
from core.storage.schema import MIGRATIONS
from core.storage.store import Store
from tests.integration.simhelpers import APP, load_granted_sellers

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
US = by_country("US").id


def failing(for_: timedelta, result: CheckResult = CheckResult.FAILED) -> tuple[Channel, Inventory]:
    auth = Authorization.new("A1SELLER", Region.NA, AuthSource.CONSENT, "ns/a", NOW, auth_id="a")
    health = Health(NOW, result, NOW - for_, "", NOW - for_ - timedelta(hours=2))
    channel = Channel("ch", "co", US, "Shop US", "A1SELLER", "a", health=health)
    inv = Inventory({"co": Company("co", "Shop")}, {"ch": channel}, {"a": auth})
    return channel, inv


# --- the 36-hour boundary --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failing_for", "warns"),
    [
        (timedelta(hours=35, minutes=59), False),
        (timedelta(hours=35, minutes=59, seconds=59), False),
        (timedelta(hours=36), True),
        (timedelta(hours=36, seconds=1), True),
    ],
)
@pytest.mark.parametrize("result", [CheckResult.FAILED, CheckResult.NEEDS_REAUTHORIZATION])
def test_the_warning_starts_at_exactly_36_hours(
    failing_for: timedelta, warns: bool, result: CheckResult
) -> None:
    channel, inv = failing(failing_for, result)
    assert failing_too_long(channel, NOW) is warns
    status = channel_status(channel, inv, NOW)
    assert (HealthKind.ORDERS_GAP in status.kinds) is warns
    assert (recovery.gap_warning(channel, NOW) is not None) is warns


def test_the_warning_names_the_window_from_the_first_failure_to_now() -> None:
    channel, inv = failing(timedelta(hours=36))
    badge = channel_status(channel, inv, NOW).badge(HealthKind.ORDERS_GAP)
    assert badge is not None
    assert badge.text == "Orders may be missing"
    start = NOW - timedelta(hours=36)
    window = f"Orders from {dates.day_time(start)} to {dates.day_time(NOW)}"
    assert window in badge.detail
    assert "(36 hours)" in badge.detail
    assert "entered by hand" in badge.detail
    assert "full inventory sync" in badge.detail
    assert recovery.gap_warning(channel, NOW) == gap_sentence(start, NOW)


def test_the_details_say_when_it_last_worked_and_since_when_it_fails() -> None:
    channel, _ = failing(timedelta(hours=50))
    worked, since = NOW - timedelta(hours=52), NOW - timedelta(hours=50)
    assert recovery.health_lines(channel, NOW) == (
        f"Last worked: {dates.day_time(worked)}",
        f"Failing since {dates.day_time(since)} (2 days)",
    )
    healthy = replace(channel, health=Health().after(CheckResult.OK, NOW))
    assert recovery.health_lines(healthy, NOW) == (f"Last worked: {dates.day_time(NOW)}",)
    assert recovery.health_lines(replace(channel, health=Health()), NOW) == ("Not tested yet.",)


# --- the last success --------------------------------------------------------------------------


def test_a_check_records_the_last_success_and_keeps_it_while_failing() -> None:
    worked = Health().after(CheckResult.OK, NOW)
    assert worked.last_ok_at == NOW
    later = worked.after(CheckResult.FAILED, NOW + timedelta(hours=1), "timeout")
    still = later.after(CheckResult.FAILED, NOW + timedelta(hours=2))
    assert (still.last_ok_at, still.failing_since) == (NOW, NOW + timedelta(hours=1))
    again = still.after(CheckResult.OK, NOW + timedelta(hours=3))
    assert (again.last_ok_at, again.failing_since) == (NOW + timedelta(hours=3), None)


def test_later_checks_keep_the_checklist() -> None:
    gap = Recovery(NOW - timedelta(days=2), NOW)
    health = replace(Health().after(CheckResult.OK, NOW), recovery=gap)
    assert health.after(CheckResult.FAILED, NOW).recovery == gap
    assert health.after(CheckResult.OK, NOW).recovery == gap


def test_a_real_check_run_records_the_last_success(tmp_path: Path) -> None:
    with Simulator() as sim:
        sim.register_app(APP)
        ws = Workspace.open(tmp_path / "data", MemorySecretStore())
        try:
            (channel_id,) = load_granted_sellers(ws, sim, 1)
            assert ws.current.channels[channel_id].health.last_ok_at is None
            run = prepare(ws, [channel_id])
            assert isinstance(run, CheckRun), run
            run.start(Lanes.immediate())
            health = ws.current.channels[channel_id].health
            assert health.result is CheckResult.OK
            assert health.last_ok_at == health.checked_at is not None
        finally:
            ws.close()
        reopened = Workspace.open(tmp_path / "data", MemorySecretStore())
        try:
            assert reopened.current.channels[channel_id].health.last_ok_at == health.last_ok_at
        finally:
            reopened.close()


# --- which channels get a checklist ----------------------------------------------------------


def test_only_a_channel_failing_36_hours_or_more_gets_a_checklist() -> None:
    long_, inv = failing(timedelta(hours=36))
    short = replace(long_, id="short", health=failing(timedelta(hours=35, minutes=59))[0].health)
    fine = replace(long_, id="fine", health=Health().after(CheckResult.OK, NOW))
    inv.channels.update({"short": short, "fine": fine})
    found = recovery.checklists_for(inv, ["ch", "short", "fine"], NOW)
    assert found == {"ch": Recovery(NOW - timedelta(hours=36), NOW)}


def test_an_unfinished_checklist_is_kept_by_a_later_consent() -> None:
    channel, inv = failing(timedelta(hours=1))
    open_ = Recovery(NOW - timedelta(days=5), NOW - timedelta(days=3), frozenset({"orders"}))
    done = replace(open_, ticked=recovery.ITEM_KEYS)
    inv.channels["ch"] = replace(channel, health=replace(channel.health, recovery=open_))
    assert recovery.checklists_for(inv, ["ch"], NOW) == {"ch": open_}
    inv.channels["ch"] = replace(channel, health=replace(channel.health, recovery=done))
    assert recovery.checklists_for(inv, ["ch"], NOW) == {}


# --- ticks: written at once, kept across a restart ----------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def saved(folder: Path) -> Iterator[Workspace]:
    """A saved workspace whose channel has a checklist (as a saved consent leaves it)."""
    _, inv = failing(timedelta(hours=40))
    ws = Workspace.open(folder, MemorySecretStore())
    ws.apply(ch.add_company(inv.companies["co"]))
    ws.apply(ch.add_channel(replace(inv.channels["ch"], authorization_id=None)))
    ws.apply(recovery.checklist_change({"ch": Recovery(NOW - timedelta(hours=40), NOW)}))
    ws.save()
    yield ws
    ws.close()


def test_ticks_are_written_at_once_and_survive_a_restart(folder: Path, saved: Workspace) -> None:
    ticks.tick(saved, "ch", recovery.ORDERS, True)
    ticks.tick(saved, "ch", recovery.APP_ACTIVE, True)
    ticks.tick(saved, "ch", recovery.APP_ACTIVE, False)
    assert not saved.is_dirty  # an observation, not a pending edit
    saved.close()
    reopened = Workspace.open(folder, MemorySecretStore())
    try:
        found = reopened.current.channels["ch"].health.recovery
        assert found is not None
        assert found.ticked == {recovery.ORDERS}
        assert not recovery.is_done(found)
        assert found.gap_start == NOW - timedelta(hours=40)
        for key in recovery.ITEM_KEYS:
            ticks.tick(reopened, "ch", key, True)
        ticks.dismiss(reopened, "ch")
    finally:
        reopened.close()
    third = Workspace.open(folder, MemorySecretStore())
    try:
        kept = third.current.channels["ch"].health.recovery
        assert kept is not None
        assert recovery.is_done(kept)
        assert kept.dismissed
        assert not recovery.is_open(kept)
    finally:
        third.close()


def test_a_tick_survives_revert_of_other_edits(saved: Workspace) -> None:
    ws = saved
    ws.apply(ch.edit_company(replace(ws.current.companies["co"], name="Renamed")))
    ticks.tick(ws, "ch", recovery.ORDERS, True)
    ws.revert()
    found = ws.current.channels["ch"].health.recovery
    assert found is not None
    assert found.ticked == {recovery.ORDERS}


def test_an_unsaved_checklist_cannot_be_ticked(folder: Path) -> None:
    _, inv = failing(timedelta(hours=40))
    ws = Workspace.open(folder, MemorySecretStore())
    try:
        ws.apply(ch.add_company(inv.companies["co"]))
        ws.apply(ch.add_channel(replace(inv.channels["ch"], authorization_id=None)))
        ws.save()
        ws.apply(recovery.checklist_change({"ch": Recovery(NOW - timedelta(hours=40), NOW)}))
        refusal = ticks.why_not(ws, "ch")
        assert refusal is not None
        assert "not saved yet" in refusal.message
        assert "Save" in refusal.next_step
        with pytest.raises(UserFacingError, match="not saved yet"):
            ticks.tick(ws, "ch", recovery.ORDERS, True)
        assert ws.saved.channels["ch"].health.recovery is None  # nothing written early
    finally:
        ws.close()


def test_a_read_only_copy_cannot_tick(folder: Path, saved: Workspace) -> None:
    other = Workspace.open(folder, MemorySecretStore(), read_only=True)
    try:
        with pytest.raises(ReadOnlyError):
            ticks.tick(other, "ch", recovery.ORDERS, True)
    finally:
        other.close()


def test_the_migration_takes_the_last_success_from_a_last_check_that_worked(
    tmp_path: Path,
) -> None:
    """A file saved before the 36-hour window existed (schema 1): its OK checks become the last
    success; failing ones have none on record."""
    conn = sqlite3.connect(tmp_path / DB_NAME)
    for statement in statements(MIGRATIONS[0]):
        conn.execute(statement)
    checked = NOW.isoformat()
    conn.execute("INSERT INTO meta(key, value) VALUES ('inventory_id', 'old')")
    conn.execute("INSERT INTO app_credentials(id) VALUES (1)")
    conn.execute("INSERT INTO companies(id, name) VALUES ('co', 'Shop')")
    conn.executemany(
        "INSERT INTO channels(id, company_id, marketplace_id, checked_at, check_result,"
        " failing_since) VALUES (?, 'co', ?, ?, ?, ?)",
        [
            ("ok", US, checked, "ok", None),
            ("bad", by_country("CA").id, checked, "failed", checked),
        ],
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = Store.open(tmp_path)
    try:
        channels = store.load().channels
    finally:
        store.close()
    assert channels["ok"].health.last_ok_at == NOW
    assert channels["bad"].health.last_ok_at is None
    assert channels["bad"].health.failing_since == NOW
    assert channels["ok"].health.recovery is None
