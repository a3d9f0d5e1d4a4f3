"""What Seller Central shows, recorded per channel: the app status with the day it was seen, and
the format checks of a legacy channel's Merchant Token and MWS Authorization Token."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from core.domain import changes as ch
from core.domain.inventory import AppStatus, Inventory
from core.domain.secret import Secret
from core.domain.secret_refs import new_mws_auth_token_ref
from core.domain.seller_central import app_status_text, record_app_status
from core.domain.validation import check_channel, check_mws_auth_token
from core.services.workspace import Workspace
from core.storage.backups import DB_NAME
from core.storage.keychain import MemorySecretStore
from core.storage.schema import LATEST, MIGRATIONS
from tests.core.factories import NOW, SELLER, channel, company
from tests.zones import AUCKLAND

MWS_TOKEN = "amzn.mws.4ea38b7b-f563-7709-4bae-87aea0123456"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.open(tmp_path / "data", MemorySecretStore())
    w.apply(ch.add_company(company()))
    w.apply(ch.add_channel(channel()))
    w.save()
    yield w
    w.close()


def reopen(ws: Workspace) -> Workspace:
    assert ws.data_dir is not None
    secrets = ws.secrets
    ws.close()
    return Workspace.open(ws.data_dir, secrets)


# --- the app status and its date --------------------------------------------------------------


def test_a_recorded_status_keeps_its_day_through_save_and_reopen(ws: Workspace) -> None:
    ws.apply(record_app_status("ch1", AppStatus.ACTIVE, NOW))
    assert app_status_text(ws.current.channels["ch1"]).startswith("Active (checked ")
    ws.save()
    again = reopen(ws)
    try:
        stored = again.current.channels["ch1"]
        assert stored.app_status is AppStatus.ACTIVE
        assert stored.app_status_checked_at == NOW
    finally:
        again.close()


def test_the_status_reads_with_the_local_day(
    ws: Workspace, local_time_zone: Callable[[str], None]
) -> None:
    local_time_zone(AUCKLAND)  # 22 Nov 2026 12:00 UTC is already 23 Nov there
    ws.apply(record_app_status("ch1", AppStatus.DISABLED, NOW))
    assert app_status_text(ws.current.channels["ch1"]) == "Disabled (checked 23 Nov 2026)"


def test_not_checked_has_no_date(ws: Workspace) -> None:
    ws.apply(record_app_status("ch1", AppStatus.ACTIVE, NOW))
    ws.apply(record_app_status("ch1", AppStatus.UNKNOWN, NOW + timedelta(days=1)))
    stored = ws.current.channels["ch1"]
    assert stored.app_status_checked_at is None
    assert app_status_text(stored) == "Not checked"


def test_looking_again_moves_the_date(ws: Workspace) -> None:
    ws.apply(record_app_status("ch1", AppStatus.ACTIVE, NOW))
    later = NOW + timedelta(days=40)
    ws.apply(record_app_status("ch1", AppStatus.ACTIVE, later))
    assert ws.current.channels["ch1"].app_status_checked_at == later
    ws.undo()  # each look is one Undo step
    assert ws.current.channels["ch1"].app_status_checked_at == NOW


def test_mws_records_keep_the_date_of_an_unchanged_status_only(ws: Workspace) -> None:
    ws.apply(record_app_status("ch1", AppStatus.ACTIVE, NOW))
    ref = new_mws_auth_token_ref(ws.namespace, "ch1")
    ws.apply(ch.set_mws_records("ch1", SELLER, Secret(MWS_TOKEN), AppStatus.ACTIVE, new_ref=ref))
    assert ws.current.channels["ch1"].app_status_checked_at == NOW
    ws.apply(ch.set_mws_records("ch1", SELLER, None, AppStatus.DISABLED, new_ref=None))
    changed = ws.current.channels["ch1"]
    assert changed.app_status_checked_at is None  # nobody said when Disabled was seen
    assert app_status_text(changed) == "Disabled (date not recorded)"


def test_a_database_from_before_the_date_opens_with_no_date(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    w = Workspace.open(folder, MemorySecretStore())
    w.apply(ch.add_company(company()))
    w.apply(ch.add_channel(channel(app_status=AppStatus.ACTIVE)))
    w.save()
    w.close()
    # Take the file back to the format before this column existed.
    db = folder / DB_NAME
    conn = sqlite3.connect(db)
    index = next(i for i, m in enumerate(MIGRATIONS) if "app_status_checked_at" in m)
    conn.execute("ALTER TABLE channels DROP COLUMN app_status_checked_at")
    # and what the migrations after it made (plan_progress: the plan's states)
    for later in ("history_subjects", "history", "plan_progress"):
        conn.execute(f"DROP TABLE IF EXISTS {later}")
    for column in (  # the 36-hour window's migration, after both
        "last_ok_at",
        "recovery_gap_start",
        "recovery_gap_end",
        "recovery_ticked",
        "recovery_dismissed",
    ):
        conn.execute(f"ALTER TABLE channels DROP COLUMN {column}")
    conn.execute(f"PRAGMA user_version = {index}")
    conn.commit()
    conn.close()
    again = Workspace.open(folder, MemorySecretStore())
    try:
        stored = again.current.channels["ch1"]
        assert stored.app_status is AppStatus.ACTIVE
        assert stored.app_status_checked_at is None
        assert app_status_text(stored) == "Active (date not recorded)"
    finally:
        again.close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    conn.close()


# --- the Merchant Token ---------------------------------------------------------------------


def _merchant_messages(value: str, seller_id: str | None = SELLER) -> list[tuple[str, bool]]:
    inv = Inventory()
    inv.companies["c1"] = company()
    candidate = channel(seller_id=seller_id, mws_merchant_token=value)
    return [
        (e.message, e.warning)
        for e in check_channel(candidate, inv)
        if e.field == "mws_merchant_token"
    ]


def test_a_merchant_token_like_the_seller_id_passes() -> None:
    assert _merchant_messages(SELLER) == []


def test_a_merchant_token_with_other_characters_is_refused_with_where_to_copy_it() -> None:
    ((message, warning),) = _merchant_messages("A2EXAMPLE-US7", seller_id=None)
    assert not warning
    assert message.startswith("A Merchant Token has only capital letters and digits")
    assert "Settings > Account Info > Merchant Token" in message


def test_a_merchant_token_not_starting_with_a_is_a_warning() -> None:
    ((message, warning),) = _merchant_messages("B2EXAMPLEUS7QZ", seller_id=None)
    assert warning
    assert "the letter A followed by" in message


def test_a_merchant_token_other_than_the_seller_id_is_a_warning() -> None:
    ((message, warning),) = _merchant_messages("A9OTHERSELLER1")
    assert warning
    assert f"not this channel's Seller ID ({SELLER})" in message


# --- the MWS Authorization Token ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("Atzr|IwEBIexample", "refresh token, not the MWS Authorization Token"),
        ("amzn1.sp.solution.0bf296b5", "app or client ID"),
        ("amzn.mws.4ea38b7b-f563 -7709-4bae-87aea0123456", "no spaces"),
        (MWS_TOKEN.upper().replace("AMZN.MWS.", "amzn.mws."), "small letters"),
        ("amzn.mws.4ea38b7b", "followed by 36 letters, digits and dashes"),
        ("mws-token", "followed by 36 letters, digits and dashes"),
    ],
)
def test_a_wrong_mws_token_says_what_is_wrong_and_where_to_copy_it(value: str, says: str) -> None:
    ((error,),) = [check_mws_auth_token(value)]
    assert not error.warning
    assert says in error.message
    assert "Manage Your Apps > View" in error.message
    assert value not in error.message  # a secret is never quoted back


def test_a_well_formed_mws_token_passes_with_surrounding_space() -> None:
    assert check_mws_auth_token(f"  {MWS_TOKEN}\n") == []
