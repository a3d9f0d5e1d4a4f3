"""What a support bundle is called when the person does not choose a name."""

from __future__ import annotations

from datetime import datetime


def default_file_name(now: datetime) -> str:
    """``SP Connect support 2026-12-03 0712.zip``: local time, sorts by date, says what it is."""
    return f"SP Connect support {now.astimezone():%Y-%m-%d %H%M}.zip"
