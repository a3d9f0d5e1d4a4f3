"""Dates are stored in UTC and shown in local time, the same way on every surface."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.domain import dates
from core.domain.inventory import (
    GRANT_LIFETIME,
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Company,
    Health,
    Inventory,
)
from core.domain.marketplaces import Region
from core.domain.status import channel_status
from core.services.view import texts
from core.services.view.rows import Column, InventoryRows
from tests.zones import AUCKLAND, LOS_ANGELES

US = "ATVPDKIKX0DER"
SELLER = "A2EXAMPLEUS7QZ"


@pytest.mark.parametrize(
    ("zone", "moment", "shown_day", "shown_time"),
    [
        # 00:30 on 2 March in Auckland (UTC+13 in summer), still 1 March in UTC.
        (AUCKLAND, datetime(2026, 3, 1, 11, 30, tzinfo=UTC), "2 Mar 2026", "2 Mar 2026, 00:30"),
        # 23:30 on 28 February in Los Angeles (UTC-8), already 1 March in UTC.
        (LOS_ANGELES, datetime(2026, 3, 1, 7, 30, tzinfo=UTC), "28 Feb 2026", "28 Feb 2026, 23:30"),
        # Auckland's winter offset is an hour less.
        (AUCKLAND, datetime(2026, 7, 1, 12, 5, tzinfo=UTC), "2 Jul 2026", "2 Jul 2026, 00:05"),
        ("UTC0", datetime(2026, 12, 5, 9, 5, tzinfo=UTC), "5 Dec 2026", "5 Dec 2026, 09:05"),
    ],
)
def test_a_moment_is_shown_on_its_local_day_and_time(
    local_time_zone: Callable[[str], None],
    zone: str,
    moment: datetime,
    shown_day: str,
    shown_time: str,
) -> None:
    local_time_zone(zone)
    assert dates.day(moment) == shown_day
    assert dates.day_time(moment) == shown_time


def test_every_month_is_named_in_english(local_time_zone: Callable[[str], None]) -> None:
    local_time_zone("UTC0")
    shown = [dates.day(datetime(2026, month, 15, 12, tzinfo=UTC)) for month in range(1, 13)]
    assert shown == [
        "15 Jan 2026", "15 Feb 2026", "15 Mar 2026", "15 Apr 2026", "15 May 2026", "15 Jun 2026",
        "15 Jul 2026", "15 Aug 2026", "15 Sep 2026", "15 Oct 2026", "15 Nov 2026", "15 Dec 2026",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("before", "text"),
    [
        (timedelta(seconds=-5), "Just now"),
        (timedelta(0), "Just now"),
        (timedelta(seconds=59), "Just now"),
        (timedelta(seconds=60), "1 minute ago"),
        (timedelta(seconds=119), "1 minute ago"),
        (timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=2, hours=23), "2 days ago"),
    ],
)
def test_ago_names_the_largest_whole_unit(before: timedelta, text: str) -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert dates.ago(now - before, now) == text


@pytest.mark.parametrize(
    ("left", "days"),
    [
        (timedelta(days=11, hours=5), 12),
        (timedelta(days=1, minutes=30), 2),  # 00:00 the day after tomorrow
        (timedelta(days=1), 1),  # 23:30 tomorrow
        (timedelta(minutes=29), 0),  # 23:59 today
        (timedelta(minutes=30), 1),  # 00:00 tomorrow
        (timedelta(seconds=1), 0),
        (timedelta(0), 0),
        (-timedelta(seconds=1), 0),
        (-timedelta(days=1), -1),
    ],
)
def test_days_left_counts_local_dates_whatever_zone_the_moments_carry(
    local_time_zone: Callable[[str], None], left: timedelta, days: int
) -> None:
    local_time_zone("UTC0")
    now = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert dates.days_left(now + left, now) == days
    auckland = timezone(timedelta(hours=13))
    assert dates.days_left((now + left).astimezone(auckland), now) == days


@pytest.mark.parametrize("zone", [AUCKLAND, LOS_ANGELES])
def test_the_count_changes_at_local_midnight(
    local_time_zone: Callable[[str], None], zone: str
) -> None:
    local_time_zone(zone)
    ends = dates.start_of_local_day(date(2026, 3, 20))
    before = datetime(2026, 3, 9, 23, 59, 59).astimezone(UTC)  # local wall-clock time
    after = datetime(2026, 3, 10, 0, 0, 1).astimezone(UTC)
    assert (dates.days_left(ends, before), dates.days_left(ends, after)) == (11, 10)
    midnight = dates.next_local_midnight(before)
    assert midnight.astimezone() == datetime(2026, 3, 10).astimezone()
    assert dates.next_local_midnight(midnight) - midnight in (
        timedelta(hours=23),
        timedelta(hours=24),
        timedelta(hours=25),
    )


@pytest.mark.parametrize(
    ("zone", "starts"),
    [
        (AUCKLAND, datetime(2026, 3, 1, 11, tzinfo=UTC)),
        (LOS_ANGELES, datetime(2026, 3, 2, 8, tzinfo=UTC)),
    ],
)
def test_a_picked_day_is_stored_as_its_local_start_and_read_back(
    local_time_zone: Callable[[str], None], zone: str, starts: datetime
) -> None:
    local_time_zone(zone)
    picked = date(2026, 3, 2)
    stored = dates.start_of_local_day(picked)
    assert stored == starts
    assert stored.utcoffset() == timedelta(0)
    assert dates.local_day(stored) == picked
    assert dates.day(stored) == "2 Mar 2026"


def test_the_badge_the_column_and_the_tooltip_name_the_same_local_day(
    local_time_zone: Callable[[str], None],
) -> None:
    local_time_zone(AUCKLAND)
    now = datetime(2026, 3, 1, 10, tzinfo=UTC)
    # Ends at 00:30 on 11 March in Auckland: 10 March in UTC.
    ends = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
    auth = Authorization.new(
        SELLER, Region.NA, AuthSource.CONSENT, None, ends - GRANT_LIFETIME, auth_id="a1"
    )
    failing = Health(now, CheckResult.FAILED, datetime(2026, 2, 28, 11, 15, tzinfo=UTC), "")
    inv = Inventory(
        companies={"c1": Company("c1", "Acme")},
        channels={"ch1": Channel("ch1", "c1", US, "Acme US", SELLER, "a1", health=failing)},
        authorizations={"a1": auth},
    )
    status = channel_status(inv.channels["ch1"], inv, now)
    expiring = status.health[0]
    assert expiring.text == "Expires in 10 days"
    assert "ends on 11 Mar 2026:" in expiring.detail
    assert "failing since 1 Mar 2026, 00:15 (22 hours)." in status.health[1].detail
    row = InventoryRows(inv, now).channels["ch1"]
    assert texts.channel_cell(row, Column.EXPIRES, now) == "11 Mar 2026"
    tooltip = texts.channel_tooltip(row, Column.EXPIRES, now)
    assert tooltip.endswith("it ends on 11 Mar 2026.")
    assert "Last tested 1 Mar 2026, 23:00." in texts.channel_tooltip(row, Column.LAST_CHECK, now)
