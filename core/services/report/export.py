"""Writing the printable report of an inventory to a file: :func:`write_report`.

The report reads no secret and names no keychain entry, so it needs neither the keychain nor
the inventory's lock (``main.py export --format html|pdf`` goes through
:mod:`core.services.report.formats`; the window's File > Export report… comes here).

The PDF is painted with Qt (``gui.report_pdf``), which the core may not import: the caller
passes its painter as ``render_pdf``. The file appears whole or not at all (written next to
its final name, then renamed), so a failed export never leaves half a report behind; like every
export it is created 0600 (see :mod:`core.services.exchange.writing`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from core.domain.errors import UserFacingError
from core.domain.inventory import Inventory
from core.services.report.html import render_html
from core.services.report.model import ReportData, build_report
from core.services.workspace import Workspace

FORMATS = ("html", "pdf")
#: Paints a report into a PDF file at the given path (``gui.report_pdf.write_pdf``).
PdfRenderer = Callable[[ReportData, Path], None]


class ReportError(UserFacingError):
    """The report could not be written; nothing was left at its destination."""


def app_version() -> str:
    """The installed version of SP Connect, for the report's header."""
    from importlib import metadata

    try:
        return metadata.version("sp-connect")
    except metadata.PackageNotFoundError:
        return "(version unknown: not installed)"


def report_of(
    source: Workspace | Inventory, now: datetime, *, version: str | None = None
) -> ReportData:
    """The report of an open workspace (with its unsaved changes) or of a bare inventory."""
    if isinstance(source, Workspace):
        inventory, pending = source.current, source.pending_channel_ids()
        if source.demo:
            name = "the demo inventory"
        else:
            name = str(source.data_file) if source.data_file is not None else "an inventory"
    else:
        inventory, pending, name = source, frozenset(), "an inventory"
    return build_report(
        inventory,
        now,
        inventory_name=name,
        version=app_version() if version is None else version,
        pending_channel_ids=pending,
    )


def write_report(
    source: Workspace | Inventory,
    fmt: str,
    out: str | Path,
    now: datetime,
    *,
    render_pdf: PdfRenderer | None = None,
    version: str | None = None,
) -> Path:
    """Write the report of ``source`` as ``fmt`` (``html`` or ``pdf``) to ``out``.

    Returns the absolute path written. Raises :class:`ReportError` when the format is unknown
    or the file cannot be written.
    """
    _check_format(fmt, render_pdf)
    return write_report_data(
        report_of(source, now, version=version), fmt, out, render_pdf=render_pdf
    )


def write_report_data(
    report: ReportData, fmt: str, out: str | Path, *, render_pdf: PdfRenderer | None = None
) -> Path:
    """Write an already built report (the window builds it off the GUI thread)."""
    _check_format(fmt, render_pdf)
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
        raise _unwritable(target, exc) from None
    temp = Path(temp_name)
    try:
        if render_pdf is not None and fmt == "pdf":
            os.close(handle)
            render_pdf(report, temp)
        else:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(render_html(report))
        os.replace(temp, target)
    except OSError as exc:
        raise _unwritable(target, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return target


def _check_format(fmt: str, render_pdf: PdfRenderer | None) -> None:
    if fmt not in FORMATS:
        raise ReportError(f"SP Connect cannot write a report as {fmt!r}.", "Choose html or pdf.")
    if fmt == "pdf" and render_pdf is None:
        raise ReportError("This copy of SP Connect cannot write PDF files.", "Choose html.")


def _unwritable(target: Path, exc: OSError) -> ReportError:
    reason = exc.strerror or type(exc).__name__
    return ReportError(
        f"The report could not be written to {target}: {reason}.",
        "Choose a folder you can write to, with some free space.",
    )
