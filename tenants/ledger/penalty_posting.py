"""Penalties from the journal: the calculation for an account, and posting it.

ЖК РФ ст. 155 ч. 14 (``tenants.ledger.penalties`` has the rule): the dated tables come from
the database (``KeyRate``, ``PenaltyLimit``, ``CharterPenalty``), the monthly debts from the
journal (charges and their recalculations by the month they belong to, each due by the law's
dated due date), the repayments from replaying the payments (``payments.allocation.replay``:
the named month first, then the oldest).

Posting (:func:`post_penalties`) is append-only and never compounds: for each month's debt the
penalty computed today is compared with what was already posted for it, and the difference is
posted: as a ``penalty`` entry while the debt is unpaid (the rate of the day of calculation),
as a ``recalculation`` naming the debt's month once it is paid (the rate of the payment day).
Each posting names the day it was computed in its source id, so running it twice on one day
posts nothing new.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from tenants.ledger import penalties
from tenants.ledger.models import Entry, EntryKind
from tenants.ledger.money import ZERO, month_of
from tenants.ledger.payments.allocation import Receipt, replay
from tenants.ledger.payments.models import CharterPenalty, KeyRate, Payment, PenaltyLimit

PENALTY_SOURCE = "penalty"


def rate_table() -> penalties.RateTable:
    return penalties.RateTable(
        rates=tuple(penalties.KeyRate(r.starts_on, r.rate) for r in KeyRate.objects.all()),
        limits=tuple(
            penalties.Limit(x.starts_on, x.ends_on, x.cap, x.basis)
            for x in PenaltyLimit.objects.all()
        ),
    )


def charter_terms(on: datetime.date) -> penalties.CharterTerms | None:
    row = CharterPenalty.objects.filter(starts_on__lte=on).order_by("-starts_on").first()
    if row is None:
        return None
    return penalties.CharterTerms(row.daily_percent, row.grace_days, row.cap_percent)


def monthly_debts(account_id, *, association_day: int | None = None):
    """The account's monthly charges with their due dates and repayments."""
    charged: dict = defaultdict(lambda: [ZERO, None])
    entries = Entry.objects.filter(account_id=account_id).exclude(
        kind__in=(EntryKind.PAYMENT, EntryKind.PENALTY)
    )
    for period, corrects, amount, booked_on, calc in entries.values_list(
        "period", "corrects_period", "amount", "booked_on", "calculation"
    ):
        if (calc or {}).get("penalty"):
            continue
        month = corrects or period
        row = charged[month]
        row[0] += amount
        row[1] = min(row[1], booked_on) if row[1] else booked_on
    receipts = [
        Receipt(p.paid_on, p.amount, p.named_period)
        for p in Payment.objects.filter(account_id=account_id, status="posted").only(
            "paid_on", "amount", "named_period"
        )
    ]
    charges = {m: (amount, day) for m, (amount, day) in charged.items() if amount > 0}
    repaid = replay(charges, receipts)
    return [
        penalties.MonthlyDebt(
            period=month,
            amount=amount,
            due_on=penalties.due_date(month, association_day=association_day),
            repayments=tuple(repaid.get(month, ())),
        )
        for month, (amount, _day) in sorted(charges.items())
    ]


def calculation_for(account_id, *, on: datetime.date) -> penalties.Calculation:
    """The printable calculation of ``account``'s penalties as of ``on``."""
    return penalties.calculate(monthly_debts(account_id), rate_table(), until=on)


def _posted_by_month(account_id) -> dict:
    posted: dict = defaultdict(Decimal)
    rows = Entry.objects.filter(account_id=account_id, source=PENALTY_SOURCE)
    for amount, calc in rows.values_list("amount", "calculation"):
        posted[datetime.date.fromisoformat(calc["debt_period"])] += amount
    return posted


@transaction.atomic
def post_penalties(*, actor, account, on: datetime.date) -> list[Entry]:
    """Post the change in each month's penalty since the last posting (see the docstring)."""
    from tenants.ledger.services import post_entry

    calc = calculation_for(account.pk, on=on)
    posted = _posted_by_month(account.pk)
    made = []
    for debt in calc.debts:
        difference = debt.total - posted.get(debt.period, ZERO)
        if difference == 0:
            continue
        paid = debt.paid_off_on is not None
        data = {
            "penalty": True,
            "debt_period": debt.period.isoformat(),
            "rate_day": debt.rate_day.isoformat(),
            "key_rate": str(debt.key_rate),
            "total": str(debt.total),
        }
        entry, created = post_entry(
            actor=actor,
            account=account,
            kind=EntryKind.RECALCULATION if paid else EntryKind.PENALTY,
            period=month_of(on),
            amount=difference,
            corrects_period=debt.period if paid else None,
            reason="Пени пересчитаны по ставке на день оплаты (ЖК РФ ст. 155 ч. 14)"
            if paid
            else "Пени (ЖК РФ ст. 155 ч. 14)",
            source=PENALTY_SOURCE,
            source_id=f"{account.pk}:{debt.period.isoformat()}:{on.isoformat()}",
            booked_on=on,
            calculation_data=data,
        )
        if created:
            made.append(entry)
    return made
