"""The printable report as one self-contained HTML file: inline CSS and SVG, nothing fetched.

No script, no external font, image or style sheet, no link that leaves the file: a reviewer
opens it offline, and a report holding a hostile name cannot run or fetch anything. Every word
from the inventory passes through :func:`html.escape` (names people typed, Seller IDs, plan
hints). Seller Central's addresses are shown as text, not links, so printing keeps them readable.

Print: the full table starts on a new page and its header row repeats on every page
(``thead`` as a table-header-group); badges are bordered words, readable without colour.
"""

from __future__ import annotations

from html import escape

from core.services.report import charts
from core.services.report.model import PLAN_TITLE, PlanStep, ReportData, TableRow

_CSS = """
:root { color: #1a1a1a; background: #ffffff; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; margin: 24px; }
h1 { font-size: 18pt; margin: 0 0 4px; }
h2 { font-size: 14pt; margin: 22px 0 8px; border-bottom: 1px solid #777; }
h3 { font-size: 11.5pt; margin: 14px 0 4px; }
p.meta { margin: 0; color: #333; }
figure { margin: 8px 0 16px; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 9.5pt; color: #333; margin-top: 4px; }
dl.step { margin: 0 0 0 12px; display: grid; grid-template-columns: 12em 1fr; gap: 2px 8px; }
dl.step dt { font-weight: bold; }
dl.step dd { margin: 0; }
section.step { break-inside: avoid; page-break-inside: avoid; }
table.channels { border-collapse: collapse; width: 100%; font-size: 9pt; }
table.channels th, table.channels td { border: 1px solid #999; padding: 3px 5px;
  text-align: left; vertical-align: top; }
table.channels th { background: #eeeeee; }
.badge { display: inline-block; border: 1px solid #555; border-radius: 3px; padding: 0 4px;
  margin: 1px 2px 1px 0; white-space: nowrap; }
.badge::before { content: ""; display: inline-block; width: 0.6em; height: 0.6em;
  margin-right: 4px; border-radius: 50%; background: var(--dot); }
.tone-error { --dot: #d32f2f; font-weight: bold; }
.tone-warning { --dot: #f2a900; }
.tone-info { --dot: #1e6fd9; }
.tone-ok { --dot: #2e9d49; }
.tone-neutral { --dot: #8a8a8a; }
.url { font-family: "DejaVu Sans Mono", monospace; }
@page { margin: 14mm; }
@media print {
  body { margin: 0; }
  section.table { break-before: page; page-break-before: always; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .badge::before { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def render_html(report: ReportData) -> str:
    """The whole report as one HTML document (UTF-8 text)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>SP Connect report: {_e(report.inventory_name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<header><h1>SP Connect report: {_e(report.inventory_name)}</h1>",
        f'<p class="meta">Exported {_e(report.exported_at)} by SP Connect '
        f"{_e(report.version)}. {_e(_counts(report))} Dates are in the exporting computer's "
        "local time. This report holds no passwords, tokens or secrets.</p></header>",
        *_summary(report),
        *_plan(report),
        *_table(report),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _counts(report: ReportData) -> str:
    channels = "1 channel" if report.total == 1 else f"{report.total} channels"
    companies = "1 company" if report.companies == 1 else f"{report.companies} companies"
    return f"{channels} in {companies}."


def timeline_caption(report: ReportData) -> str:
    """The sentence under the timeline (the PDF shows the same one)."""
    n = report.in_timeline
    ending = "1 authorization ends" if n == 1 else f"{n} authorizations end"
    text = f"{ending} in the next {len(report.months)} months (each ▲ marks the day one ends)."
    if report.already_expired:
        gone = report.already_expired
        text += (
            " 1 authorization has already ended"
            if gone == 1
            else f" {gone} authorizations have already ended"
        ) + ": see the plan."
    return text


def _summary(report: ReportData) -> list[str]:
    return [
        "<section class='summary'><h2>Summary</h2>",
        "<figure>",
        charts.bar_chart(report.bars, report.total),
        f"<figcaption>Channels by what they need first ({report.total} in all; each channel "
        "counts once).</figcaption></figure>",
        "<figure>",
        charts.timeline(report.months),
        f"<figcaption>{_e(timeline_caption(report))}</figcaption></figure></section>",
    ]


def _plan(report: ReportData) -> list[str]:
    out = [f"<section class='plan'><h2>{PLAN_TITLE}</h2>"]
    if not report.plan:
        out.append(
            "<p>Nothing to reauthorize: every channel is connected and none expires within "
            "30 days.</p></section>"
        )
        return out
    consents = "1 consent" if len(report.plan) == 1 else f"{len(report.plan)} consents"
    out.append(
        f"<p>{consents}, one per seller account and region. For each: sign in to the Seller "
        "Central site shown, select the account named, and give the consent.</p>"
    )
    out.extend(_step(step) for step in report.plan)
    out.append("</section>")
    return out


def _step(step: PlanStep) -> str:
    channels = "".join(f"<li>{_e(c.text)}</li>" for c in step.channels)
    return (
        f"<section class='step'><h3>{step.number}. {_e(step.title)}</h3><dl class='step'>"
        f"<dt>State</dt><dd>{_e(step.state)}</dd>"
        f"<dt>Seller Central site</dt><dd class='url'>{_e(step.seller_central_url)}</dd>"
        f"<dt>Account to select</dt><dd>{_e(step.account_hint)}</dd>"
        f"<dt>Marketplaces</dt><dd>{_e(', '.join(step.marketplaces))}</dd>"
        f"<dt>Channels and why</dt><dd><ul>{channels}</ul></dd></dl></section>"
    )


TABLE_HEADERS = (
    "Company",
    "Channel",
    "Marketplace",
    "Seller ID",
    "Status",
    "Expires",
    "Last check",
    "App status",
)


def _table(report: ReportData) -> list[str]:
    head = "".join(f"<th scope='col'>{h}</th>" for h in TABLE_HEADERS)
    return [
        "<section class='table'><h2>All channels</h2>",
        f"<table class='channels'><thead><tr>{head}</tr></thead><tbody>",
        *(_row(r) for r in report.rows),
        "</tbody></table></section>",
    ]


def _row(row: TableRow) -> str:
    badges = "".join(
        f"<span class='badge tone-{b.tone.value}'>{_e(b.text)}</span>" for b in row.badges
    )
    cells = row.cells(badges, _e)
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
