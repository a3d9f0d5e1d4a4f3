"""The PDF report's words as Qt rich text, in pieces small enough to add one per step.

Qt's rich text (:class:`QTextDocument`) understands a subset of HTML without SVG: the two
pictures are blank images of their size here, painted over as vectors (``gui.report_pages``).
The table is many short tables, each starting with the header row (a ``thead`` also repeats on
every page a table continues on): Qt lays out and draws a table whole, so a short table keeps
each step of the painting short (see ``gui.report_pages``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html import escape

from core.services.report import charts
from core.services.report.html import TABLE_HEADERS, timeline_caption
from core.services.report.model import PLAN_TITLE, PlanStep, ReportData, TableRow

#: Rows per table: Qt lays one out in about 1-3 ms a row (more towards the end of a long
#: report), so one table is one step of well under 50 ms at 10,000 channels.
ROWS_PER_TABLE = 20
#: Plan steps per piece: a plan step is a few short paragraphs and a list.
STEPS_PER_PIECE = 20
#: The table's column widths (per cent): a Seller ID fits on one line.
_WIDTHS = (11, 12, 12, 17, 14, 12, 11, 11)
#: The pictures' names in the document, and how large they are shown (of their SVG size):
#: small enough that both and their captions share the first page.
BARS, TIMELINE = "report-bars", "report-timeline"
PICTURE_SCALE = 0.85


@dataclass(frozen=True, slots=True)
class Piece:
    """Some of the report as Qt rich text; ``rows`` is how many table rows it holds."""

    html: str
    rows: int = 0
    #: It starts on a new page (the table's heading), so it never continues the piece before.
    new_page: bool = False

    @property
    def is_table(self) -> bool:
        return self.html.startswith("<table")


def pieces(report: ReportData, sizes: dict[str, tuple[float, float]]) -> Iterator[Piece]:
    """The report in order: the front page, the plan in pieces, the table in short tables
    (made one at a time: all of them at once is a step of its own at 10,000 channels)."""
    channels = "1 channel" if report.total == 1 else f"{report.total} channels"
    companies = "1 company" if report.companies == 1 else f"{report.companies} companies"
    front = [
        f"<h1>SP Connect report: {_e(report.inventory_name)}</h1>",
        f"<p>Exported {_e(report.exported_at)} by SP Connect {_e(report.version)}. "
        f"{channels} in {companies}. Dates are in the exporting computer's local time. This "
        "report holds no passwords, tokens or secrets.</p>",
        "<h2>Summary</h2>",
        _img(BARS, sizes[BARS]),
        f"<p><i>Channels by what they need first ({report.total} in all; each channel counts "
        "once).</i></p>",
        _img(TIMELINE, sizes[TIMELINE]),
        f"<p><i>{_e(timeline_caption(report))}</i></p>",
        f"<h2>{PLAN_TITLE}</h2>",
    ]
    if not report.plan:
        front.append(
            "<p>Nothing to reauthorize: every channel is connected and none expires within "
            "30 days.</p>"
        )
    yield Piece("".join(front))
    plan = report.plan
    for start in range(0, len(plan), STEPS_PER_PIECE):
        yield Piece("".join(_step(s) for s in plan[start : start + STEPS_PER_PIECE]))
    yield Piece("<h2 style='page-break-before: always'>All channels</h2>", new_page=True)
    head = "".join(
        f"<th align='left' bgcolor='#eeeeee' width='{w}%'>{h}</th>"
        for h, w in zip(TABLE_HEADERS, _WIDTHS, strict=True)
    )
    table = (
        "<table border='1' cellspacing='0' cellpadding='3' width='100%' "
        f"style='border-collapse: collapse; font-size: 7.5pt'><thead><tr>{head}</tr></thead>"
    )
    rows = report.rows
    for start in range(0, len(rows), ROWS_PER_TABLE):
        chunk = rows[start : start + ROWS_PER_TABLE]
        yield Piece(table + "".join(_row(r) for r in chunk) + "</table>", len(chunk))


def _img(name: str, size: tuple[float, float]) -> str:
    return f'<p><img src="{name}" width="{size[0]:.0f}" height="{size[1]:.0f}"></p>'


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _step(step: PlanStep) -> str:
    covered = "".join(f"<li>{_e(c.text)}</li>" for c in step.channels)
    return (
        f"<h3>{step.number}. {_e(step.title)}</h3>"
        f"<p><b>State:</b> {_e(step.state)}<br>"
        f"<b>Seller Central site:</b> {_e(step.seller_central_url)}<br>"
        f"<b>Account to select:</b> {_e(step.account_hint)}<br>"
        f"<b>Marketplaces:</b> {_e(', '.join(step.marketplaces))}<br>"
        f"<b>Channels and why:</b></p><ul>{covered}</ul>"
    )


def _row(row: TableRow) -> str:
    badges = "<br>".join(
        f"<span style='color: {charts.TONE_COLOURS[b.tone]}'>\u25cf</span> "
        + (f"<b>{_e(b.text)}</b>" if b.tone.value == "error" else _e(b.text))
        for b in row.badges
    )
    cells = row.cells(badges, _e)
    return "<tr>" + "".join(f"<td valign='top'>{c}</td>" for c in cells) + "</tr>"
