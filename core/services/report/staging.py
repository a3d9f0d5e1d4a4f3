"""A report file that appears whole or not at all: written next to its destination, renamed.

:func:`core.services.report.export.write_report_data` writes in one call; the window's PDF
export paints over many turns of the event loop (``gui.report_progress``), so the two halves
are separate here: :func:`stage` checks the destination and creates the temporary file (0600,
like every export), :func:`commit` renames it into place, :func:`discard` removes it after a
failure or a Cancel.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.domain.errors import UserFacingError


class ReportError(UserFacingError):
    """The report could not be written; nothing was left at its destination."""


@dataclass(frozen=True, slots=True)
class StagedFile:
    """Where the report goes (``target``) and the temporary file it is written to first."""

    target: Path
    temp: Path


def stage(out: str | Path) -> StagedFile:
    """Check the destination and create an empty temporary file next to it.

    Raises :class:`ReportError` when ``out`` is a folder, its folder is missing or unwritable.
    """
    target = Path(out).expanduser().absolute()
    if target.is_dir():
        raise ReportError(
            f"{target} is a folder.", "Give a file name, for example report.html, after --out."
        )
    if not target.parent.is_dir():
        raise ReportError(
            f"The folder {target.parent} does not exist.",
            "Create it first, or choose another place for the report.",
        )
    try:
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as exc:
        raise unwritable(target, exc) from None
    os.close(handle)
    return StagedFile(target, Path(temp_name))


def commit(staged: StagedFile) -> Path:
    """Rename the finished temporary file into place; the absolute path written."""
    try:
        os.replace(staged.temp, staged.target)
    except OSError as exc:
        discard(staged)
        raise unwritable(staged.target, exc) from None
    return staged.target


def discard(staged: StagedFile) -> None:
    """Remove the temporary file (nothing if it is gone already)."""
    with contextlib.suppress(FileNotFoundError):
        staged.temp.unlink()


def unwritable(target: Path, exc: OSError) -> ReportError:
    reason = exc.strerror or type(exc).__name__
    return ReportError(
        f"The report could not be written to {target}: {reason}.",
        "Choose a folder you can write to, with some free space.",
    )
