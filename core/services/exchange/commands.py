"""``main.py export`` and ``main.py import``: the same services the window uses, headless.

``export`` opens the inventory read-only with no keychain and no Amazon (like ``plan``): it
reads no secret. ``import`` without ``--save`` is a dry run, equally harmless; with ``--save``
it takes the instance lock and the keychain like the window, because Save needs both (the
import itself brings no secret, but a Save never runs without a usable keychain).

Exit codes: ``export`` 0 written, 2 not written; ``import`` 0 fine (nothing to do, would import,
or imported), 1 the file has problems (nothing changed), 2 the import could not run (no lock,
no keychain, unreadable inventory).
"""

from __future__ import annotations

from datetime import datetime
from typing import TextIO

from core.domain.errors import UserFacingError
from core.domain.inventory import Inventory, utcnow
from core.services.demo import open_demo
from core.services.exchange.importing import ImportPlan, import_changes
from core.services.exchange.reading import read_inventory_file
from core.services.exchange.writing import FORMATS, write_export
from core.services.opening import open_workspace
from core.services.workspace import Workspace
from core.storage import paths
from core.storage.backups import DB_NAME
from core.storage.keychain import SecretStore

#: How many problems the command line prints before "and N more".
SHOWN_PROBLEMS = 200


def export_formats() -> list[str]:
    """The formats ``--format`` accepts (whatever is registered, see :mod:`.writing`)."""
    return sorted(FORMATS)


def export_command(
    *,
    data_dir: str | None,
    demo: bool,
    fmt: str,
    out: str,
    bom: bool,
    app_version: str,
    stdout: TextIO,
    stderr: TextIO,
    now: datetime | None = None,
) -> int:
    """Write the export; 0 when written, 2 (with the reason and next step) when not."""
    try:
        workspace = _open(data_dir, demo, read_only=True)
    except UserFacingError as exc:
        return _fail(stderr, exc, 2)
    try:
        path = write_export(
            workspace, fmt, out, now=now or utcnow(), bom=bom, app_version=app_version
        )
    except UserFacingError as exc:
        return _fail(stderr, exc, 2)
    finally:
        workspace.close()
    count = len(workspace.current.channels)
    print(f"Exported {count} channel{'s' if count != 1 else ''} as {fmt} to {path}", file=stdout)
    return 0


def import_command(
    *,
    data_dir: str | None,
    demo: bool,
    file: str,
    save: bool,
    stdout: TextIO,
    stderr: TextIO,
    secrets: SecretStore | None = None,
    now: datetime | None = None,
) -> int:
    """Check ``file`` against the inventory; print the outcome; with ``save``, apply and Save.

    ``secrets`` replaces the OS keychain (tests; the demo uses its own memory store).
    """
    try:
        parsed = read_inventory_file(file)
    except UserFacingError as exc:
        return _fail(stderr, exc, 2)
    if not save:
        try:
            current = _dry_run_inventory(data_dir, demo)
        except UserFacingError as exc:
            return _fail(stderr, exc, 2)
        plan = import_changes(parsed, current)
        return _report(plan, stdout, saved=False)
    try:
        workspace = _open(data_dir, demo, read_only=False, secrets=secrets)
    except UserFacingError as exc:
        return _fail(stderr, exc, 2)
    try:
        if workspace.read_only_reason is not None:
            return _fail(
                stderr,
                UserFacingError(
                    "Nothing was imported: SP Connect is open on this inventory in a window.",
                    "Import from that window (File > Import), or close it and run this again.",
                ),
                2,
            )
        plan = import_changes(parsed, workspace.current)
        if plan.change is None:
            return _report(plan, stdout, saved=False)
        workspace.apply(plan.change)
        workspace.save(now)
        code = _report(plan, stdout, saved=True)
        if workspace.demo:
            print("  The demo is temporary: its folder is deleted when this command ends.",
                  file=stdout)  # fmt: skip
        return code
    except UserFacingError as exc:
        return _fail(stderr, exc, 2)
    finally:
        workspace.close()


def _open(
    data_dir: str | None, demo: bool, *, read_only: bool, secrets: SecretStore | None = None
) -> Workspace:
    if demo:
        return open_demo(amazon=False, secrets=secrets)
    if read_only:
        return open_workspace(data_dir, read_only=True, keychain=False)
    return open_workspace(data_dir, secrets=secrets)


def _dry_run_inventory(data_dir: str | None, demo: bool) -> Inventory:
    """The inventory a dry run compares with; an empty folder has none yet (nothing created)."""
    if not demo and not (paths.data_dir(data_dir) / DB_NAME).exists():
        return Inventory()
    workspace = _open(data_dir, demo, read_only=True)
    try:
        return workspace.current
    finally:
        workspace.close()


def _report(plan: ImportPlan, out: TextIO, *, saved: bool) -> int:
    if not plan.ok:
        _print_problems(plan, out)
        return 1
    if plan.change is None:
        print(plan.summary(), file=out)
    elif saved:
        print(f"Imported and saved: {plan.summary()}", file=out)
    else:
        print(f"Would import: {plan.summary()}", file=out)
        print("Nothing was changed (a dry run). Add --save to import and save.", file=out)
    for warning in plan.warnings[:SHOWN_PROBLEMS]:
        print(f"  note, {warning}", file=out)
    for note in plan.notes:
        print(f"  {note}", file=out)
    return 0


def _print_problems(plan: ImportPlan, out: TextIO) -> None:
    print(plan.summary(), file=out)
    for problem in plan.problems[:SHOWN_PROBLEMS]:
        print(f"  {problem}", file=out)
    rest = len(plan.problems) - SHOWN_PROBLEMS
    if rest > 0:
        print(f"  ... and {rest} more.", file=out)
    print("Correct the file and import it again.", file=out)


def _fail(err: TextIO, exc: UserFacingError, code: int) -> int:
    print(f"error: {exc.message}", file=err)
    if exc.next_step:
        print(exc.next_step, file=err)
    return code
