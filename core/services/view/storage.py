"""Where an open inventory keeps its data and its secrets, in the words the status bar shows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.services.deferred_keychain import secrets_known
from core.services.review import review_source
from core.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Label:
    text: str
    tooltip: str


def secrets_label(workspace: Workspace) -> Label:
    """Which secret store this inventory saves to, or why it cannot save."""
    if review_source(workspace) is not None:
        return Label(
            "Secrets: none (review)",
            "A file opened for review holds no secrets; no keychain is used.",
        )
    if not secrets_known(workspace.secrets):  # asked on a lane; the answer replaces this
        return Label(
            "Secrets: asking the keychain…",
            "SP Connect is asking your system's keychain whether it can keep secrets safely. "
            "This says which keychain, or why saving is off, in a moment.",
        )
    problem = workspace.secrets_problem
    if problem is not None:
        return Label(
            "Secrets: unavailable, saving is off", f"{problem.message}\n{problem.next_step}"
        )
    where = workspace.secrets.description
    if workspace.demo:
        return Label(
            f"Secrets: {where}",
            "This demo keeps its sample secrets in memory only: nothing reaches your keychain, "
            "and the demo is deleted when you close this window.",
        )
    return Label(
        f"Secrets: {where}",
        f"Refresh tokens and other secrets are kept in {where}, never in the inventory file.",
    )


def data_label(workspace: Workspace, home: Path | None = None) -> Label:
    """Which file holds the inventory (the home folder shortened to ``~``)."""
    source = review_source(workspace)
    if source is not None:
        return Label(f"Review: {source.path.name}", f"{source.path}\nRead-only: nothing is saved.")
    if workspace.demo:
        return Label(
            "Data: temporary demo folder",
            f"{workspace.data_file}\nDeleted when you close the demo.",
        )
    shown = str(workspace.data_file).replace(str(home or Path.home()), "~", 1)
    return Label(f"Data: {shown}", str(workspace.data_file))


def title_label(workspace: Workspace | None) -> str:
    """What the window's title calls the open inventory."""
    source = review_source(workspace)
    if source is not None:
        return source.title()
    label = "Demo inventory" if workspace is not None and workspace.demo else "Inventory"
    if workspace is not None and workspace.read_only:
        label += " (read-only)"
    return label
