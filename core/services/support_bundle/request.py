"""What a support bundle is made from: built on the surface's thread, used on a worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.services import logs
from core.services.support_bundle.about import WINDOW, Versions
from core.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class BundleRequest:
    """The inventory, the time, and what the surface knows of itself.

    ``workspace`` is ``None`` when the inventory could not be opened (``problem`` says why): a
    bundle is most needed then, and still carries the log and ``about.json``. ``data_folder``
    names the folder the surface tried to open in that case. ``keychain_opened`` is False when
    the surface did not open the keychain (the command reads no secret).
    """

    workspace: Workspace | None
    now: datetime
    versions: Versions = field(default_factory=Versions)
    made_by: str = WINDOW
    problem: str | None = None
    data_folder: Path | None = None
    keychain_opened: bool = True
    log_lines: int = logs.BUNDLE_LINES
