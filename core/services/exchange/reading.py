"""Reading an import file: JSON (our export) or CSV, chosen by content, never trusted.

Whatever the bytes, the answer is a :class:`ParsedImport`: a file that cannot be read is a
problem with a location, never an exception (except a file that cannot be opened at all, a
:class:`UserFacingError`).
"""

from __future__ import annotations

from pathlib import Path

from core.domain.errors import UserFacingError
from core.services.exchange.read_csv import parse_csv
from core.services.exchange.read_json import parse_json
from core.services.exchange.specs import ParsedImport, Problem

#: Larger than any inventory SP Connect can hold comfortably (50,000 channels export to about
#: 60 MB of JSON); a bigger file is not an inventory.
MAX_BYTES = 256 * 1024 * 1024


def read_inventory_file(path: str | Path) -> ParsedImport:
    """Read ``path`` (JSON or CSV). Raises :class:`UserFacingError` if it cannot be opened."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            parsed = ParsedImport("unknown")
            parsed.problems.append(
                Problem("file", "The file is too large to be an inventory. Choose another file.")
            )
            return parsed
        data = file.read_bytes()
    except OSError as exc:
        raise UserFacingError(
            f"{file} could not be read ({exc.strerror or 'unknown reason'}).",
            "Check the file's name and that you may read it, then try again.",
        ) from None
    return read_inventory_bytes(data, file.suffix)


def read_inventory_bytes(data: bytes, suffix: str = "") -> ParsedImport:
    """Read a file's content; ``suffix`` (``.json``, ``.csv``) decides, else the content does."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        parsed = ParsedImport("unknown")
        parsed.problems.append(
            Problem(
                f"byte {exc.start + 1}",
                "The file is not UTF-8 text. Save it as CSV UTF-8 (or export it again).",
            )
        )
        return parsed
    if "\x00" in text:
        parsed = ParsedImport("unknown")
        line = text.count("\n", 0, text.index("\x00")) + 1
        parsed.problems.append(
            Problem(f"line {line}", "The file holds binary data. Choose a CSV or JSON file.")
        )
        return parsed
    kind = suffix.lower().lstrip(".")
    if kind not in ("json", "csv"):
        kind = "json" if text.lstrip().startswith(("{", "[")) else "csv"
    return parse_json(text) if kind == "json" else parse_csv(text)
