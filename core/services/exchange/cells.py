"""Spreadsheet cells that cannot run as formulas, and back.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
programs skip before reading one of those) is run as a formula by Excel and LibreOffice when
the CSV is opened: a company named ``=HYPERLINK(...)`` would become a live link, a
"CSV injection" (https://owasp.org/www-community/attacks/CSV_Injection). Such a cell is written
with a leading apostrophe, which both programs show as text and hide. The importer removes that
apostrophe again, so export then import gives back the same name. A value that already starts
with an apostrophe before such a character gets one more, so the rule stays reversible.
"""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _needs_guard(value: str) -> bool:
    if value.startswith(_TRIGGERS):
        return True
    return value.startswith("'") and _needs_guard(value[1:])


def protect(value: str) -> str:
    """``value`` as a cell that a spreadsheet shows as text, never runs."""
    return "'" + value if _needs_guard(value) else value


def unprotect(value: str) -> str:
    """The value :func:`protect` was given (other cells come back unchanged)."""
    if value.startswith("'") and _needs_guard(value[1:]):
        return value[1:]
    return value
