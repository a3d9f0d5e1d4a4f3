"""The plan as support staff's checklist: states, their moves, and the disk across a restart."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.domain import changes as ch
from core.domain.errors import ReadOnlyError, UserFacingError
from core.domain.inventory import Authorization, AuthSource, Channel, Company
from core.domain.marketplaces import Region
from core.domain.plan_progress import PlanState
from core.domain.secret import Secret
from core.services.opening import open_workspace
from core.services.plan_view import PlanProgress
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from core.storage.schema import LATEST
from tests.core.factories import CA, US

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
SELLER = "A1SHOPSELLER9"
KEY = f"NA/seller/{SELLER}"
OTHER_KEY = "NA/seller/A2OTHERSELLER"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def seed(folder: Path) -> None:
    """Two sellers in North America, neither connected yet: two consents."""
    ws = open_workspace(folder, secrets=MemorySecretStore())
    try:
        ws.apply(ch.add_company(Company("co", "Shop")))
        ws.apply(ch.add_channel(Channel("us", "co", US, "Shop US", SELLER)))
        ws.apply(ch.add_channel(Channel("ca", "co", CA, "Shop CA", SELLER)))
        ws.apply(ch.add_company(Company("co2", "Other")))
        ws.apply(ch.add_channel(Channel("o-us", "co2", US, "Other US", "A2OTHERSELLER")))
        ws.save(NOW)
    finally:
        ws.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inventory"
    seed(folder)
    return folder


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def ws(folder: Path) -> Iterator[Workspace]:
    workspace = open_workspace(folder, secrets=MemorySecretStore())
    yield workspace
    workspace.close()


def progress_of(ws: Workspace, clock: Clock) -> PlanProgress:
    progress = PlanProgress(ws, clock=clock)
    progress.load()
    return progress


def states(progress: PlanProgress, now: datetime) -> dict[str, PlanState]:
    return {e.key: e.state for e in progress.entries(now)}


def consent(ws: Workspace, seller: str, channel_ids: list[str], at: datetime) -> None:
    """What a completed consent leaves: a new grant for the seller's channels, then Save."""
    auth = Authorization.new(
        seller, Region.NA, AuthSource.CONSENT, f"{ws.namespace}/rt/{at.timestamp()}", at
    )
    ws.apply(ch.set_authorization(auth, Secret("Atzr|token"), channel_ids))
    ws.save(at)


def test_every_consent_starts_to_do(ws: Workspace, clock: Clock) -> None:
    progress = progress_of(ws, clock)
    entries = progress.entries(NOW)
    assert [e.key for e in entries] == [KEY, OTHER_KEY]
    first = entries[0]
    assert first.state is PlanState.TO_DO
    assert first.state_changed_at is None
    assert first.fields["seller_central_url"].startswith("https://sellercentral.amazon.")
    assert set(first.fields["marketplaces"]) == {US, CA}
    assert {c["id"] for c in first.fields["channels"]} == {"us", "ca"}


def test_states_move_and_each_is_written_at_once(ws: Workspace, clock: Clock) -> None:
    progress = progress_of(ws, clock)
    heard: list[str] = []
    progress.changed.connect(heard.append)
    assert progress.set_state(KEY, PlanState.LINK_SENT).state is PlanState.LINK_SENT
    clock.now = NOW + timedelta(minutes=5)
    failed = progress.set_state(KEY, PlanState.FAILED, "Wrong account: A9 was selected.")
    assert failed.state is PlanState.FAILED
    assert failed.reason == "Wrong account: A9 was selected."
    assert failed.state_changed_at == NOW + timedelta(minutes=5)
    assert progress.set_state(KEY, PlanState.TO_DO).state is PlanState.TO_DO
    assert progress.set_state(OTHER_KEY, PlanState.DONE).state is PlanState.DONE
    assert heard == [KEY, KEY, KEY, OTHER_KEY]
    assert not ws.is_dirty  # a note, not a pending edit


def test_states_survive_a_restart(folder: Path, clock: Clock) -> None:
    ws = open_workspace(folder, secrets=MemorySecretStore())
    try:
        progress_of(ws, clock).set_state(KEY, PlanState.FAILED, "Amazon said no.")
        progress_of(ws, clock).set_state(OTHER_KEY, PlanState.LINK_SENT)
    finally:
        ws.close()
    again = open_workspace(folder, secrets=MemorySecretStore())
    try:
        entries = {e.key: e for e in progress_of(again, clock).entries(NOW)}
    finally:
        again.close()
    assert entries[KEY].state is PlanState.FAILED
    assert entries[KEY].reason == "Amazon said no."
    assert entries[OTHER_KEY].state is PlanState.LINK_SENT
    assert entries[OTHER_KEY].state_changed_at == NOW


def test_a_saved_consent_makes_the_item_done_for_the_rest_of_the_day(
    ws: Workspace, clock: Clock
) -> None:
    progress = progress_of(ws, clock)
    progress.set_state(KEY, PlanState.LINK_SENT)
    done_at = NOW + timedelta(minutes=20)
    auth_change = Authorization.new(
        SELLER, Region.NA, AuthSource.CONSENT, f"{ws.namespace}/rt/1", done_at
    )
    ws.apply(ch.set_authorization(auth_change, Secret("Atzr|token"), ["us", "ca"]))
    # Pending, not saved: not done yet.
    assert states(progress, done_at)[KEY] is PlanState.LINK_SENT
    ws.save(done_at)
    entries = {e.key: e for e in progress.entries(done_at)}
    assert entries[KEY].state is PlanState.DONE
    assert not entries[KEY].in_plan  # its channels are healthy: it left the plan
    assert entries[KEY].state_changed_at == done_at
    assert entries[KEY].fields["seller_id"] == SELLER  # shown from the note's copy
    assert [e.key for e in progress.entries(done_at)][-1] == KEY  # done after the to-dos
    assert KEY not in states(progress, done_at + timedelta(days=1))  # gone the next day


def test_a_consent_that_leaves_channels_behind_starts_a_new_generation(
    ws: Workspace, clock: Clock
) -> None:
    progress = progress_of(ws, clock)
    progress.set_state(KEY, PlanState.FAILED, "Wrong account")
    consent(ws, SELLER, ["us"], NOW + timedelta(minutes=3))  # Amazon covered only the US
    entry = progress.entry(KEY, NOW + timedelta(minutes=3))
    assert entry is not None
    assert entry.in_plan
    assert [c["id"] for c in entry.fields["channels"]] == ["ca"]
    assert entry.state is PlanState.TO_DO  # the old note is about the earlier grant


def test_done_by_hand_stays_done_while_in_the_plan(ws: Workspace, clock: Clock) -> None:
    progress = progress_of(ws, clock)
    progress.set_state(KEY, PlanState.DONE)
    assert states(progress, NOW + timedelta(hours=1))[KEY] is PlanState.DONE


def test_a_note_about_an_item_gone_from_the_plan_is_refused(ws: Workspace, clock: Clock) -> None:
    progress = progress_of(ws, clock)
    with pytest.raises(UserFacingError, match="no longer in the reauthorization plan"):
        progress.set_state("EU/seller/NOBODY", PlanState.DONE)


def test_a_read_only_copy_reads_notes_and_refuses_to_write(folder: Path, clock: Clock) -> None:
    writer = open_workspace(folder, secrets=MemorySecretStore())
    try:
        progress_of(writer, clock).set_state(KEY, PlanState.LINK_SENT)
        reader = open_workspace(folder, read_only=True, keychain=False)
        try:
            progress = progress_of(reader, clock)
            assert states(progress, NOW)[KEY] is PlanState.LINK_SENT
            with pytest.raises(ReadOnlyError):
                progress.set_state(KEY, PlanState.DONE)
        finally:
            reader.close()
    finally:
        writer.close()


def test_the_table_comes_with_the_latest_schema(folder: Path) -> None:
    conn = sqlite3.connect(folder / "inventory.sqlite3")
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        columns = [r[1] for r in conn.execute("PRAGMA table_info(plan_progress)")]
    finally:
        conn.close()
    assert columns == ["item_key", "generation", "state", "changed_at", "reason", "item"]
