"""Local time zones for tests, as POSIX TZ rules so no time zone database is needed.

Use them with the ``local_time_zone`` fixture. Both sit far from UTC, on opposite sides, so a
date shown in UTC instead of local time lands on the wrong day around local midnight.
"""

#: Auckland: UTC+12, UTC+13 from the last Sunday of September to the first Sunday of April.
AUCKLAND = "NZST-12NZDT,M9.5.0,M4.1.0/3"
#: Los Angeles: UTC-8, UTC-7 from the second Sunday of March to the first Sunday of November.
LOS_ANGELES = "PST8PDT,M3.2.0,M11.1.0"
