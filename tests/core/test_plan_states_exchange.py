"""The plan's states travel with the JSON export: every exporter writes them, review mode shows
them read-only, an import keeps them, and an older export without them still opens."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import main
from core.domain.errors import ReadOnlyError
from core.domain.inventory import Inventory
from core.domain.plan_progress import PlanState
from core.domain.samples import demo_inventory
from core.services.exchange import writing
from core.services.exchange.export_json import dumps, export_json
from core.services.exchange.writing import write_export
from core.services.opening import open_workspace
from core.services.plan_command import plan_json
from core.services.plan_notes import workspace_notes
from core.services.plan_view import PlanProgress
from core.services.report.export import report_of
from core.services.report.formats import register_report_formats
from core.services.report.html import render_html
from core.services.review import READ_ONLY, open_review
from core.services.support_bundle.archive import write_bundle
from core.services.support_bundle.request import BundleRequest
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from core.storage.plan_progress import read_progress
from tests.core.exchange_support import plan_for, saved_workspace
from tests.core.test_plan_progress import KEY, NOW, OTHER_KEY, Clock, seed

SENT_AT = NOW + timedelta(minutes=3)
FAILED_AT = NOW + timedelta(minutes=7)
REASON = "Wrong account: the seller signed in as Other Shop"
STATE_KEYS = {"state", "state_changed_at", "state_reason", "state_authorization_id"}


def noted(folder: Path) -> None:
    """Support noted KEY as link sent, then OTHER_KEY as failed with a reason."""
    ws = open_workspace(folder, secrets=MemorySecretStore())
    try:
        clock = Clock(SENT_AT)
        progress = PlanProgress(ws, clock=clock)
        progress.load()
        progress.set_state(KEY, PlanState.LINK_SENT)
        clock.now = FAILED_AT
        progress.set_state(OTHER_KEY, PlanState.FAILED, REASON)
    finally:
        ws.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inventory"
    seed(folder)
    noted(folder)
    return folder


def export_of(folder: Path, out: Path) -> dict[str, Any]:
    """``main.py export --format json`` of the folder, read back."""
    code = main.main(["--data-dir", str(folder), "export", "--format", "json", "--out", str(out)])
    assert code == 0
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


def by_key(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in document["plan"]}


def test_the_export_carries_each_item_s_state_as_noted(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = by_key(export_of(folder, tmp_path / "export.json"))
    capsys.readouterr()
    assert items[KEY]["state"] == "link_sent"
    assert items[KEY]["state_changed_at"] == "2026-12-02T10:03:00Z"
    assert items[KEY]["state_reason"] == ""
    assert items[OTHER_KEY]["state"] == "failed"
    assert items[OTHER_KEY]["state_changed_at"] == "2026-12-02T10:07:00Z"
    assert items[OTHER_KEY]["state_reason"] == REASON
    assert {i["state_authorization_id"] for i in items.values()} == {""}  # no grant yet
    # The plan's own fields are still there.
    assert {c["channel_id"] for c in items[KEY]["channels"]} == {"us", "ca"}


def test_an_item_never_noted_is_to_do_with_no_time(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    seed(folder)
    items = by_key(export_of(folder, tmp_path / "export.json"))
    for item in items.values():
        assert {k: item[k] for k in STATE_KEYS} == {
            "state": "to_do",
            "state_changed_at": None,
            "state_reason": "",
            "state_authorization_id": "",
        }


def test_plan_json_and_the_export_name_the_state_alike(folder: Path, tmp_path: Path) -> None:
    exported = by_key(export_of(folder, tmp_path / "export.json"))
    ws = open_workspace(folder, read_only=True, keychain=False)
    try:
        progress = PlanProgress(ws)
        progress.load()
        listed = {
            i["key"]: i for i in plan_json(ws, progress.entries(FAILED_AT), FAILED_AT)["items"]
        }
    finally:
        ws.close()
    shared = set(exported[KEY]) & set(listed[KEY])
    assert shared >= STATE_KEYS
    for key in (KEY, OTHER_KEY):
        assert listed[key]["state"] == exported[key]["state"]
        assert listed[key]["state_reason"] == exported[key]["state_reason"]
        assert listed[key]["state_authorization_id"] == exported[key]["state_authorization_id"]
        for name in ("title", "region", "seller_id", "seller_central_url", "account_hint"):
            assert listed[key][name] == exported[key][name]
        channels = [(c["channel_id"], c["reason"]) for c in listed[key]["channels"]]
        assert channels == [(c["channel_id"], c["reason"]) for c in exported[key]["channels"]]
        assert [c["id"] for c in listed[key]["channels"]] == [c for c, _ in channels]


def test_every_exporter_reads_the_states_in_the_same_place(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writing, "FORMATS", dict(writing.FORMATS))  # html: this test's only
    register_report_formats()  # as main.py export does
    ws = open_workspace(folder, secrets=MemorySecretStore())
    try:
        assert set(workspace_notes(ws)) == {KEY, OTHER_KEY}
        path = write_export(ws, "json", tmp_path / "window.json", now=FAILED_AT)  # File > Export
        html = write_export(ws, "html", tmp_path / "report.html", now=FAILED_AT)
        report = render_html(report_of(ws, FAILED_AT, version="test"))
    finally:
        ws.close()
    assert by_key(json.loads(path.read_text(encoding="utf-8")))[KEY]["state"] == "link_sent"
    for text in (html.read_text(encoding="utf-8"), report):
        assert "<dt>State</dt><dd>Link sent, " in text
        assert "<dt>State</dt><dd>Failed, " in text
        assert "Wrong account: the seller signed in as Other Shop" in text


def test_review_shows_the_file_s_states_and_refuses_to_note_one(
    folder: Path, tmp_path: Path
) -> None:
    export = tmp_path / "export.json"
    export_of(folder, export)
    review = open_review(export)
    try:
        progress = PlanProgress(review, clock=lambda: FAILED_AT)
        progress.load()
        entries = {e.key: e for e in progress.entries()}
        assert entries[KEY].state is PlanState.LINK_SENT
        assert entries[KEY].state_changed_at == SENT_AT
        assert entries[OTHER_KEY].state is PlanState.FAILED
        assert entries[OTHER_KEY].reason == REASON
        with pytest.raises(ReadOnlyError) as refused:
            progress.set_state(KEY, PlanState.DONE)
        assert refused.value.message == READ_ONLY
        assert "Failed, " in render_html(report_of(review, FAILED_AT, version="test"))
    finally:
        review.close()


@pytest.mark.parametrize("older", ["no state keys", "no plan at all"])
def test_an_older_export_without_states_opens_with_every_item_to_do(
    folder: Path, tmp_path: Path, older: str
) -> None:
    document = export_of(folder, tmp_path / "export.json")
    if older == "no plan at all":
        del document["plan"]
    for item in document.get("plan", []):
        for key in STATE_KEYS:
            del item[key]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(document), encoding="utf-8")
    review = open_review(old)
    try:
        progress = PlanProgress(review, clock=lambda: FAILED_AT)
        progress.load()
        entries = progress.entries()
        assert [e.key for e in entries] == [KEY, OTHER_KEY]
        assert {e.state for e in entries} == {PlanState.TO_DO}
        assert {e.state_changed_at for e in entries} == {None}
    finally:
        review.close()


def test_a_state_that_is_not_one_is_a_located_problem(folder: Path, tmp_path: Path) -> None:
    document = export_of(folder, tmp_path / "export.json")
    document["plan"][0]["state"] = "maybe"
    plan = plan_for(json.dumps(document), Inventory())
    assert [p.location for p in plan.problems] == ["plan[0].state"]
    assert "to_do, link_sent, done, failed" in plan.problems[0].message


def _notes_then_export(folder: Path, now: datetime) -> str:
    """The folder's inventory exported with its stored states, as ``main.py export`` does."""
    ws = open_workspace(folder, read_only=True, keychain=False)
    try:
        return dumps(export_json(ws.saved, now, app_version="test", plan_notes=workspace_notes(ws)))
    finally:
        ws.close()


def _import(folder: Path, text: str, now: datetime) -> None:
    ws = Workspace.open(folder, MemorySecretStore())
    try:
        plan = plan_for(text, ws.current)
        assert plan.ok, plan.problems[:3]
        assert plan.change is not None
        ws.apply(plan.change)
        assert ws.store is not None
        assert read_progress(ws.store) == {}  # not before Save
        ws.save(now)
    finally:
        ws.close()


def test_the_round_trip_keeps_the_states_and_then_is_a_fixed_point(tmp_path: Path) -> None:
    source = saved_workspace(tmp_path / "source", demo_inventory, NOW)
    try:
        clock = Clock(SENT_AT)
        progress = PlanProgress(source, clock=clock)
        progress.load()
        keys = [e.key for e in progress.entries() if e.generation][:3]  # with a grant
        progress.set_state(keys[0], PlanState.LINK_SENT)
        clock.now = FAILED_AT
        progress.set_state(keys[1], PlanState.FAILED, REASON)
        progress.set_state(keys[2], PlanState.DONE)
    finally:
        source.close()
    first = _notes_then_export(tmp_path / "source", FAILED_AT)
    _import(tmp_path / "empty", first, FAILED_AT)
    second = _notes_then_export(tmp_path / "empty", FAILED_AT + timedelta(seconds=5))
    _import(tmp_path / "empty-again", second, FAILED_AT)
    third = _notes_then_export(tmp_path / "empty-again", FAILED_AT)

    one, two = by_key(json.loads(first)), by_key(json.loads(second))
    wanted = {"link_sent": keys[0], "failed": keys[1], "done": keys[2]}
    for state, key in wanted.items():
        assert one[key]["state"] == two[key]["state"] == state
        assert {k: one[key][k] for k in STATE_KEYS} == {k: two[key][k] for k in STATE_KEYS}
        assert one[key]["state_authorization_id"]  # a grant's id: the import kept it
    assert two[keys[1]]["state_reason"] == REASON
    a, b = json.loads(second), json.loads(third)
    assert a["exported_at"] != b["exported_at"]
    a["exported_at"] = b["exported_at"]
    assert a == b  # identical apart from exported_at, states included


def test_an_import_keeps_a_newer_note_here_and_takes_an_older_one_s_place(
    folder: Path, tmp_path: Path
) -> None:
    document = json.loads(_notes_then_export(folder, FAILED_AT))
    document["companies"][0]["notes"] = "Changed in the file"  # so the import is a change
    text = json.dumps(document)
    target = tmp_path / "target"
    seed(target)  # the same records as the file
    ws = open_workspace(target, secrets=MemorySecretStore())
    try:
        clock = Clock(NOW)  # older than the file's notes
        progress = PlanProgress(ws, clock=clock)
        progress.load()
        progress.set_state(KEY, PlanState.FAILED, "Noted here first")
        clock.now = FAILED_AT + timedelta(hours=1)  # newer than the file's
        progress.set_state(OTHER_KEY, PlanState.DONE)
        plan = plan_for(text, ws.current)
        assert plan.change is not None
        ws.apply(plan.change)
        ws.save(FAILED_AT)
        assert ws.store is not None
        stored = read_progress(ws.store)
    finally:
        ws.close()
    assert (stored[KEY].state, stored[KEY].changed_at) == (PlanState.LINK_SENT, SENT_AT)
    assert stored[OTHER_KEY].state is PlanState.DONE  # the newer note here stays


def test_an_undone_import_writes_no_state(folder: Path, tmp_path: Path) -> None:
    text = _notes_then_export(folder, FAILED_AT)
    ws = Workspace.open(tmp_path / "target", MemorySecretStore())
    try:
        plan = plan_for(text, ws.current)
        assert plan.change is not None
        assert len(plan.change.progress) == 2
        ws.apply(plan.change)
        ws.undo()
        ws.save(FAILED_AT)  # nothing pending: nothing written
        assert ws.store is not None
        assert read_progress(ws.store) == {}
    finally:
        ws.close()


def test_the_support_bundle_s_export_has_the_states(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(tmp_path / "log"))
    ws = open_workspace(folder, secrets=MemorySecretStore())
    try:
        path = write_bundle(BundleRequest(ws, FAILED_AT), tmp_path / "bundle.zip")
    finally:
        ws.close()
    with zipfile.ZipFile(path) as archive:
        items = by_key(json.loads(archive.read("inventory.json").decode("utf-8")))
    assert items[KEY]["state"] == "link_sent"
    assert (items[OTHER_KEY]["state"], items[OTHER_KEY]["state_reason"]) == ("failed", REASON)
