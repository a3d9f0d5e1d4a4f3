"""``about.json``: what support asks first (versions, system, keychain, sizes, folders).

Only names and numbers: the keychain's *name* (never an entry or a value), how many companies,
channels and authorizations, where the data and the log live. The Qt and PySide6 versions come
from the window (the core never imports Qt); without a window the installed PySide6 is read
from the package's metadata, which loads no Qt.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from core.services.exchange.isodates import iso
from core.services.review import review_source
from core.services.workspace import Workspace
from core.storage import schema
from core.storage.keychain import configured_backend

#: Where the bundle was asked for, in words README.txt and about.json use.
WINDOW = "the window (Help > Create support bundle…)"
COMMAND = "the command line (main.py support-bundle)"

#: The keychain's name in review mode: a review holds no secret and uses no keychain.
REVIEW_KEYCHAIN = "none (review)"


@dataclass(frozen=True, slots=True)
class Versions:
    """What the surface knows of itself (the window passes Qt's; a command passes none)."""

    app: str = ""
    qt: str | None = None
    pyside: str | None = None


def inventory_kind(workspace: Workspace | None) -> str:
    """``own``, ``demo``, ``review`` or ``none`` (the inventory could not be opened)."""
    if workspace is None:
        return "none"
    if review_source(workspace) is not None:
        return "review"
    return "demo" if workspace.demo else "own"


def keychain(workspace: Workspace | None, *, opened: bool) -> dict[str, Any]:
    """The keychain by name: which one is used, the backend keyring picks, and any problem.

    ``opened`` is False when the surface left the keychain closed (the command reads no
    secret); then the problem a closed store reports is not the keychain's. The demo and a
    review never ask keyring anything: they use no keychain at all.
    """
    kind = inventory_kind(workspace)
    if kind == "review":
        return {"in_use": REVIEW_KEYCHAIN, "backend": None, "problem": None}
    if kind == "demo" and workspace is not None:
        return {"in_use": workspace.secrets.description, "backend": None, "problem": None}
    backend, name, refusal = configured_backend()
    problem = workspace.secrets_problem if (workspace is not None and opened) else None
    return {
        "in_use": name if refusal is None and problem is None else "unavailable",
        "backend": backend,
        "problem": problem.message if problem is not None else refusal,
    }


def about(
    workspace: Workspace | None,
    versions: Versions,
    *,
    now: datetime,
    made_by: str,
    data_folder: Path | None,
    log_folder: Path,
    keychain_opened: bool,
) -> dict[str, Any]:
    """``about.json`` as plain data."""
    inventory = workspace.current if workspace is not None else None
    source = review_source(workspace)
    return {
        "created_at": iso(now),
        "created_by": made_by,
        "sp_connect": versions.app or "unknown",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "qt": versions.qt or "not loaded (no window)",
        "pyside6": versions.pyside or _installed("PySide6-Essentials", "PySide6"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "executable": sys.executable,
        "keychain": keychain(workspace, opened=keychain_opened),
        "schema_version": schema.LATEST,
        "inventory": {
            "kind": inventory_kind(workspace),
            "companies": None if inventory is None else len(inventory.companies),
            "channels": None if inventory is None else len(inventory.channels),
            "authorizations": None if inventory is None else len(inventory.authorizations),
            "unsaved_changes": 0 if workspace is None else len(workspace.pending),
            "read_only": None if workspace is None else workspace.read_only_reason,
            "review_file": None if source is None else str(source.path),
        },
        "data_folder": _folder(workspace, data_folder),
        "log_folder": str(log_folder),
    }


def _folder(workspace: Workspace | None, fallback: Path | None) -> str | None:
    """The open inventory's folder, else the one the surface tried to open (or none: a review)."""
    if workspace is not None:
        return None if workspace.data_dir is None else str(workspace.data_dir)
    return None if fallback is None else str(fallback)


def _installed(*names: str) -> str:
    for name in names:
        try:
            return f"{metadata.version(name)} (installed; not loaded)"
        except metadata.PackageNotFoundError:
            continue
    return "not loaded; its version is unknown here (a bundled app carries no package list)"
