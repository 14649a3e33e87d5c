"""Working days in Russia, as dated data: ТК РФ ст. 112 and the government's yearly decree.

* ТК РФ ст. 112 ч. 1: the public holidays (нерабочие праздничные дни) are 1–6 and 8 January
  (New Year holidays), 7 January, 23 February, 8 March, 1 May, 9 May, 12 June and 4 November.
* ст. 112 ч. 2 and ч. 5: a holiday on a weekend moves the day off to the next working day, and
  the government moves days off between weeks by a decree published the year before. The decree
  decides the year's calendar, so a year it has decided is kept here whole:
  the weekdays that are days off (``DAYS_OFF``) and the weekends that are working days
  (``WORKING_WEEKENDS``):

  - 2024: ПП РФ от 10.08.2023 № 1314;
  - 2025: ПП РФ от 04.10.2024 № 1335;
  - 2026: the government's decree of autumn 2025 on moving the days off in 2026 (the dates
    below are those it set; check its number and text before relying on them, see
    docs/letters.md).

* A year not in the table (the decree not yet published, or not yet entered here) counts the
  weekends and the holidays of ст. 112 ч. 1 only, without transfers: add the year's row when its
  decree is out (once a year, in the autumn).

A term "in N working days from the day of receipt" starts on the day after (ГК РФ ст. 191) and
ends on the N-th working day; a term in calendar days that ends on a day off moves to the next
working day (ГК РФ ст. 193).
"""

from __future__ import annotations

import datetime


def _days(year: int, *pairs: tuple[int, int]) -> frozenset[datetime.date]:
    return frozenset(datetime.date(year, month, day) for month, day in pairs)


#: ТК РФ ст. 112 ч. 1 (month, day).
HOLIDAYS = (
    (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8),
    (2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4),
)  # fmt: skip

#: Weekdays (Monday–Friday) that are days off in a year the decree has decided.
DAYS_OFF: dict[int, frozenset[datetime.date]] = {
    2024: _days(
        2024,
        (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 8),
        (2, 23), (3, 8), (4, 29), (4, 30), (5, 1), (5, 9), (5, 10),
        (6, 12), (11, 4), (12, 30), (12, 31),
    ),
    2025: _days(
        2025,
        (1, 1), (1, 2), (1, 3), (1, 6), (1, 7), (1, 8),
        (5, 1), (5, 2), (5, 8), (5, 9), (6, 12), (6, 13),
        (11, 3), (11, 4), (12, 31),
    ),
    2026: _days(
        2026,
        (1, 1), (1, 2), (1, 5), (1, 6), (1, 7), (1, 8), (1, 9),
        (2, 23), (3, 9), (5, 1), (5, 11), (6, 12), (11, 4), (12, 31),
    ),
}  # fmt: skip

#: Saturdays and Sundays that are working days in a year the decree has decided.
WORKING_WEEKENDS: dict[int, frozenset[datetime.date]] = {
    2024: _days(2024, (4, 27), (11, 2), (12, 28)),
    2025: _days(2025, (11, 1)),
    2026: frozenset(),
}


def is_working_day(day: datetime.date) -> bool:
    """Whether ``day`` is a working day (five-day week) in Russia."""
    if day.year in DAYS_OFF:
        if day in WORKING_WEEKENDS[day.year]:
            return True
        return day.weekday() < 5 and day not in DAYS_OFF[day.year]
    return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
    if days < 1:
        raise ValueError("a term is at least one working day")
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def next_working_day(day: datetime.date) -> datetime.date:
    """``day`` if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_calendar_days(start: datetime.date, days: int) -> datetime.date:
    """``start`` + ``days``; a term ending on a day off ends on the next working day."""
    return next_working_day(start + datetime.timedelta(days=days))


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
