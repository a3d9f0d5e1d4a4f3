"""History: every Save records what changed, when and why, in plain words and no secret."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.domain import changes as ch
from core.domain import dates
from core.domain.errors import StoreError
from core.domain.history import HistoryEntry, HistoryKind
from core.domain.history_words import describe
from core.domain.inventory import (
    AppCredentials,
    AppStatus,
    AuthSource,
    CheckResult,
    Inventory,
)
from core.domain.secret import Secret
from core.domain.secret_refs import (
    new_client_secret_ref,
    new_mws_auth_token_ref,
    new_refresh_token_ref,
)
from core.services.demo import open_demo
from core.services.history import (
    authorization_history,
    authorization_versions,
    channel_history,
    company_history,
)
from core.services.workspace import Workspace
from core.storage.backups import DB_NAME
from core.storage.history import read_history
from core.storage.keychain import MemorySecretStore
from core.storage.schema import LATEST
from tests.core.factories import (
    CA,
    NOW,
    OTHER_SELLER,
    SELLER,
    authorization,
    channel,
    company,
    version_1_file,
)
from tests.leaks import ExpectedWarnings

MWS_TOKEN = "amzn.mws.4ea38b7b-f563-7709-4bae-87aea0123456"
CLIENT_SECRET = "amzn1.oa2-cs.v1.history-test-client-secret-0123456789"
LATER = NOW + timedelta(days=1)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.open(tmp_path, MemorySecretStore())
    w.apply(ch.add_company(company()))
    w.apply(ch.add_channel(channel()))
    w.apply(ch.add_channel(channel("ch2", marketplace_id=CA, name="Acme CA")))
    w.save(at=NOW - timedelta(days=30))
    yield w
    w.close()


def grant(ws: Workspace, aid: str, seller: str = SELLER, days_ago: int = 10) -> ch.Change:
    auth = authorization(
        aid,
        seller,
        ref=new_refresh_token_ref(ws.namespace, aid),
        granted=NOW - timedelta(days=days_ago),
    )
    return ch.set_authorization(auth, Secret(f"Atzr|secret-token-{aid}"), ["ch1", "ch2"])


def history(ws: Workspace, subject: str = "channel", subject_id: str = "ch1") -> list[HistoryEntry]:
    assert ws.store is not None
    return ws.store.history(subject, subject_id)


def all_text(path: Path) -> str:
    """Every history row of the file, as one text."""
    with sqlite3.connect(path / DB_NAME) as conn:
        rows = conn.execute("SELECT at, kind, description FROM history").fetchall()
        subjects = conn.execute("SELECT subject, subject_id FROM history_subjects").fetchall()
    return repr(rows) + repr(subjects)


def test_an_edit_is_recorded_field_by_field_at_the_time_of_the_save(ws: Workspace) -> None:
    ws.apply(ch.edit_channel(replace(ws.current.channels["ch1"], name="Acme USA")))
    ws.apply(ch.edit_channel(replace(ws.current.channels["ch1"], app_status=AppStatus.ACTIVE)))
    ws.save(at=NOW)
    newest, older, *_ = history(ws)
    assert (newest.kind, newest.at) == (HistoryKind.EDIT, NOW)
    assert newest.description == (
        "Edit channel\nStatus in Seller Central: Not checked → Active (date not recorded)"
    )
    assert older.description == "Edit channel\nChannel name: 'Acme US' → 'Acme USA'"
    # A company's history holds its channels' entries too.
    assert [e.description for e in history(ws, "company", "c1")[:2]] == [
        newest.description,
        older.description,
    ]


def test_adding_and_removing_are_recorded_with_names(ws: Workspace) -> None:
    first = history(ws, "company", "c1")
    assert [e.summary for e in first] == ["Add channel", "Add channel", "Add company Acme Outdoor"]
    ws.apply(ch.remove_channel("ch2"))
    ws.save(at=NOW)
    (removed, *_) = history(ws, "channel", "ch2")
    assert removed.description == "Remove channel\nRemoved the channel 'Acme CA'"


def test_a_consent_is_recorded_with_the_grant_it_replaced(ws: Workspace) -> None:
    ws.apply(grant(ws, "a1", days_ago=400))
    ws.save(at=NOW - timedelta(days=20))
    ws.apply(grant(ws, "a2", OTHER_SELLER, days_ago=1))
    ws.save(at=NOW)
    newest, first, *_ = history(ws)
    old_day, new_day = dates.day(NOW - timedelta(days=400)), dates.day(NOW - timedelta(days=1))
    assert newest.kind is HistoryKind.CONSENT
    assert newest.description == (
        f"New authorization for 'Acme Store', Seller {OTHER_SELLER} (North America) granted "
        f"{new_day}, replacing the one granted {old_day} ('Acme CA', 'Acme US')"
    )
    assert first.description.endswith(f"granted {old_day} ('Acme CA', 'Acme US')")
    assert [e.kind for e in history(ws, "authorization", "a2")] == [HistoryKind.CONSENT]


def test_a_roll_back_is_recorded_as_one(ws: Workspace) -> None:
    ws.apply(grant(ws, "a1", days_ago=400))
    ws.save(at=NOW - timedelta(days=20))
    ws.apply(grant(ws, "a2", OTHER_SELLER, days_ago=1))
    ws.save(at=NOW)
    ws.apply(ch.roll_back_authorization(["ch1", "ch2"]))
    ws.save(at=LATER)
    newest = history(ws)[0]
    assert (newest.kind, newest.at) == (HistoryKind.ROLLBACK, LATER)
    assert newest.description.startswith(
        f"Roll back authorization\nRolled back to the authorization for 'Acme Store', "
        f"Seller {SELLER} (North America) granted {dates.day(NOW - timedelta(days=400))}, "
        f"replacing the one granted {dates.day(NOW - timedelta(days=1))}"
    )


def test_an_import_is_recorded_once_for_every_row(tmp_path: Path) -> None:
    inv = Inventory()
    inv.companies["c1"] = company()
    inv.authorizations["a1"] = replace(authorization(), source=AuthSource.IMPORT)
    inv.channels["ch1"] = channel(authorization_id="a1")
    ws = Workspace.open(tmp_path, MemorySecretStore())
    ws.apply(ch.replace_all(inv, {"ns/refresh-token/a1/r1": Secret("Atzr|imported")}, NOW))
    ws.save(at=NOW)
    for subject, subject_id in (("company", "c1"), ("channel", "ch1"), ("authorization", "a1")):
        (entry,) = history(ws, subject, subject_id)
        assert entry.kind is HistoryKind.IMPORT
        assert entry.description == (
            "Load inventory\n1 company, 1 channel and 1 authorization loaded."
        )
    ws.close()


def test_secrets_and_their_entry_names_never_reach_the_history(ws: Workspace) -> None:
    ws.apply(grant(ws, "a1"))
    mws_ref = new_mws_auth_token_ref(ws.namespace, "ch1")
    ws.apply(
        ch.set_mws_records("ch1", SELLER, Secret(MWS_TOKEN), AppStatus.ACTIVE, new_ref=mws_ref)
    )
    app_ref = new_client_secret_ref(ws.namespace)
    ws.apply(ch.set_app_credentials(AppCredentials(), Secret(CLIENT_SECRET), new_ref=app_ref))
    ws.save(at=NOW)
    ws.apply(grant(ws, "a2"))
    ws.apply(ch.set_mws_records("ch1", SELLER, Secret(MWS_TOKEN), AppStatus.ACTIVE, new_ref="x/y"))
    ws.save(at=LATER)
    assert ws.data_dir is not None
    text = all_text(ws.data_dir)
    for ref in ws.current.secret_refs() | {mws_ref, app_ref, "x/y"}:
        assert ref not in text
    for value in ("Atzr|secret-token", MWS_TOKEN, CLIENT_SECRET, ws.namespace):
        assert value not in text
    words = [e.description for e in history(ws)]
    assert "MWS Authorization Token: replaced" in words[0]
    assert "MWS Authorization Token: none → on record" in words[2]
    assert "LWA client secret: replaced" in text


def test_undone_and_reverted_changes_leave_no_history(ws: Workspace) -> None:
    before = history(ws, "company", "c1")
    ws.apply(ch.edit_company(replace(ws.current.companies["c1"], name="Undone")))
    ws.undo()
    ws.apply(ch.edit_company(replace(ws.current.companies["c1"], name="Reverted")))
    ws.revert()
    ws.apply(ch.edit_company(replace(ws.current.companies["c1"], name="Kept")))
    ws.save(at=NOW)
    after = history(ws, "company", "c1")
    assert len(after) == len(before) + 1
    assert after[0].description == "Edit company Kept\nCompany name: 'Acme Outdoor' → 'Kept'"


def test_a_failed_save_records_nothing_and_keeps_the_change(
    ws: Workspace, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("core.storage", r"the disk is full")
    assert ws.store is not None
    assert ws.data_dir is not None
    before = all_text(ws.data_dir)
    # The history is the last thing a Save writes: make SQLite refuse it, as a full disk would.
    with sqlite3.connect(ws.data_dir / DB_NAME) as conn:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON history BEGIN"
            " SELECT RAISE(ABORT, 'the disk is full'); END"
        )
    ws.apply(ch.edit_channel(replace(ws.current.channels["ch1"], name="Pending")))
    with pytest.raises(StoreError):
        ws.save(at=NOW)
    assert ws.is_dirty
    assert all_text(ws.data_dir) == before
    assert ws.store.load().channels["ch1"].name == "Acme US"  # the row rolled back with it
    with sqlite3.connect(ws.data_dir / DB_NAME) as conn:
        conn.execute("DROP TRIGGER refuse")
    ws.save(at=NOW)
    assert history(ws)[0].description.endswith("'Acme US' → 'Pending'")


def test_a_test_result_is_recorded_only_when_it_changes(ws: Workspace) -> None:
    def tested(result: CheckResult, hours: int, message: str = "") -> None:
        health = ws.saved.channels["ch1"].health.after(
            result, NOW + timedelta(hours=hours), message
        )
        ws.record_health({"ch1": health})

    before = len(history(ws))
    tested(CheckResult.OK, 1)
    tested(CheckResult.OK, 2)  # the same result: no new entry
    tested(CheckResult.NEEDS_REAUTHORIZATION, 3, "Amazon no longer accepts this grant.")
    tested(CheckResult.NEEDS_REAUTHORIZATION, 4, "Amazon no longer accepts this grant.")
    entries = history(ws)
    assert len(entries) == before + 2
    newest, first = entries[:2]
    assert (newest.kind, newest.at) == (HistoryKind.TEST, NOW + timedelta(hours=3))
    assert newest.description == (
        "Connection test of 'Acme US': Needs reauthorization\n"
        "Before: Working\nAmazon no longer accepts this grant."
    )
    assert first.description == "Connection test of 'Acme US': Working\nBefore: Not tested"
    assert len(history(ws, "channel", "ch2")) == 1  # only the other channel's own Save


def test_authorization_versions_name_the_current_and_the_kept(ws: Workspace) -> None:
    ws.apply(grant(ws, "a1", days_ago=400))
    ws.save()
    ws.apply(grant(ws, "a2", OTHER_SELLER, days_ago=1))
    ws.save()
    versions = channel_history(ws, "ch1").versions
    assert [(v.id, v.current, v.kept, v.seller_id) for v in versions] == [
        ("a2", True, True, OTHER_SELLER),
        ("a1", False, True, SELLER),
    ]
    assert versions[1].source == "Consent in the browser"
    assert versions[1].region == "North America"
    # A version whose token was removed is shown, but cannot be rolled back to.
    pruned = replace(ws.saved.authorizations["a1"], refresh_token_ref=None)
    inv = ws.saved.copy()
    inv.authorizations["a1"] = pruned
    assert [v.kept for v in authorization_versions(inv, "a2")] == [True, False]
    whole = authorization_history(ws, "a2")
    assert whole.title == f"Seller {OTHER_SELLER}"
    assert [v.id for v in whole.versions] == ["a2", "a1"]
    assert company_history(ws, "c1").title == "Acme Outdoor"


def test_a_version_1_file_is_migrated_with_its_data_and_an_empty_history(tmp_path: Path) -> None:
    folder = version_1_file(tmp_path / "old")
    with sqlite3.connect(folder / DB_NAME) as old:  # as a read-only copy sees it: no history
        assert read_history(old, "company", "c1") == []
    ws = Workspace.open(folder, MemorySecretStore())
    assert ws.current.companies["c1"].name == "From version 1"
    assert history(ws, "company", "c1") == []
    ws.apply(ch.edit_company(replace(ws.current.companies["c1"], name="Now")))
    ws.save(at=NOW)
    assert [e.summary for e in history(ws, "company", "c1")] == ["Edit company Now"]
    ws.close()
    with sqlite3.connect(folder / DB_NAME) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (LATEST,)


def test_history_reads_without_a_keychain_in_a_read_only_copy(
    ws: Workspace, tmp_path: Path
) -> None:
    ws.apply(ch.edit_channel(replace(ws.current.channels["ch1"], name="Seen elsewhere")))
    ws.save(at=NOW)
    second = Workspace.open(tmp_path, MemorySecretStore(), read_only=True)
    assert channel_history(second, "ch1").entries[0].summary == "Edit channel"
    second.close()


def test_the_demos_history_holds_none_of_its_secrets_nor_their_names() -> None:
    demo = open_demo(amazon=False)
    try:
        uk = next(c for c in demo.current.channels.values() if c.has_mws)
        ref = new_mws_auth_token_ref(demo.namespace, uk.id)
        demo.apply(
            ch.set_mws_records(uk.id, None, Secret(MWS_TOKEN), AppStatus.ACTIVE, new_ref=ref)
        )
        demo.save()
        assert demo.data_dir is not None
        text = all_text(demo.data_dir)
        secrets = demo.secrets
        assert isinstance(secrets, MemorySecretStore)
        names = secrets.names()
        assert names  # the demo's refresh tokens, MWS tokens and client secret
        for name in names:
            value = secrets.get(name)
            assert value is not None
            assert name not in text
            assert value.reveal() not in text
        assert "MWS Authorization Token: replaced" in text
    finally:
        demo.close()


def test_a_change_to_a_field_without_words_still_leaves_an_entry() -> None:
    before = Inventory()
    before.authorizations["a1"] = authorization(previous_id="a0")
    after = before.copy()
    after.authorizations["a1"] = replace(before.authorizations["a1"], previous_id=None)
    touched = ch.Touched(authorizations={"a1"})
    entry = describe(HistoryKind.EDIT, "Forget the earlier grant", before, after, touched)
    assert entry is not None
    assert entry.description == "Forget the earlier grant\nOther details changed"
    assert entry.authorizations == {"a1"}
    assert describe(HistoryKind.EDIT, "Nothing", before, before.copy(), touched) is None
