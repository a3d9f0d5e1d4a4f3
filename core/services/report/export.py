"""Writing the printable report of an inventory to a file: :func:`write_report`.

The report reads no secret and names no keychain entry, so it needs neither the keychain nor
the inventory's lock (``main.py export --format html|pdf`` goes through
:mod:`core.services.report.formats`; the window's File > Export report… comes here).

The PDF is painted with Qt (``gui.report_pdf``), which the core may not import: the caller
passes its painter as ``render_pdf``. The file appears whole or not at all (written next to
its final name, then renamed: :mod:`core.services.report.staging`, which the window's PDF
export uses directly, as it paints over many turns of its event loop), so a failed export never
leaves half a report behind; like every export it is created 0600 (see
:mod:`core.services.exchange.writing`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from core.domain.inventory import Inventory
from core.domain.plan_progress import Progress
from core.services.plan_notes import workspace_notes
from core.services.report.html import render_html
from core.services.report.model import ReportData, build_report
from core.services.report.staging import ReportError, commit, discard, stage, unwritable
from core.services.workspace import Workspace

FORMATS = ("html", "pdf")
#: Paints a report into a PDF file at the given path (``gui.report_pdf.write_pdf``).
PdfRenderer = Callable[[ReportData, Path], None]


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
    """The report of an open workspace (with its unsaved changes and its plan's states: this
    reads SQLite, run it off the GUI thread) or of a bare inventory."""
    notes: dict[str, Progress] = {}
    if isinstance(source, Workspace):
        inventory, pending = source.current, source.pending_channel_ids()
        notes = workspace_notes(source)
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
        plan_notes=notes,
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
    staged = stage(out)
    try:
        if render_pdf is not None and fmt == "pdf":
            render_pdf(report, staged.temp)
        else:
            with staged.temp.open("w", encoding="utf-8", newline="\n") as stream:
                stream.write(render_html(report))
    except OSError as exc:
        discard(staged)
        raise unwritable(staged.target, exc) from None
    except BaseException:
        discard(staged)
        raise
    return commit(staged)


def _check_format(fmt: str, render_pdf: PdfRenderer | None) -> None:
    if fmt not in FORMATS:
        raise ReportError(f"SP Connect cannot write a report as {fmt!r}.", "Choose html or pdf.")
    if fmt == "pdf" and render_pdf is None:
        raise ReportError("This copy of SP Connect cannot write PDF files.", "Choose html.")
