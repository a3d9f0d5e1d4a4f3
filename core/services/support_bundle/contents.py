"""The bundle's members as text, every one redacted, then checked once more.

``inventory.json`` is the inventory *as the window shows it*, pending changes included: support
is asked about what the person sees ("this channel says Unsaved"), and a bundle without the
edits would not show it. README.txt says how many unsaved changes it holds. It is exactly what
File > Export writes as JSON (same exporter, same pending marks), then redacted.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from core.domain import redaction
from core.domain.errors import UserFacingError
from core.services import logs
from core.services.exchange.writing import ExportRequest, render
from core.services.plan_notes import workspace_notes
from core.services.support_bundle.about import about
from core.services.support_bundle.readme import readme
from core.services.support_bundle.request import BundleRequest
from core.services.workspace import Workspace

README, INVENTORY, LOG, ABOUT = "README.txt", "inventory.json", "log.txt", "about.json"
#: The members, in the order the zip lists them (README first: it is what a person opens).
MEMBERS = (README, INVENTORY, LOG, ABOUT)
#: Members up to this many characters are also checked for known values (see :func:`check`).
KNOWN_CHECK_LIMIT = 4_000_000


class SecretLeftError(UserFacingError):
    """The last check found something secret in a member: nothing was written."""


def bundle_members(
    request: BundleRequest, redact: Callable[[str], str] = redaction.redact
) -> dict[str, str]:
    """Every member's text, redacted and checked (name -> text, in :data:`MEMBERS` order).

    ``redact`` is :func:`core.domain.redaction.redact`; a test passes one that misses
    something to prove the last check refuses. Raises :class:`SecretLeftError`.
    """
    workspace = request.workspace
    pending = 0 if workspace is None else len(workspace.pending)
    lines = _log_lines(request.log_lines)
    texts: dict[str, str] = {
        README: readme(
            request, pending=pending, log_lines=0 if isinstance(lines, str) else len(lines)
        ),
    }
    if workspace is not None:
        texts[INVENTORY] = _inventory(workspace, request)
    texts[LOG] = _log(lines)
    document = about(
        workspace,
        request.versions,
        now=request.now,
        made_by=request.made_by,
        data_folder=request.data_folder,
        log_folder=logs.log_folder(),
        keychain_opened=request.keychain_opened,
    )
    texts[ABOUT] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    members = {name: redact(text) for name, text in texts.items()}
    for name, text in members.items():
        check(name, text)
    return members


def check(name: str, text: str) -> None:
    """Refuse ``text`` if a secret shape is still in it, or a known value in a smaller member.

    Redaction leaves redacted text as it is, so any difference is a secret shape, a
    secret-named field's value or a value a :class:`~core.domain.secret.Secret` held. The
    shapes are checked in every member (a regular expression: about 15 MB a second); the known
    values, a Python loop over every character (about 3 MB a second), in every member up to
    :data:`KNOWN_CHECK_LIMIT`: README, about.json and the log's tail always are, and only the
    export of a large inventory is longer. That one passed ``redact()`` like the rest, and the
    exporter writes no secret by construction (only ``has_refresh_token``...), so checking it
    again for known values would double the bundle's time (15 s at 50,000 channels) for nothing.
    """
    slipped = redaction.redact_shapes(text) != text or (
        len(text) <= KNOWN_CHECK_LIMIT and redaction.KNOWN.redact(text) != text
    )
    if slipped:
        raise SecretLeftError(
            f"The support bundle was not written: {name} still held something that looks secret.",
            "Tell your support contact that the bundle's secret check stopped it, and send "
            "nothing else in its place.",
        )


def _inventory(workspace: Workspace, request: BundleRequest) -> str:
    """File > Export's JSON of what the window shows (see the module's docstring)."""
    try:
        notes = workspace_notes(workspace)
    except UserFacingError:  # the plan's states are not worth losing the bundle over
        notes = {}
    export = ExportRequest(
        workspace.current,
        request.now,
        workspace.pending_channel_ids(),
        request.versions.app,
        plan_notes=notes,
    )
    return render("json", export).decode("utf-8")


def _log_lines(count: int) -> list[str] | str:
    """The log's last lines, or why they could not be read (the bundle is still made)."""
    try:
        return logs.recent_lines(count)
    except OSError as exc:
        return f"The log could not be read ({exc.strerror or type(exc).__name__})."


def _log(lines: list[str] | str) -> str:
    if isinstance(lines, str):
        return f"{lines}\nIts folder: {logs.log_folder()}\n"
    if not lines:
        return (
            f"There is no log yet: SP Connect has written nothing to {logs.log_file()}.\n"
            "This is normal right after installing it.\n"
        )
    return "\n".join(lines) + "\n"
