"""Penalties (пени) for late payment of housing and utility charges: the calculation alone.

ЖК РФ ст. 155 ч. 14 (``../shared/DOMAIN.md``, Penalties):

* each monthly debt ages on its own from its due date (ст. 155 ч. 1): day 1 is the day after the
  due date; days 1–30 carry no penalty; days 31–90 carry ``D × r / 300`` a day; from day 91 to the
  day of payment inclusive ``D × r / 130`` a day;
* ``r`` is the Bank of Russia key rate in force on the day of payment, or on the day of the
  calculation while the debt is unpaid (a penalty posted monthly uses that day's rate and is
  recomputed at the payment day's rate once the debt is paid); government measures cap the rate
  for days within their period (ПП РФ № 474 of 26.03.2022 and its extensions: at most 9.5 %) or
  stop penalties altogether for a period (moratoria: ПП РФ № 424 of 02.04.2020, ПП РФ № 497 of
  28.03.2022). A capped or stopped day still counts towards the tiers: the law's day count runs
  from the due date, the measures only change what a day costs;
* a partial payment reduces the debt from the day after the payment (the day of payment itself is
  charged on the debt as it stood); which month's debt a payment reduces is decided by the
  allocation (``payments.allocation``: the oldest first unless the payer named a period);
* penalties are never charged on penalties: the input is charges only.

The due date is the law's and dated (ст. 155 ч. 1 as amended, in force 1 March 2026): charges
for months up to January 2026 are due on the 10th of the following month, or on the day the
association had set; February 2026 and later on the 15th of the following month, which no
contract or meeting can move. Partnerships whose charter sets its own penalty (СНТ, 217-ФЗ
ст. 14 ч. 9) use :func:`charter_penalty` with the charter's terms; without terms, none.

Everything here is pure: the rate table, the due-date rules and the charter terms are passed in
(the database keeps them as dated rows, ``penalty_tables`` reads them), so the rule is tested
without a database. Money is ``Decimal``; each line is rounded to kopecks (ROUND_HALF_UP) and the
total is the sum of the rounded lines, so the printed calculation adds up.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

KOPECK = Decimal("0.01")
ZERO = Decimal("0.00")

#: The tiers of ст. 155 ч. 14: (first day, last day or None, divisor of the rate).
GRACE_DAYS = 30
FIRST_TIER_LAST_DAY = 90
FIRST_TIER_DIVISOR = 300
SECOND_TIER_DIVISOR = 130

ONE_DAY = datetime.timedelta(days=1)


def kopecks(value: Decimal) -> Decimal:
    """Round to kopecks, half up (the house rule for money)."""
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


# -- the dated tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRate:
    """The Bank of Russia key rate (percent a year) from ``starts_on`` until the next row."""

    starts_on: datetime.date
    rate: Decimal


@dataclass(frozen=True)
class Limit:
    """A government measure for the days ``starts_on``..``ends_on`` (both inclusive).

    ``cap`` is the highest rate (percent a year) a day in the period is charged at; ``None``
    means a moratorium: the days in the period carry no penalty at all.
    """

    starts_on: datetime.date
    ends_on: datetime.date
    cap: Decimal | None = None
    basis: str = ""

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class RateTable:
    """The key rates and the measures that cap or stop penalties, as data."""

    rates: tuple[KeyRate, ...]
    limits: tuple[Limit, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "rates", tuple(sorted(self.rates, key=lambda r: r.starts_on)))
        object.__setattr__(self, "limits", tuple(sorted(self.limits, key=lambda x: x.starts_on)))

    def key_rate_on(self, day: datetime.date) -> Decimal:
        """The key rate in force on ``day``; ``LookupError`` before the table's first row."""
        found = None
        for row in self.rates:
            if row.starts_on > day:
                break
            found = row.rate
        if found is None:
            raise LookupError(f"no key rate in force on {day.isoformat()}")
        return found

    def day_rate(self, day: datetime.date, rate: Decimal) -> Decimal:
        """What ``rate`` (chosen on the rate day) becomes for the accrual ``day``."""
        for limit in self.limits:
            if limit.covers(day):
                if limit.cap is None:
                    return Decimal(0)
                rate = min(rate, limit.cap)
        return rate

    def boundaries(self, first: datetime.date, last: datetime.date) -> list[datetime.date]:
        """Days in ``first..last`` where a measure starts or the day after one ends."""
        days = set()
        for limit in self.limits:
            for day in (limit.starts_on, limit.ends_on + ONE_DAY):
                if first < day <= last:
                    days.add(day)
        return sorted(days)


@dataclass(frozen=True)
class DueDateRule:
    """Charges for periods from ``first_period`` are due on ``day`` of the following month.

    ``movable``: the association may set another day (before 1 March 2026); ``association_day``
    passed to :func:`due_date` then wins.
    """

    first_period: datetime.date
    day: int
    movable: bool = False


#: The law's rules (ЖК ст. 155 ч. 1 before and after the amendment in force on 01.03.2026); the
#: database's ``DueDateRule`` rows hold the same and are what the services read.
LAW_DUE_DATE_RULES = (
    DueDateRule(datetime.date(2000, 1, 1), 10, movable=True),
    DueDateRule(datetime.date(2026, 2, 1), 15, movable=False),
)


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def due_date(
    period: datetime.date,
    rules: Sequence[DueDateRule] = LAW_DUE_DATE_RULES,
    *,
    association_day: int | None = None,
) -> datetime.date:
    """The day by which the charge for ``period`` (any day of the month) must be paid."""
    period = _month_start(period)
    rule = None
    for candidate in sorted(rules, key=lambda r: r.first_period):
        if candidate.first_period <= period:
            rule = candidate
    if rule is None:
        raise LookupError(f"no due-date rule for {period.isoformat()}")
    day = association_day if (rule.movable and association_day) else rule.day
    following = _next_month(period)
    last = (_next_month(following) - ONE_DAY).day
    return following.replace(day=min(day, last))


# -- the calculation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyDebt:
    """One month's charges and what was paid against them (``(date, amount)`` pairs)."""

    period: datetime.date
    amount: Decimal
    due_on: datetime.date
    repayments: tuple[tuple[datetime.date, Decimal], ...] = ()

    def outstanding_on(self, day: datetime.date) -> Decimal:
        """The debt at the end of ``day`` (payments made that day and before taken off)."""
        paid = sum((amount for when, amount in self.repayments if when <= day), Decimal(0))
        return max(self.amount - paid, Decimal(0))

    def paid_off_on(self) -> datetime.date | None:
        """The day the debt was paid in full, if it was."""
        paid = Decimal(0)
        for when, amount in sorted(self.repayments):
            paid += amount
            if paid >= self.amount:
                return when
        return None


@dataclass(frozen=True)
class Line:
    """A stretch of days with one debt, one tier and one daily rate: a line of the printout."""

    period: datetime.date
    debt: Decimal
    first_day: datetime.date
    last_day: datetime.date
    first_day_number: int
    days: int
    divisor: int  # 300 or 130; 0 for a moratorium line
    rate: Decimal  # the rate the days are charged at (after caps)
    amount: Decimal

    @property
    def last_day_number(self) -> int:
        return self.first_day_number + self.days - 1

    @property
    def fraction(self) -> str:
        return f"1/{self.divisor}" if self.divisor else "—"


@dataclass(frozen=True)
class DebtPenalty:
    """The penalty on one month's debt, with the lines it is made of."""

    period: datetime.date
    amount: Decimal
    due_on: datetime.date
    rate_day: datetime.date
    key_rate: Decimal
    lines: tuple[Line, ...]
    paid_off_on: datetime.date | None

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def days_in_tier(self, divisor: int) -> int:
        return sum(line.days for line in self.lines if line.divisor == divisor)


@dataclass(frozen=True)
class Calculation:
    until: datetime.date
    debts: tuple[DebtPenalty, ...] = field(default_factory=tuple)

    @property
    def total(self) -> Decimal:
        return sum((debt.total for debt in self.debts), ZERO)


def _tier(day_number: int) -> int:
    if day_number <= GRACE_DAYS:
        return 0
    if day_number <= FIRST_TIER_LAST_DAY:
        return FIRST_TIER_DIVISOR
    return SECOND_TIER_DIVISOR


def penalty_for_debt(
    debt: MonthlyDebt,
    table: RateTable,
    *,
    until: datetime.date,
    rate_day: datetime.date | None = None,
) -> DebtPenalty:
    """The penalty on ``debt`` for the days up to ``until`` inclusive (or its payment in full).

    ``rate_day``: whose key rate applies; by default the day the debt was paid in full (when
    that is not after ``until``), else ``until`` itself (the day of the calculation).
    """
    paid_off = debt.paid_off_on()
    if paid_off is not None and paid_off <= until:
        last = paid_off
        rate_day = rate_day or paid_off
    else:
        paid_off = None
        last = until
        rate_day = rate_day or until
    key_rate = table.key_rate_on(rate_day)
    first_charged = debt.due_on + datetime.timedelta(days=GRACE_DAYS + 1)
    lines: list[Line] = []
    if last >= first_charged:
        # Cut the days where anything changes: a tier, a measure, the debt after a payment.
        cuts = {first_charged, debt.due_on + datetime.timedelta(days=FIRST_TIER_LAST_DAY + 1)}
        cuts.update(table.boundaries(first_charged, last))
        cuts.update(when + ONE_DAY for when, _amount in debt.repayments)
        cuts = sorted(day for day in cuts if first_charged <= day <= last)
        starts = cuts + [last + ONE_DAY]
        for start, following in zip(starts, starts[1:], strict=False):
            end = following - ONE_DAY
            outstanding = debt.outstanding_on(start - ONE_DAY)
            if outstanding <= 0:
                continue
            number = (start - debt.due_on).days
            divisor = _tier(number)
            rate = table.day_rate(start, key_rate)
            days = (end - start).days + 1
            amount = kopecks(outstanding * rate / Decimal(100) / divisor * days) if rate else ZERO
            lines.append(
                Line(
                    period=debt.period,
                    debt=outstanding,
                    first_day=start,
                    last_day=end,
                    first_day_number=number,
                    days=days,
                    divisor=divisor if rate else 0,
                    rate=rate,
                    amount=amount,
                )
            )
    return DebtPenalty(
        period=debt.period,
        amount=debt.amount,
        due_on=debt.due_on,
        rate_day=rate_day,
        key_rate=key_rate,
        lines=tuple(lines),
        paid_off_on=paid_off,
    )


def calculate(
    debts: Iterable[MonthlyDebt], table: RateTable, *, until: datetime.date
) -> Calculation:
    """The penalty on every monthly debt, each aged on its own (ст. 155 ч. 14)."""
    ordered = sorted(debts, key=lambda d: d.period)
    return Calculation(
        until=until,
        debts=tuple(
            penalty_for_debt(debt, table, until=until)
            for debt in ordered
            if debt.due_on < until and debt.amount > 0
        ),
    )


# -- a charter's own penalty (СНТ and others) -------------------------------------------------


@dataclass(frozen=True)
class CharterTerms:
    """A charter's penalty: ``daily_percent`` of the debt a day after ``grace_days``.

    ``cap_percent``: the penalty on one debt never exceeds this share of it (``None``: no cap).
    """

    daily_percent: Decimal
    grace_days: int = 0
    cap_percent: Decimal | None = None


def charter_penalty(
    debts: Iterable[MonthlyDebt], terms: CharterTerms | None, *, until: datetime.date
) -> Decimal:
    """The penalty under a charter's terms (217-ФЗ ст. 14 ч. 9); none without terms."""
    if terms is None:
        return ZERO
    total = ZERO
    for debt in debts:
        paid_off = debt.paid_off_on()
        last = paid_off if paid_off is not None and paid_off <= until else until
        day = debt.due_on + datetime.timedelta(days=terms.grace_days + 1)
        amount = Decimal(0)
        while day <= last:
            amount += debt.outstanding_on(day - ONE_DAY) * terms.daily_percent / Decimal(100)
            day += ONE_DAY
        if terms.cap_percent is not None:
            amount = min(amount, debt.amount * terms.cap_percent / Decimal(100))
        total += kopecks(amount)
    return total
