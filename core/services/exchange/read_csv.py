"""Reading a CSV of channels (our export, or one a person made in a spreadsheet).

The columns, in any order, headers in any case (spaces count as underscores):

* ``company`` (required): the company's name. Rows with the same name are one company.
* ``marketplace`` (required): a country code (``US``, ``UK``/``GB``, ``DE``...), Amazon's
  marketplace id (``ATVPDKIKX0DER``) or the country's name. Our export's ``marketplace_id``
  and ``country_code`` columns are read as well.
* ``seller_id``: the Seller ID (Merchant Token) expected for this channel.
* ``name``: the channel's name (optional).
* ``parent_company``: the name of the company's unified parent (optional).
* ``channel_id``, ``company_id``: present in our export; they tie a row to an existing record
  (see :mod:`.importing`).
* ``mws_merchant_token``, ``app_status``: as exported (optional).

Any other column (our export's badge, health, dates) is ignored: those are derived or observed,
never imported. The file is UTF-8 with or without a byte order mark; the delimiter is ``,`` or
``;`` (what the header line uses most; spreadsheets in many European languages write ``;``).
Cells a spreadsheet would run as formulas carry a leading apostrophe in our export
(:mod:`.cells`); it is removed here. Line numbers count the header as line 1.
"""

from __future__ import annotations

import csv
import io

from core.domain import marketplaces
from core.domain.inventory import AppStatus
from core.domain.validation import normalize_seller_id
from core.services.exchange.cells import unprotect
from core.services.exchange.fields import short
from core.services.exchange.specs import MAX_FIELD, ChannelSpec, CompanySpec, ParsedImport, Problem

_MARKET_COLUMNS = ("marketplace", "marketplace_id", "country_code", "country")
_KNOWN = frozenset(
    {
        "company",
        "seller_id",
        "name",
        "parent_company",
        "channel_id",
        "company_id",
        "mws_merchant_token",
        "app_status",
        *_MARKET_COLUMNS,
    }
)


def parse_csv(text: str) -> ParsedImport:
    """Read the rows; ``problems`` says what is wrong, each with its line number."""
    parsed = ParsedImport("csv")
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            parsed.problems.append(
                Problem("line 1", "The file is empty. The first line must name the columns.")
            )
            return parsed
        columns = [h.strip().lower().replace(" ", "_") for h in header]
        if not _header_ok(parsed, columns):
            return parsed
        line = reader.line_num + 1
        for row in reader:
            _row(parsed, f"line {line}", columns, row)
            line = reader.line_num + 1
    except csv.Error as exc:
        parsed.problems.append(
            Problem(f"line {line}", f"This line cannot be read as CSV ({exc}). Correct it.")
        )
    return parsed


def _header_ok(parsed: ParsedImport, columns: list[str]) -> bool:
    missing = []
    if "company" not in columns:
        missing.append("company")
    if not any(c in columns for c in _MARKET_COLUMNS):
        missing.append("marketplace")
    if missing:
        parsed.problems.append(
            Problem(
                "line 1",
                f"The column {' and '.join(missing)} is missing. The first line must name the "
                "columns: company, marketplace, and optionally seller_id, name, parent_company.",
            )
        )
        return False
    repeated = sorted({c for c in columns if c in _KNOWN and columns.count(c) > 1})
    if repeated:
        parsed.problems.append(
            Problem("line 1", f"The column {repeated[0]} appears twice. Keep one of them.")
        )
        return False
    return True


def _row(parsed: ParsedImport, where: str, columns: list[str], row: list[str]) -> None:
    if not any(cell.strip() for cell in row):
        return  # spreadsheets leave empty lines at the end
    if len(row) > len(columns):
        parsed.problems.append(
            Problem(where, "This line has more cells than the first line has columns. Remove "
                    "the extra cells or put quotes around text that holds the delimiter.")
        )  # fmt: skip
        return
    if any(len(cell) > MAX_FIELD for cell in row):
        parsed.problems.append(
            Problem(where, f"A cell is longer than {MAX_FIELD} characters. Shorten it.")
        )
        return
    cells = {c: unprotect(v).strip() for c, v in zip(columns, row, strict=False)}
    before = len(parsed.problems)
    company = cells.get("company", "")
    if not company:
        parsed.problems.append(Problem(f"{where}, company", "Enter the company's name."))
    market_text = next((cells[c] for c in _MARKET_COLUMNS if cells.get(c)), "")
    market = marketplaces.find(market_text) if market_text else None
    if market is None:
        what = f"'{short(market_text)}' is not" if market_text else "There is no"
        parsed.problems.append(
            Problem(
                f"{where}, marketplace",
                f"{what} an Amazon marketplace SP Connect knows. Enter a country code such as "
                "US, UK or DE, or Amazon's marketplace id.",
            )
        )
    status = None
    status_text = cells.get("app_status", "").lower()
    if status_text:
        try:
            status = AppStatus(status_text)
        except ValueError:
            parsed.problems.append(
                Problem(
                    f"{where}, app_status",
                    f"'{short(status_text)}' is not an app status: write active, disabled or "
                    "unknown (or leave it empty).",
                )
            )
    if len(parsed.problems) > before or market is None:
        return
    company_id = cells.get("company_id") or None
    parent = cells.get("parent_company") or None
    parsed.companies.append(CompanySpec(where, company, company_id, parent_name=parent))
    seller = normalize_seller_id(cells.get("seller_id", "")) or None
    merchant = normalize_seller_id(cells.get("mws_merchant_token", "")) or None
    parsed.channels.append(
        ChannelSpec(
            where,
            company_id or company,
            company_id is not None,
            market.id,
            seller,
            cells.get("name", ""),
            id=cells.get("channel_id") or None,
            app_status=status,
            mws_merchant_token=merchant,
        )
    )
