"""Dates in exported files: ISO 8601 in UTC with a ``Z``, and back."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime | None) -> str | None:
    """``2026-12-03T02:43:36.123456Z`` (microseconds kept, so a round trip is exact)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """A timezone-aware UTC datetime; ``ValueError`` when ``text`` is not ISO 8601 with a zone.

    A date without a zone is refused rather than guessed: a spreadsheet's local time read as
    UTC would move an expiry by hours.
    """
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        raise ValueError("no time zone")
    return value.astimezone(UTC)
