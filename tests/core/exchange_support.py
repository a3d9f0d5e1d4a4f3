"""Helpers for the export/import tests: a saved inventory in a folder, and the exports."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from core.domain.changes import replace_all
from core.domain.inventory import Inventory
from core.domain.secret import Secret
from core.services.exchange.export_json import dumps, export_json
from core.services.exchange.importing import ImportPlan, import_changes
from core.services.exchange.reading import read_inventory_bytes
from core.services.review import ReviewSecretStore
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore


def saved_workspace(
    folder: Path, build: Any, now: datetime, store: MemorySecretStore | None = None
) -> Workspace:
    """A workspace in ``folder`` holding ``build(now, namespace)``'s inventory, saved."""
    workspace = Workspace.open(folder, store or MemorySecretStore())
    inventory, secrets = build(now, workspace.namespace)
    workspace.apply(replace_all(inventory, secrets, now))
    workspace.save(now)
    return workspace


def export_text(inventory: Inventory, now: datetime) -> str:
    return dumps(export_json(inventory, now, app_version="test"))


def plan_for(text: str, current: Inventory, suffix: str = ".json") -> ImportPlan:
    return import_changes(read_inventory_bytes(text.encode("utf-8"), suffix), current)


def import_into(folder: Path, text: str, now: datetime, suffix: str = ".json") -> Inventory:
    """Import ``text`` into a new inventory in ``folder``, Save, and read it back from disk."""
    workspace = Workspace.open(folder, MemorySecretStore())
    try:
        plan = plan_for(text, workspace.current, suffix)
        assert plan.ok, plan.problems[:5]
        assert plan.change is not None
        workspace.apply(plan.change)
        workspace.save(now)
    finally:
        workspace.close()
    reopened = Workspace.open(folder, MemorySecretStore(), read_only=True)
    try:
        return reopened.current
    finally:
        reopened.close()


def secrets_of(values: dict[str, Secret]) -> list[str]:
    return [s.reveal() for s in values.values()]


class RecordingStore(ReviewSecretStore):
    """The review's store, noting every call it gets (there must be none)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def get(self, name: str) -> Secret | None:
        self.calls.append(f"get {name}")
        return super().get(name)

    def set(self, name: str, value: Secret) -> None:
        self.calls.append(f"set {name}")
        super().set(name, value)

    def delete(self, name: str) -> None:
        self.calls.append(f"delete {name}")
        super().delete(name)
