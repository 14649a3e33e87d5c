"""Reading payments, the queue, debtors, instalment plans and penalty calculations for the
accountant's and the board's pages (``ACCOUNT_READERS`` read every account; members read their
payments on their own account page, through the journal).

Each function asks a fixed number of queries whatever the number of rows (the debtors' and the
queue's counts are pinned in ``tests/tenants/ledger/test_payment_pages.py``).
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone

from tenants.ledger import penalties, penalty_posting
from tenants.ledger.models import Entry, EntryKind
from tenants.ledger.money import ZERO, last_day, month_of
from tenants.ledger.payments import allocation, court_fee
from tenants.ledger.payments.models import (
    Allocation,
    BankStatement,
    InstalmentPlan,
    Payment,
    PaymentStatus,
)
from tenants.residents.models import Building, Holding, PersonalAccount
from tenants.residents.shares import format_share


def outstanding(account_id) -> tuple[dict, dict]:
    """What is owed per month: charges (and their recalculations), penalties; less what
    earlier payments were allocated to."""
    charges: dict = defaultdict(Decimal)
    penalties: dict = defaultdict(Decimal)
    rows = Entry.objects.filter(account_id=account_id).exclude(kind=EntryKind.PAYMENT)
    for kind, period, corrects, amount, calc in rows.values_list(
        "kind", "period", "corrects_period", "amount", "calculation"
    ):
        is_penalty = kind == EntryKind.PENALTY or (calc or {}).get("penalty")
        if is_penalty:
            penalties[month_of(_debt_month(calc) or corrects or period)] += amount
        else:
            charges[corrects or period] += amount
    paid = (
        Allocation.objects.filter(payment__account_id=account_id)
        .exclude(target=allocation.CREDIT)
        .values_list("target", "period")
        .annotate(total=Sum("amount"))
    )
    for target, period, total in paid:
        (charges if target == allocation.CHARGE else penalties)[period] -= total
    return dict(charges), dict(penalties)


def _debt_month(calc):
    value = (calc or {}).get("debt_period")
    return datetime.date.fromisoformat(value) if value else None


def account_by_number(number: str) -> PersonalAccount | None:
    number = (number or "").strip()
    if not number:
        return None
    return PersonalAccount.objects.filter(number=number).first()


def account_for_board(pk) -> PersonalAccount:
    """One account for the accountant's and the board's pages (they read every one), or 404."""
    account = PersonalAccount.objects.select_related("premises__building").filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


def recent_payments(limit: int = 50):
    return Payment.objects.select_related("account__premises__building").order_by("-created_at")[
        :limit
    ]


def statement_for(pk) -> BankStatement:
    found = BankStatement.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def queue():
    """Payments waiting for a person, oldest first."""
    return (
        Payment.objects.filter(status=PaymentStatus.QUEUED)
        .select_related("account", "statement")
        .order_by("paid_on", "created_at")
    )


def queued_payment(pk) -> Payment:
    found = Payment.objects.filter(pk=pk, status=PaymentStatus.QUEUED).first()
    if found is None:
        raise Http404
    return found


def instalment_plans():
    return (
        InstalmentPlan.objects.select_related("account__premises__building")
        .prefetch_related("items")
        .order_by("-agreed_on", "-created_at")
    )


def buildings():
    return Building.objects.order_by("name")


# -- debtors ------------------------------------------------------------------------------------


@dataclass
class Debtor:
    account: PersonalAccount
    debt: Decimal = ZERO
    penalties: Decimal = ZERO
    #: Months whose charges are still unpaid after their due date (oldest paid first).
    months_overdue: int = 0
    oldest_unpaid: datetime.date | None = None
    unpaid: list = field(default_factory=list)

    @property
    def principal(self) -> Decimal:
        return self.debt - self.penalties


def _is_penalty(kind: str, calc) -> bool:
    return kind == EntryKind.PENALTY or bool((calc or {}).get("penalty"))


def _unpaid_months(charges: dict, paid: Decimal) -> list[tuple[datetime.date, Decimal]]:
    """Months still owed once ``paid`` is applied to the oldest charges first."""
    left = []
    for month in sorted(charges):
        amount = charges[month]
        if amount <= 0:
            paid += -amount
            continue
        used = min(paid, amount)
        paid -= used
        if amount - used > 0:
            left.append((month, amount - used))
    return left


def debtors(
    *,
    min_debt: Decimal | None = None,
    min_months: int | None = None,
    building=None,
    on: datetime.date | None = None,
) -> list[Debtor]:
    """Accounts owing more than nothing, by debt (largest first), with their penalties and the
    months overdue (a month's charge is overdue after its due date, ЖК ст. 155 ч. 1); three
    queries whatever the number of accounts and months."""
    on = on or timezone.localdate()
    accounts = PersonalAccount.objects.filter(ledger_balance__amount__gt=0).select_related(
        "premises__building", "ledger_balance"
    )
    if building is not None:
        accounts = accounts.filter(premises__building=building)
    if min_debt is not None:
        accounts = accounts.filter(ledger_balance__amount__gte=min_debt)
    found = {a.pk: Debtor(a, debt=a.ledger_balance.amount) for a in accounts}
    if not found:
        return []
    charges: dict = defaultdict(lambda: defaultdict(Decimal))
    paid: dict = defaultdict(Decimal)
    rows = (
        Entry.objects.filter(account_id__in=list(found))
        .values("account_id", "kind", "period", "corrects_period", "calculation")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        debtor = found[row["account_id"]]
        if _is_penalty(row["kind"], row["calculation"]):
            debtor.penalties += row["total"]
        elif row["kind"] == EntryKind.PAYMENT:
            paid[row["account_id"]] += -row["total"]
        else:
            charges[row["account_id"]][row["corrects_period"] or row["period"]] += row["total"]
    result = []
    for pk, debtor in found.items():
        debtor.unpaid = _unpaid_months(charges[pk], paid[pk])
        overdue = [m for m, _amount in debtor.unpaid if penalties.due_date(m) < on]
        debtor.months_overdue = len(overdue)
        debtor.oldest_unpaid = debtor.unpaid[0][0] if debtor.unpaid else None
        if min_months and debtor.months_overdue < min_months:
            continue
        result.append(debtor)
    result.sort(key=lambda d: (-d.debt, d.account.number))
    return result


def debtors_workbook(rows: list[Debtor], labels: list[str]) -> bytes:
    """The debtors as an .xlsx file (openpyxl, write-only); amounts as numbers."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="debtors")
    sheet.append(labels)
    for debtor in rows:
        premises = debtor.account.premises
        sheet.append(
            [
                debtor.account.number,
                premises.building.name if premises else "",
                premises.number if premises else "",
                float(debtor.debt),
                float(debtor.principal),
                float(debtor.penalties),
                debtor.months_overdue,
                debtor.oldest_unpaid.strftime("%m.%Y") if debtor.oldest_unpaid else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- penalty calculation and the court-order package ------------------------------------------


@dataclass
class ClaimMonth:
    period: datetime.date
    charged: Decimal
    due_on: datetime.date
    outstanding: Decimal


@dataclass
class ClaimDebtor:
    """A holder of the account in the claim's months (ГПК РФ ст. 124 ч. 2 п. 3 asks for the
    debtor's name; the board adds the birth date and an identifier from its own papers)."""

    name: str
    started_on: datetime.date
    ended_on: datetime.date | None
    erased: bool
    #: The owners under the tenure: (name, share, ИНН of an organisation); with shared
    #: ownership each answers for the debt in proportion to their share (ЖК РФ ст. 158 ч. 1,
    #: ГК РФ ст. 249).
    owners: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Claim:
    """The figures of a claim for a court order (судебный приказ, ГПК РФ ст. 122, 124) against
    the account's debtor as of ``on``: the unpaid charges by month, the penalties, who held the
    account in those months, and the state fee (``court_fee``)."""

    account: PersonalAccount
    on: datetime.date
    months: list[ClaimMonth]
    calculation: penalties.Calculation
    penalties_posted: Decimal
    debtors: list[ClaimDebtor]

    @property
    def principal(self) -> Decimal:
        return sum((m.outstanding for m in self.months), ZERO)

    @property
    def total(self) -> Decimal:
        return self.principal + self.calculation.total

    @property
    def fee(self) -> court_fee.Fee:
        return court_fee.court_order_fee(self.total, self.on)


def calculation(account: PersonalAccount, on: datetime.date) -> penalties.Calculation:
    return penalty_posting.calculation_for(account.pk, on=on)


def claim(account: PersonalAccount, on: datetime.date) -> Claim:
    debts = penalty_posting.monthly_debts(account.pk)
    months = [
        ClaimMonth(d.period, d.amount, d.due_on, d.outstanding_on(on))
        for d in debts
        if d.outstanding_on(on) > 0
    ]
    posted = Entry.objects.filter(
        Q(kind=EntryKind.PENALTY) | Q(source=penalty_posting.PENALTY_SOURCE), account=account
    ).aggregate(total=Sum("amount"))["total"]
    return Claim(
        account=account,
        on=on,
        months=months,
        calculation=penalties.calculate(debts, penalty_posting.rate_table(), until=on),
        penalties_posted=posted or ZERO,
        debtors=_debtors(account, months),
    )


def _debtors(account: PersonalAccount, months: list[ClaimMonth]) -> list[ClaimDebtor]:
    """The account's holders whose tenure overlaps the unpaid months (all of them when nothing
    is unpaid: the page still names who holds the account)."""
    holdings = (
        Holding.objects.filter(account=account)
        .prefetch_related("owners__ownerships")
        .order_by("started_on")
    )
    if months:
        first = months[0].period
        last = months[-1].period
        holdings = holdings.filter(started_on__lte=last_day(last)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=first)
        )
    return [
        ClaimDebtor(
            name="" if h.erased_at else (h.full_name or ""),
            started_on=h.started_on,
            ended_on=h.ended_on,
            erased=h.erased_at is not None,
            owners=[] if h.erased_at else _owners_of(h),
        )
        for h in holdings
    ]


def _owners_of(holding: Holding) -> list[tuple[str, str, str]]:
    owners = []
    for owner in holding.owners.all():
        ownership = max(owner.ownerships.all(), key=lambda o: o.started_on, default=None)
        share = format_share(ownership.share) if ownership else ""
        owners.append((owner.display_name, share, owner.inn))
    return owners


def history(account: PersonalAccount):
    """The account's journal, oldest first (the court-order package's history)."""
    return (
        Entry.objects.filter(account=account).select_related("service").order_by("booked_on", "id")
    )
