"""``main.py plan [--json]``: the plan with states, as words and as one JSON object."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import main
from core.domain.plan_progress import PlanState
from core.services.opening import open_workspace
from core.services.plan_view import PlanProgress
from core.storage.keychain import MemorySecretStore
from tests.core.test_plan_progress import KEY, seed

ITEM_FIELDS = {
    "seller_id",
    "store_name",
    "region",
    "seller_central_url",
    "marketplaces",
    "channels",
    "state",
    "state_changed_at",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inventory"
    seed(folder)
    return folder


def test_json_is_one_object_with_every_item_field(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main.main(["--data-dir", str(folder), "plan", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "spconnect-plan"
    assert data["version"] == 1
    assert datetime.fromisoformat(data["generated_at"]).tzinfo is not None
    assert len(data["items"]) == 2
    for item in data["items"]:
        assert set(item) >= ITEM_FIELDS
        assert item["state"] == "to_do"
        assert item["state_changed_at"] is None
        assert item["region"] == "NA"
        for channel in item["channels"]:
            assert set(channel) >= {"id", "name", "marketplace", "reason"}
            assert channel["reason"] == "Not connected"


def test_json_and_words_show_a_state_noted_in_the_window(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    when = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    ws = open_workspace(folder, secrets=MemorySecretStore())
    try:  # the window still has it open: the command reads without the lock
        progress = PlanProgress(ws, clock=lambda: when)
        progress.load()
        progress.set_state(KEY, PlanState.FAILED, "Wrong account")
        assert main.main(["--data-dir", str(folder), "plan", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert main.main(["--data-dir", str(folder), "plan"]) == 0
        words = capsys.readouterr().out
    finally:
        ws.close()
    item = next(i for i in data["items"] if i["key"] == KEY)
    assert item["state"] == "failed"
    assert item["state_reason"] == "Wrong account"
    assert datetime.fromisoformat(item["state_changed_at"]) == when
    assert "   State: Failed, " in words
    assert " ago: Wrong account" in words


def test_the_words_keep_their_shape(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["--data-dir", str(folder), "plan"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"Reauthorization plan for {folder / 'inventory.sqlite3'}: 2 consents for 3 channels."
    )
    assert lines[1] == ""
    assert lines[2] == "1. North America: Seller A1SHOPSELLER9, 2 channels"
    assert lines[3] == "   State: To do"
    assert lines[4].startswith("   Sign in at: https://sellercentral.amazon.")
    assert lines[5].startswith("   In Seller Central's account switcher, select the account of ")
    assert "   Channels:" in lines
    assert "     - Shop US (Shop): Not connected" in lines


def test_nothing_to_reauthorize_reads_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "empty"
    open_workspace(folder, secrets=MemorySecretStore()).close()
    assert main.main(["--data-dir", str(folder), "plan"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"Nothing to reauthorize in {folder / 'inventory.sqlite3'}: every channel is connected "
        "and none",
        "expires within 30 days.",
    ]


def test_json_on_a_missing_inventory_is_an_error_object_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main.main(["--data-dir", str(tmp_path / "nothing"), "plan", "--json"]) == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert "There is no inventory" in data["error"]
    assert data["next_step"]
    assert "There is no inventory" in captured.err


def test_demo_plan_json_lists_the_demo_consents(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["--demo", "plan", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["inventory"] == "the demo inventory"
    assert data["items"]
    assert all(i["in_plan"] and i["state"] == "to_do" for i in data["items"])
