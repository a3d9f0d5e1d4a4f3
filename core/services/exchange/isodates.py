"""Dates in exported files: ISO 8601 in UTC with a ``Z``, and back."""

from __future__ import annotations

from datetime import UTC, datetime

_EARLIEST, _LATEST = 1970, 2200


def iso(moment: datetime | None) -> str | None:
    """``2026-12-03T02:43:36.123456Z`` (microseconds kept, so a round trip is exact)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """A timezone-aware UTC datetime; ``ValueError`` when ``text`` is not ISO 8601 with a zone
    (or is before 1970 or after 2200).

    A date without a zone is refused rather than guessed: a spreadsheet's local time read as
    UTC would move an expiry by hours.
    """
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        raise ValueError("no time zone")
    # Far outside any grant's life, and near datetime's limits a time zone shift overflows.
    if not _EARLIEST <= value.year <= _LATEST:
        raise ValueError("not a plausible date")
    return value.astimezone(UTC)
