"""Which debts a payment pays (pure).

ЖК РФ ст. 155 ч. 1, 14 and ГК РФ ст. 319.1 (``../shared/DOMAIN.md``, Penalties): a payment
pays the month the payer named first; otherwise, and with what is left, the oldest charges
first; penalties last (a penalty is a неустойка, not the interest that ГК ст. 319 puts before
the principal); what is left stays as credit (overpayment) on the account.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tenants.ledger.money import ZERO

CHARGE = "charge"
PENALTY = "penalty"
CREDIT = "credit"


@dataclass(frozen=True)
class Share:
    target: str
    period: datetime.date | None
    amount: Decimal


def allocate(
    amount: Decimal,
    charges: Mapping[datetime.date, Decimal],
    penalties: Mapping[datetime.date, Decimal] | None = None,
    *,
    named_period: datetime.date | None = None,
) -> list[Share]:
    """Split ``amount`` over the outstanding ``charges`` and ``penalties`` (by month)."""
    left = Decimal(amount)
    shares: list[Share] = []
    order = sorted(month for month, owed in charges.items() if owed > 0)
    if named_period is not None and named_period in order:
        order.remove(named_period)
        order.insert(0, named_period)
    for month in order:
        if left <= 0:
            break
        paid = min(left, charges[month])
        shares.append(Share(CHARGE, month, paid))
        left -= paid
    for month in sorted(m for m, owed in (penalties or {}).items() if owed > 0):
        if left <= 0:
            break
        paid = min(left, penalties[month])
        shares.append(Share(PENALTY, month, paid))
        left -= paid
    if left > 0:
        shares.append(Share(CREDIT, None, left))
    return shares


@dataclass(frozen=True)
class Receipt:
    """Money in, for the replay: when, how much, and the month the payer named."""

    paid_on: datetime.date
    amount: Decimal
    named_period: datetime.date | None = None


def replay(
    charges: Mapping[datetime.date, tuple[Decimal, datetime.date]],
    receipts: list[Receipt],
) -> dict[datetime.date, list[tuple[datetime.date, Decimal]]]:
    """The repayments of each month's charges, replaying ``receipts`` in date order.

    ``charges``: month → (amount, the day it was charged). A receipt pays what was charged by
    its day (named month first, then oldest); a credit left over pays later charges on the day
    they are charged. Returns month → [(day, amount)], the input of the penalty rule.
    """
    owed = {month: ZERO for month in charges}
    repaid: dict[datetime.date, list[tuple[datetime.date, Decimal]]] = {m: [] for m in charges}
    events = sorted(
        [(day, 0, month) for month, (_amount, day) in charges.items()]
        + [(r.paid_on, 1, r) for r in receipts],
        key=lambda e: (e[0], e[1]),
    )
    credit = ZERO
    for day, kind, item in events:
        if kind == 0:
            owed[item] = charges[item][0]
        else:
            credit += item.amount
        if credit <= 0:
            continue
        named = item.named_period if kind == 1 else None
        for share in allocate(credit, owed, named_period=named):
            if share.target == CHARGE:
                owed[share.period] -= share.amount
                repaid[share.period].append((day, share.amount))
                credit -= share.amount
    return repaid
