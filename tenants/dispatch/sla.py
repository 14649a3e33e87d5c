"""Deadlines of requests: the SLA table (category × urgency → hours) and the clock they run on.

* **Emergency** and **urgent** hours are calendar hours: the clock runs round the clock, at
  weekends and at night (an emergency does not wait for Monday).
* **Normal** hours are working hours of the association's own time zone: Monday to Friday,
  09:00–18:00 local time. A request filed at 17:00 on Friday with 4 hours is due at 12:00 on
  Monday; one filed on Saturday starts counting at 09:00 on Monday. Public holidays are not
  known to the portal (yet) and count as working days; see docs/dispatch.md.

The hours in force are the board's rows (``SlaRule``, dated: the row of the pair with the
latest ``valid_from`` not after the day the request was filed), else ``DEFAULT_HOURS``.

The defaults follow the limits for eliminating faults in the rules of technical operation of
housing (Постановление Госстроя РФ от 27.09.2003 № 170, приложение № 2: leaks of a roof within
a day, faults of electric wiring within hours, a lift within a day, and so on) and the
emergency service's duty to start removing an emergency at once (Правила № 416 от 15.05.2013,
п. 13); they are a starting point the board adjusts to its contracts.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import connection
from django.utils import timezone

from tenants.dispatch.models import URGENCY_ORDER, Category, SlaRule, Urgency

#: Working hours for the normal urgency (local time of the association).
WORK_START = datetime.time(9, 0)
WORK_END = datetime.time(18, 0)
#: Monday is 0: Monday to Friday.
WORKDAYS = frozenset({0, 1, 2, 3, 4})

_ROUND_THE_CLOCK = frozenset({Urgency.EMERGENCY, Urgency.URGENT})

#: Default hours by category: (emergency, urgent, normal working hours).
_DEFAULTS = {
    Category.PLUMBING: (2, 24, 27),
    Category.HEATING: (2, 24, 27),
    Category.ELECTRICITY: (2, 12, 18),
    Category.ELEVATOR: (2, 24, 18),
    Category.ROOF: (4, 24, 27),
    Category.DOORS: (4, 24, 27),
    Category.CLEANING: (8, 24, 18),
    Category.TERRITORY: (8, 48, 45),
    Category.BUILDING: (8, 72, 90),
    Category.NOISE: (4, 48, 45),
    Category.OTHER: (8, 72, 45),
}
DEFAULT_HOURS: dict[tuple[str, str], int] = {
    (category, urgency): hours[index]
    for category, hours in _DEFAULTS.items()
    for index, urgency in enumerate(URGENCY_ORDER)
}


def association_zone() -> zoneinfo.ZoneInfo:
    """The association's time zone (its legal details, on this connection's tenant: a task has
    no request to activate it), else the default one."""
    name = getattr(getattr(connection, "tenant", None), "time_zone", None)
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def round_the_clock(urgency: str) -> bool:
    return urgency in _ROUND_THE_CLOCK


def hours_in_force(category: str, urgency: str, on: datetime.date) -> int:
    """The hours of the pair on day ``on``: the board's latest row from before, else the
    default."""
    row = (
        SlaRule.objects.filter(category=category, urgency=urgency, valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("hours", flat=True)
        .first()
    )
    return row if row is not None else DEFAULT_HOURS[(category, urgency)]


def table_in_force(on: datetime.date) -> dict[tuple[str, str], int]:
    """Every pair's hours on ``on`` (one query): the board's rows over the defaults."""
    table = dict(DEFAULT_HOURS)
    rows = (
        SlaRule.objects.filter(valid_from__lte=on)
        .order_by("category", "urgency", "-valid_from")
        .distinct("category", "urgency")
        .values_list("category", "urgency", "hours")
    )
    for category, urgency, hours in rows:
        table[(category, urgency)] = hours
    return table


def _local(day: datetime.date, at: datetime.time, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, at, tzinfo=zone)


def _next_working_start(moment: datetime.datetime, zone) -> datetime.datetime:
    """The moment itself if it is inside working hours, else the next start of a working day."""
    day = moment.date()
    if day.weekday() in WORKDAYS:
        if moment.time() < WORK_START:
            return _local(day, WORK_START, zone)
        if moment.time() < WORK_END:
            return moment
    day += datetime.timedelta(days=1)
    while day.weekday() not in WORKDAYS:
        day += datetime.timedelta(days=1)
    return _local(day, WORK_START, zone)


def deadline(start: datetime.datetime, hours: int, urgency: str, zone=None) -> datetime.datetime:
    """When work started at ``start`` (aware) with ``hours`` of the given urgency is due."""
    if round_the_clock(urgency):
        return start + datetime.timedelta(hours=hours)
    zone = zone or association_zone()
    cursor = start.astimezone(zone)
    remaining = datetime.timedelta(hours=hours)
    while True:
        cursor = _next_working_start(cursor, zone)
        end_of_day = _local(cursor.date(), WORK_END, zone)
        available = end_of_day - cursor
        if remaining <= available:
            return cursor + remaining
        remaining -= available
        cursor = end_of_day


def due_at(category: str, urgency: str, start: datetime.datetime, zone=None) -> datetime.datetime:
    """The deadline of a request of this category and urgency whose clock starts at ``start``."""
    zone = zone or association_zone()
    hours = hours_in_force(category, urgency, start.astimezone(zone).date())
    return deadline(start, hours, urgency, zone)


def remind_at(start: datetime.datetime, due: datetime.datetime) -> datetime.datetime:
    """When the desk is reminded: with a fifth of the time left (at least 30 minutes before,
    at most a day before)."""
    left = (due - start) / 5
    left = max(datetime.timedelta(minutes=30), min(left, datetime.timedelta(days=1)))
    return due - left
