"""How SP Connect counts days and shows dates: the one place a moment becomes words.

The core keeps every moment in UTC; a person reads it in their computer's local time zone, so
every date or time shown anywhere goes through these functions. They are built by hand rather
than with ``strftime``: ``%-d`` (a day without its leading zero) does not exist on Windows, and
``%b`` follows the C locale, which Qt sets from the desktop on start-up, so an English sentence
could end up with a German month name.

Days left are counted in local calendar days (see :func:`days_left`): from today's date to the
date the thing ends, as the person reads both on their calendar. So every count changes at local
midnight and nowhere else, which is what lets a window left open overnight stay right with one
timer that fires at the next midnight (:func:`next_local_midnight`), and a date confirmed from
Seller Central ("ends 12 Mar") counts exactly to that day. On the day itself the count is 0, which
the badges call "Expired": erring a few hours early is safer than a connection that stops while
the badge still promises a day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY = timedelta(days=1)


def day(moment: datetime) -> str:
    """The local calendar day of ``moment`` (timezone-aware): ``12 Dec 2026``."""
    return _day(local_day(moment))


def day_time(moment: datetime) -> str:
    """The local day and time of ``moment`` (timezone-aware): ``12 Dec 2026, 09:05``."""
    shown = moment.astimezone()
    return f"{_day(shown.date())}, {shown.hour:02d}:{shown.minute:02d}"


def ago(moment: datetime, now: datetime) -> str:
    """How long before ``now`` it was, in the largest whole unit: ``3 hours ago``."""
    seconds = (now - moment).total_seconds()
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size:
            return f"{count(int(seconds // size), unit)} ago"
    return "Just now"


def span(start: datetime, end: datetime) -> str:
    """How long from ``start`` to ``end``: hours under two days, whole days after (``50 hours``,
    ``3 days``), so the 36-hour mark reads as hours."""
    hours = int((end - start).total_seconds() // 3_600)
    return count(hours, "hour") if hours < 48 else count(hours // 24, "day")


def count(n: int, unit: str) -> str:
    """``1 day``, ``2 days``: a number with its unit, singular for exactly one."""
    return f"1 {unit}" if n == 1 else f"{n} {unit}s"


def days_left(until: datetime, now: datetime) -> int:
    """Local calendar days from ``now``'s date to ``until``'s: 1 the day before, 0 on the day.

    Zero or less once that day has come. Both are read in the person's local time zone.
    """
    return (local_day(until) - local_day(now)).days


def next_local_midnight(now: datetime) -> datetime:
    """The moment (UTC) the local calendar day after ``now``'s begins: when counts change."""
    return start_of_local_day(local_day(now) + _DAY)


def local_day(moment: datetime) -> date:
    """The local calendar day ``moment`` (timezone-aware) falls on: what a date field shows."""
    return moment.astimezone().date()


def start_of_local_day(value: date) -> datetime:
    """The moment, in UTC, that the local calendar day ``value`` begins.

    What a day picked in a date field means once stored: the core keeps moments, not days.
    """
    # A naive datetime is taken as local time by astimezone().
    return datetime.combine(value, time()).astimezone(UTC)


def _day(value: date) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
