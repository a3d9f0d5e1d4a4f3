"""Writing an export file: the format dispatch, and an atomic, private write.

:data:`FORMATS` maps a format name to a function that turns an :class:`ExportRequest` into the
file's bytes; the HTML and PDF report registers itself with :func:`register` the same way, so
``main.py export --format`` and File > Export offer whatever is registered.

The file is written next to its destination under a temporary name and moved into place with
``os.replace``, so a reader never sees half a file and a failed export leaves the old file as it
was. It is created 0600, like the data folder's files: an export names every seller and company
the person manages, and sharing it is a deliberate act (attach it, copy it), after which the copy
has the recipient's permissions. Never world-readable or world-writable by accident.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.domain.errors import UserFacingError
from core.domain.inventory import Inventory
from core.domain.plan_progress import Progress
from core.services.exchange.export_csv import export_csv
from core.services.exchange.export_json import dumps, export_json
from core.services.plan_notes import workspace_notes
from core.services.workspace import Workspace
from core.storage.files import write_whole


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What an exporter needs: the inventory as the person sees it, and when."""

    inventory: Inventory
    now: datetime
    pending_channel_ids: frozenset[str] = frozenset()
    app_version: str = ""
    bom: bool = False
    inventory_name: str = ""  # which inventory, in words (the printable report's header)
    #: The plan's states by item key (:func:`core.services.plan_notes.workspace_notes`).
    plan_notes: Mapping[str, Progress] = field(default_factory=dict)


Exporter = Callable[[ExportRequest], bytes]


def _json(request: ExportRequest) -> bytes:
    document = export_json(
        request.inventory,
        request.now,
        app_version=request.app_version,
        pending_channel_ids=request.pending_channel_ids,
        plan_notes=request.plan_notes,
    )
    return dumps(document).encode("utf-8")


def _csv(request: ExportRequest) -> bytes:
    text = export_csv(
        request.inventory,
        request.now,
        bom=request.bom,
        pending_channel_ids=request.pending_channel_ids,
    )
    return text.encode("utf-8")


#: Format name -> exporter. Extend with :func:`register`.
FORMATS: dict[str, Exporter] = {"json": _json, "csv": _csv}


def register(name: str, exporter: Exporter) -> None:
    """Offer another export format (the report adds ``html`` and ``pdf``)."""
    FORMATS[name] = exporter


def render(fmt: str, request: ExportRequest) -> bytes:
    exporter = FORMATS.get(fmt)
    if exporter is None:
        raise UserFacingError(
            f"SP Connect cannot export as '{fmt}'.",
            f"Choose one of: {', '.join(sorted(FORMATS))}.",
        )
    return exporter(request)


def write_export(
    workspace: Workspace,
    fmt: str,
    out: str | Path,
    *,
    now: datetime,
    bom: bool = False,
    app_version: str = "",
) -> Path:
    """Export ``workspace.current`` (pending changes included) to ``out``; returns the path.

    The plan's states are read here (blocking, like the write: the database lane).
    Raises :class:`UserFacingError` for an unknown format or a file that cannot be written.
    """
    name = "the demo inventory" if workspace.demo else str(workspace.data_file or "")
    request = ExportRequest(
        workspace.current, now, workspace.pending_channel_ids(), app_version, bom, name,
        workspace_notes(workspace),
    )  # fmt: skip
    data = render(fmt, request)
    path = Path(out)
    write_atomically(path, data)
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once (temporary file, then ``os.replace``), 0600."""
    try:
        write_whole(path, data)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _cannot_write(path: Path, exc: OSError) -> UserFacingError:
    reason = exc.strerror or "it could not be written"
    return UserFacingError(
        f"The export could not be written to {path} ({reason}).",
        "Choose a folder you can write to, with some free space, and export again.",
    )
