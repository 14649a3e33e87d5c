"""Money and months for the ledger.

Amounts are ``Decimal`` roubles; every computed amount is quantized to kopecks with
``ROUND_HALF_UP`` (half a kopeck goes up, as banks and receipts do), once, at the end of a
calculation: intermediate products keep their full precision.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

KOPECK = Decimal("0.01")
ZERO = Decimal("0.00")


def kopecks(value) -> Decimal:
    """``value`` rounded to kopecks, half up."""
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def days_in(month: datetime.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def last_day(month: datetime.date) -> datetime.date:
    return month.replace(day=days_in(month))


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from ``first`` to ``last`` inclusive (first days)."""
    found, month = [], month_of(first)
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found
