"""The demo association's payments, debtors and penalties (called from the ledger's demo hook).

Deterministic, made once (skipped when any payment exists). When the journal has no charges
yet (the accrual demo has not run), a year of simple monthly charges is posted first (area ×
a flat rate, marked as demo) so the payments have something to pay. Then every account pays
each month's charge in the next month, by cash desk or bank, except a few debtors who stopped
paying some months ago; their penalties are posted as of today (ЖК РФ ст. 155 ч. 14). One bank
payment without an account waits in the queue; one debtor has an instalment plan.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tenants.ledger import penalty_posting
from tenants.ledger.models import Entry, EntryKind
from tenants.ledger.money import month_of
from tenants.ledger.payments import services
from tenants.ledger.payments.models import Payment, PaymentSource, PaymentStatus
from tenants.residents.models import PersonalAccount

MONTHS = 12
DEMO_RATE = Decimal("42.50")  # ₽ per m² a month, the demo's flat charge
#: Accounts (by number) whose place in every twenty is a key stop paying this many months
#: before today: about one in seven owes, as in a real association.
DEBTORS = {3: 7, 9: 4, 15: 2}


def _months_back(today: datetime.date, count: int) -> list[datetime.date]:
    month = month_of(today)
    found = []
    for _i in range(count):
        month = month_of(month - datetime.timedelta(days=1))
        found.append(month)
    return list(reversed(found))


def _charges(accounts, months) -> None:
    from tenants.ledger.services import post_entry

    for account in accounts:
        area = account.premises.area if account.premises and account.premises.area else 40
        for month in months:
            post_entry(
                actor=None,
                account=account,
                kind=EntryKind.CHARGE,
                period=month,
                amount=Decimal(area) * DEMO_RATE,
                reason="Демо: содержание жилого помещения",
                source="demo",
                source_id=f"{account.pk}:{month.isoformat()}",
                booked_on=month,
                audit=False,
            )


def _monthly_charge(account, month) -> Decimal:
    rows = Entry.objects.filter(account=account, period=month, kind=EntryKind.CHARGE)
    return sum((e.amount for e in rows), Decimal(0))


@transaction.atomic
def seed_payments() -> str:
    if Payment.objects.exists():
        return "payments: already there"
    today = timezone.localdate()
    accounts = list(PersonalAccount.objects.select_related("premises").order_by("number"))
    if not accounts:
        return "payments: no accounts"
    months = _months_back(today, MONTHS)
    if not Entry.objects.filter(kind=EntryKind.CHARGE).exists():
        _charges(accounts, months)
    paid = 0
    debtors = []
    for index, account in enumerate(accounts, start=1):
        stop = next((back for n, back in DEBTORS.items() if index % 20 == n), None)
        paying = months[: MONTHS - stop] if stop else months
        if stop:
            debtors.append(account)
        for number, month in enumerate(paying):
            amount = _monthly_charge(account, month)
            if amount <= 0:
                continue
            pay_day = (month + datetime.timedelta(days=40)).replace(day=5 + index % 10)
            if pay_day > today:
                continue
            source = PaymentSource.CASH if index % 2 else PaymentSource.BANK
            services.record_payment(
                actor=None,
                account=account,
                amount=amount,
                paid_on=pay_day,
                source=source,
                source_id=f"ДЕМО-{account.number}-{month:%Y%m}-{number}",
            )
            paid += 1
    Payment.objects.create(
        source=PaymentSource.STATEMENT,
        source_id="demo-queued-1",
        status=PaymentStatus.QUEUED,
        amount=Decimal("3150.00"),
        paid_on=today - datetime.timedelta(days=3),
        purpose="Оплата за квартиру, без номера счёта",
        queue_reason="no_account",
    )
    for account in debtors:
        penalty_posting.post_penalties(actor=None, account=account, on=today)
    if debtors:
        owed = sum((_monthly_charge(debtors[0], m) for m in months[-3:]), Decimal(0))
        services.create_instalment_plan(
            actor=None,
            account=debtors[0],
            total=owed,
            months=6,
            first_due_on=today.replace(day=15),
            agreed_on=today,
            decision="Решение правления (демо)",
        )
    return f"payments: {paid} payments, {len(debtors)} debtors with penalties"
