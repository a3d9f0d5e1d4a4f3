"""Review mode: an exported JSON file opened read-only, with no keychain and no network.

``main.py --review FILE`` and File > Open for review… open a :class:`ReviewWorkspace` through
:func:`open_review`. It is a :class:`Workspace` with no store (nothing to save to, no history;
the plan's states are the file's, shown and never written), a secret store that refuses every
call (there is no secret: an export never holds one, and nothing here may wake the keychain)
and a ``read_only_reason``, so every writing path the window has refuses it the way it refuses a
read-only copy.

Statuses are the exporter's, honestly: the file has no tokens, but says which records had one
(``has_refresh_token``, ``has_mws_auth_token``, ``has_client_secret``). Those records get a
placeholder entry name (never looked up), so a channel connected at the exporter's shows as
connected here instead of "Needs reauthorization", and each channel keeps the last check the
exporter recorded. Days left to an authorization's end count from *now* (the reviewer's today),
not from the export time: what a reviewer has to act on is what has ended or ends soon today;
the banner says that the connection results are as of the export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from core.domain import dates
from core.domain.errors import SecretStoreError, UserFacingError
from core.domain.inventory import Inventory
from core.domain.plan_progress import Progress
from core.domain.secret_refs import (
    new_client_secret_ref,
    new_mws_auth_token_ref,
    new_refresh_token_ref,
)
from core.services.exchange.importing import import_changes
from core.services.exchange.reading import read_inventory_file
from core.services.exchange.specs import ParsedImport
from core.services.workspace import Workspace
from core.storage.keychain import UnavailableSecretStore

#: The namespace of the placeholder entry names (never looked up: see the module docstring).
NAMESPACE = "review"
#: Why nothing can change (the window's writing paths quote it when they refuse).
READ_ONLY = "Read-only review: nothing here can change Amazon or your inventory."
#: How many of a bad file's problems the error quotes (the rest are counted).
SHOWN_PROBLEMS = 3
_NEXT_STEP = "Ask for a new export (File > Export… in SP Connect, JSON format), then open that."


class ReviewSecretStore(UnavailableSecretStore):
    """The review's secret store: refuses every call. Nothing in review mode should ask it."""

    def __init__(self) -> None:
        super().__init__(
            SecretStoreError(
                "A file opened for review has no secrets and uses no keychain.",
                "Open the inventory itself to connect, test or reauthorize.",
            )
        )

    @property
    def description(self) -> str:
        return "none (review)"


@dataclass(frozen=True, slots=True)
class ReviewSource:
    """Where a review comes from: the file, whose inventory it is, when it was exported."""

    path: Path
    label: str
    exported_at: datetime | None

    @property
    def exported(self) -> str:
        """The export time in local words, or that the file does not say."""
        return dates.day_time(self.exported_at) if self.exported_at else "an unknown time"

    def banner(self) -> str:
        """The sentence over the window (whose file, when exported, that it is read-only)."""
        whose = self.label or "an inventory"
        return (
            f"{READ_ONLY} File {self.path.name}: {whose}, exported {self.exported}. "
            "Connection results are as the exporter last saw them; days left count from today."
        )

    def title(self) -> str:
        return f"Review of {self.path.name} (read-only)"


class ReviewWorkspace(Workspace):
    """A workspace opened for review: :attr:`source` says from which file, :attr:`plan_notes`
    the plan's states as the exporter noted them (the plan view and the report show them)."""

    source: ReviewSource
    plan_notes: Mapping[str, Progress]


def open_review(
    path: str | Path, *, secrets: UnavailableSecretStore | None = None
) -> ReviewWorkspace:
    """Open ``path`` (a JSON export) for review.

    Args:
        path: The export.
        secrets: The refusing secret store (tests pass one that records calls).

    Raises:
        UserFacingError: The file cannot be read, is not our JSON export, is newer than this
            SP Connect, or has problems: the message names the file and what is wrong.
    """
    file = Path(path)
    parsed = read_inventory_file(file)
    if not parsed.problems and parsed.kind != "json":
        raise UserFacingError(
            f"{file.name} cannot be opened for review: it is not an SP Connect JSON export.",
            _NEXT_STEP,
        )
    if parsed.problems:
        _refuse(file, parsed)
    inventory = _inventory(file, parsed)
    workspace = ReviewWorkspace(
        inventory, secrets or ReviewSecretStore(), None, namespace=NAMESPACE,
        read_only_reason=READ_ONLY,
    )  # fmt: skip
    workspace.source = ReviewSource(file, parsed.label, parsed.exported_at)
    workspace.plan_notes = dict(parsed.plan_notes)
    return workspace


def review_source(workspace: Workspace | None) -> ReviewSource | None:
    """The review's source when ``workspace`` is a review, else ``None``."""
    return workspace.source if isinstance(workspace, ReviewWorkspace) else None


def _refuse(file: Path, parsed: ParsedImport) -> None:
    problems = parsed.problems
    shown = "; ".join(str(p) for p in problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    if more > 0:
        shown += f" (and {more} more)"
    raise UserFacingError(f"{file.name} cannot be opened for review: {shown}", _NEXT_STEP)


def _inventory(file: Path, parsed: ParsedImport) -> Inventory:
    plan = import_changes(parsed, Inventory())
    if not plan.ok:  # a file that reads but does not hold together (a channel without company)
        parsed.problems.extend(plan.problems)
        _refuse(file, parsed)
    inventory = Inventory()
    if plan.change is not None:
        plan.change.apply(inventory)
    for auth_id in parsed.had_refresh_token & inventory.authorizations.keys():
        auth = inventory.authorizations[auth_id]
        ref = new_refresh_token_ref(NAMESPACE, auth_id, version="export")
        inventory.authorizations[auth_id] = replace(auth, refresh_token_ref=ref)
    # The import marks a tokenless grant's channels "reauthorize"; review shows the exporter's.
    health = {s.id: s.health for s in parsed.channels if s.id is not None and s.health}
    for channel_id, channel in list(inventory.channels.items()):
        mws = None
        if channel_id in parsed.had_mws_auth_token:
            mws = new_mws_auth_token_ref(NAMESPACE, channel_id, version="export")
        shown = health.get(channel_id, channel.health)
        inventory.channels[channel_id] = replace(channel, health=shown, mws_auth_token_ref=mws)
    if parsed.had_client_secret:
        ref = new_client_secret_ref(NAMESPACE, version="export")
        inventory.app = replace(inventory.app, client_secret_ref=ref)
    return inventory
