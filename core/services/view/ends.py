"""When the next status changes inside today, for the window's day timer. No Qt here.

Counts of days change at local midnight (:mod:`core.domain.dates`); the one change inside a day
is an authorization or the client secret that "expires today" becoming "expired" at its moment
(:mod:`core.domain.expiry`). This finds the earliest such moment still ahead today, so the
window can refresh then as well as at midnight.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from core.domain import dates
from core.domain.inventory import AppCredentials
from core.domain.summary import Category
from core.services.view.nodes import ChannelRow


def next_end_today(
    channels: Iterable[ChannelRow], app: AppCredentials, now: datetime
) -> datetime | None:
    """The earliest end moment after ``now`` on ``now``'s local day, or ``None``."""
    today = dates.local_day(now)
    ends = [
        row.auth.expires_at
        for row in channels
        if row.category is Category.EXPIRING and row.status.expires_in_days == 0 and row.auth
    ]
    if app.secret_expires_at is not None:
        ends.append(app.secret_expires_at)
    ahead = [end for end in ends if end > now and dates.local_day(end) == today]
    return min(ahead, default=None)
