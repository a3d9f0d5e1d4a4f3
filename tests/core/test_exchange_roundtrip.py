"""Export JSON, import it into an empty data folder, export again (issue 10's round trip).

What the file never holds (refresh tokens, MWS tokens, the client secret) cannot come back, so
the first round trip keeps every record and id and differs only in what those missing secrets
mean (``has_*``, the badges, the plan: the channels need a new consent, and say so). From
there a second round trip is identical apart from ``exported_at``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.domain.samples import demo_inventory
from core.domain.synthetic import generate_inventory
from core.services.exchange.importing import IMPORTED_UNCONNECTED
from tests.core.exchange_support import export_text, import_into, plan_for, saved_workspace
from tests.core.factories import NOW

LATER = NOW + timedelta(seconds=5)


def _without_secret_consequences(document: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(json.dumps(document))
    del doc["exported_at"], doc["plan"]
    doc["app"].pop("has_client_secret")
    for auth in doc["authorizations"]:
        auth.pop("has_refresh_token")
    for channel in doc["channels"]:
        channel.pop("badge"), channel.pop("has_mws_auth_token")
        if channel["authorization_id"] is not None:
            for key in ("result", "message", "failing_since"):
                channel["health"].pop(key)
    return doc


def _build(name: str) -> Any:
    if name == "demo":
        return demo_inventory
    return lambda now, ns: generate_inventory(2000, now, ns, seed=7)


@pytest.mark.parametrize("source", ["demo", "2000 channels"])
def test_export_import_export_keeps_every_record_and_then_is_a_fixed_point(
    tmp_path: Path, source: str
) -> None:
    workspace = saved_workspace(tmp_path / "source", _build(source), NOW)
    try:
        first = export_text(workspace.saved, NOW)
    finally:
        workspace.close()

    second = export_text(import_into(tmp_path / "empty", first, NOW), LATER)
    third = export_text(import_into(tmp_path / "empty-again", second, NOW), NOW)

    one, two, three = json.loads(first), json.loads(second), json.loads(third)
    assert _without_secret_consequences(two) == _without_secret_consequences(one)
    assert two["exported_at"] != three["exported_at"]
    two["exported_at"] = three["exported_at"]
    assert two == three  # identical apart from exported_at
    # Nothing pretends to be connected without its token.
    assert not any(a["has_refresh_token"] for a in two["authorizations"])
    linked = [c for c in two["channels"] if c["authorization_id"]]
    assert linked
    for channel in linked:
        assert channel["health"]["result"] == "needs_reauthorization"
        assert channel["health"]["message"] == IMPORTED_UNCONNECTED
        assert "Needs reauthorization" in channel["badge"]
    assert not two["app"]["has_client_secret"]
    planned = {c["channel_id"] for item in two["plan"] for c in item["channels"]}
    assert {c["id"] for c in linked} <= planned


def test_the_same_export_into_its_own_inventory_is_nothing_new(tmp_path: Path) -> None:
    workspace = saved_workspace(tmp_path / "own", demo_inventory, NOW)
    try:
        text = export_text(workspace.saved, NOW)
        plan = plan_for(text, workspace.current)
        assert plan.ok
        assert plan.change is None
        assert plan.summary().startswith("Nothing new")

        document = json.loads(text)
        document["channels"][0]["name"] = "Renamed in the file"
        plan = plan_for(json.dumps(document), workspace.current)
        assert plan.change is not None
        assert (plan.channels_added, plan.channels_updated) == (0, 1)
        workspace.apply(plan.change)
        renamed = workspace.current.channels[document["channels"][0]["id"]]
        assert renamed.name == "Renamed in the file"
        # The channel keeps its own grant and health: an import never touches those.
        before = workspace.saved.channels[renamed.id]
        assert (renamed.authorization_id, renamed.health) == (
            before.authorization_id,
            before.health,
        )
        assert workspace.undo() is plan.change
        assert workspace.current is workspace.saved
    finally:
        workspace.close()


def test_an_import_is_one_pending_change_until_save(tmp_path: Path) -> None:
    source = saved_workspace(tmp_path / "source", demo_inventory, NOW)
    try:
        text = export_text(source.saved, NOW)
    finally:
        source.close()
    from core.services.workspace import Workspace
    from core.storage.keychain import MemorySecretStore

    target = Workspace.open(tmp_path / "target", MemorySecretStore())
    try:
        plan = plan_for(text, target.current)
        assert plan.change is not None
        target.apply(plan.change)
        assert [c.kind.value for c in target.pending] == ["import"]
        assert len(target.current.channels) == 25
        assert target.saved.channels == {}
        target.undo()
        assert not target.is_dirty
        assert target.current.channels == {}
    finally:
        target.close()


def test_a_csv_export_imports_into_an_empty_folder_with_the_same_channels(tmp_path: Path) -> None:
    from core.services.exchange.export_csv import export_csv

    workspace = saved_workspace(tmp_path / "source", demo_inventory, NOW)
    try:
        source = workspace.saved
        text = export_csv(source, NOW, bom=True)
    finally:
        workspace.close()
    imported = import_into(tmp_path / "empty", text, NOW, ".csv")

    def fields(inv: Any) -> set[tuple[Any, ...]]:
        return {
            (c.id, inv.companies[c.company_id].name, c.marketplace_id, c.seller_id, c.name,
             c.mws_merchant_token, c.app_status)
            for c in inv.channels.values()
        }  # fmt: skip

    assert fields(imported) == fields(source)
    parents = {c.name: c.parent_id for c in source.companies.values()}
    assert {c.name: c.parent_id for c in imported.companies.values()} == parents
