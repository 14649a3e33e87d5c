"""Billing periods and the readings window (Правила 354, п. 31 «е(1)», п. 33).

A period is a month, stored as its first day. The association's window (its operational
settings, ``tenants.profile``: by default the 1st to the 25th) says until which day of a month
readings count in that month: a reading sent after the window closed counts in the next period
(late readings count in the next period, п. 31 «е(1)»). A reading sent before the window opens
counts in the month it is sent (the previous month's window has closed), and the page says when
the window opens.

Only the open period accepts readings: an earlier one is closed, a later one not yet open.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from tenants.profile import selectors as profile
from tenants.profile.rules import DEFAULT_READINGS_FROM_DAY, DEFAULT_READINGS_UNTIL_DAY


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(period: datetime.date) -> datetime.date:
    return (period.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(period: datetime.date) -> datetime.date:
    return (period.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _day_in(period: datetime.date, day: int) -> datetime.date:
    """``day`` of the month ``period`` (the last day when the month is shorter)."""
    last = (next_month(period) - datetime.timedelta(days=1)).day
    return period.replace(day=min(day, last))


@dataclass(frozen=True)
class Window:
    """Where a submission made on ``today`` goes."""

    today: datetime.date
    #: The period readings sent today count in (the open period).
    period: datetime.date
    #: Sent after the window of today's month closed: counts in the next period.
    late: bool
    #: The window of the open period.
    opens_on: datetime.date
    closes_on: datetime.date

    @property
    def is_open(self) -> bool:
        """Whether today is inside the open period's window (else early, or late)."""
        return self.opens_on <= self.today <= self.closes_on


def window_for(
    period: datetime.date, on: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The first and last day readings for ``period`` are accepted in its own month, by the
    settings in force on ``on`` (default: the period's first day)."""
    row = profile.settings_row_on(max(on or period, period))
    from_day = row.readings_from_day if row else DEFAULT_READINGS_FROM_DAY
    until_day = row.readings_until_day if row else DEFAULT_READINGS_UNTIL_DAY
    return _day_in(period, from_day), _day_in(period, until_day)


def current_window(today: datetime.date | None = None) -> Window:
    """The open period on ``today`` (the association's local date by default)."""
    today = today or timezone.localdate()
    this_month = month_of(today)
    _opens, closes = window_for(this_month, today)
    late = today > closes
    period = next_month(this_month) if late else this_month
    opens_on, closes_on = window_for(period) if late else (_opens, closes)
    return Window(today=today, period=period, late=late, opens_on=opens_on, closes_on=closes_on)
