"""``main.py support-bundle --out FILE``: the bundle without a window, for when it will not start.

The inventory is opened read-only, with no keychain and no Amazon, like ``main.py export``: the
bundle reads no secret. An inventory that cannot be opened does not stop the bundle; it is made
without ``inventory.json`` and says why (that is when support needs it most). Exit 0 when the
file was written, 1 when it was not, each with one plain line (and the next step on stderr).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TextIO

from core.domain.errors import UserFacingError
from core.domain.inventory import utcnow
from core.services.demo import open_demo
from core.services.opening import open_workspace
from core.services.support_bundle.about import COMMAND, Versions
from core.services.support_bundle.archive import write_bundle
from core.services.support_bundle.request import BundleRequest
from core.services.workspace import Workspace
from core.storage import paths
from core.storage.backups import DB_NAME

ATTACH = "Attach this file to your support ticket."


def support_bundle_command(
    *,
    data_dir: str | None,
    demo: bool,
    out: str,
    app_version: str,
    stdout: TextIO,
    stderr: TextIO,
    now: datetime | None = None,
) -> int:
    """Write the bundle to ``out``; 0 written, 1 not (with the reason and the next step)."""
    folder = None if demo else paths.data_dir(data_dir)
    workspace, problem = _open(folder)
    try:
        request = BundleRequest(
            workspace,
            now or utcnow(),
            Versions(app=app_version),
            made_by=COMMAND,
            problem=problem,
            data_folder=folder,
            keychain_opened=False,
        )
        path = write_bundle(request, out)
    except UserFacingError as exc:
        print(f"error: {exc.message}", file=stderr)
        if exc.next_step:
            print(exc.next_step, file=stderr)
        return 1
    finally:
        if workspace is not None:
            workspace.close()
    print(f"Support bundle written to {path}. {ATTACH}", file=stdout)
    if problem is not None:
        print(f"It holds no inventory: {problem}", file=stdout)
    return 0


def _open(folder: Path | None) -> tuple[Workspace | None, str | None]:
    """The inventory read-only (``None``: the demo), or why there is none."""
    if folder is None:
        return open_demo(amazon=False), None
    if not (folder / DB_NAME).exists():
        return None, f"there is no inventory in {folder} yet"
    try:
        return open_workspace(folder, read_only=True, keychain=False), None
    except UserFacingError as exc:
        return None, f"the inventory could not be opened: {exc.message.rstrip('.')}"
