"""Writing payments: by hand, from a bank statement (preview → confirm), from the queue.

* Every payment has its ``source`` and the source's own id; the pair is unique in ``Payment``
  and in the journal (``Entry``'s ``ledger_entry_posted_once``), so the same statement imported
  twice, or a cash receipt typed twice, posts nothing new.
* An online payment that the bank later settles arrives again in the statement: a statement
  row for the same account and amount within ``ONLINE_SETTLEMENT_DAYS`` after a posted online
  payment (or naming its acquirer's reference) is linked to it, not posted; two candidates wait
  for a person.
* Posting goes through ``tenants.ledger.services.post_entry`` (the balance row's lock
  serialises concurrent payments to one account) and records ``Allocation`` rows: the named
  month first, then the oldest charges, penalties last, the rest as credit
  (``payments.allocation``; ЖК ст. 155, ГК ст. 319.1).
* Every change is audited in its transaction; audit details carry no personal data.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import record
from core.legal_details import legal_details
from tenants.ledger.models import Entry, EntryKind
from tenants.ledger.money import kopecks, month_of
from tenants.ledger.payments import allocation, matching, selectors
from tenants.ledger.payments.models import (
    Allocation,
    BankStatement,
    InstalmentItem,
    InstalmentPlan,
    Payment,
    PaymentSource,
    PaymentStatus,
    StatementStatus,
)
from tenants.ledger.statements.parser import parse
from tenants.residents.models import PersonalAccount

#: How many days after an online payment the bank's settlement may appear in a statement.
ONLINE_SETTLEMENT_DAYS = 7
HAND_SOURCES = (PaymentSource.CASH, PaymentSource.BANK)


# Kept here under its old name: the rule lives with the readers (``selectors.outstanding``).
_outstanding = selectors.outstanding


def _post(payment: Payment, *, actor) -> Payment:
    """Post a matched payment's journal entry and its allocations (inside a transaction)."""
    from tenants.ledger.services import post_entry

    entry, created = post_entry(
        actor=actor,
        account=payment.account_id,
        kind=EntryKind.PAYMENT,
        period=month_of(payment.paid_on),
        amount=-payment.amount,
        booked_on=payment.paid_on,
        source=payment.source,
        source_id=payment.source_id,
        calculation_data={
            "named_period": payment.named_period.isoformat() if payment.named_period else None
        },
        audit=False,
    )
    if not created:
        raise ValidationError(_("This payment is already posted."))
    # post_entry holds the account's balance row locked: the outstanding debts are stable.
    charges, penalties = _outstanding(payment.account_id)
    shares = allocation.allocate(
        payment.amount, charges, penalties, named_period=payment.named_period
    )
    Allocation.objects.bulk_create(
        Allocation(payment=payment, target=s.target, period=s.period, amount=s.amount)
        for s in shares
    )
    payment.entry = entry
    payment.status = PaymentStatus.POSTED
    payment.save(update_fields=["entry", "status", "account"])
    return payment


def _check_amount(amount) -> Decimal:
    try:
        amount = Decimal(amount)
    except Exception:  # noqa: BLE001 - a form gives a Decimal; anything else is refused
        amount = Decimal(0)
    if amount <= 0 or amount != kopecks(amount):
        raise ValidationError({"amount": _("Enter a positive amount in roubles and kopecks.")})
    return amount


@transaction.atomic
def record_payment(
    *,
    actor,
    account: PersonalAccount,
    amount,
    paid_on: datetime.date,
    source: str,
    source_id: str,
    named_period: datetime.date | None = None,
) -> Payment:
    """A payment the accountant enters (cash desk or bank), posted at once."""
    if source not in HAND_SOURCES:
        raise ValidationError({"source": _("Choose the cash desk or the bank.")})
    source_id = (source_id or "").strip()
    if not source_id:
        raise ValidationError({"source_id": _("Enter the receipt's or the order's number.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    amount = _check_amount(amount)
    if Payment.objects.filter(source=source, source_id=source_id).exists():
        raise ValidationError(
            {"source_id": _("A payment with this number from this source is already recorded.")}
        )
    payment = Payment(
        source=source,
        source_id=source_id,
        status=PaymentStatus.QUEUED,
        account=account,
        amount=amount,
        paid_on=paid_on,
        named_period=month_of(named_period) if named_period else None,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        raise ValidationError(
            {"source_id": _("A payment with this number from this source is already recorded.")}
        ) from None
    _post(payment, actor=actor)
    record(
        "ledger.payment_recorded",
        actor=actor,
        target=payment,
        details={"source": source, "amount": str(amount), "paid_on": str(paid_on)},
    )
    return payment


# -- online payments (billing.payments) ---------------------------------------------------------

#: The journal source of a refund's reversing entry (its id: the refund's own reference).
REFUND_SOURCE = "online_refund"


@transaction.atomic
def record_online_payment(
    *,
    actor,
    account: PersonalAccount,
    amount,
    paid_on: datetime.date,
    reference: str,
    named_period: datetime.date | None = None,
) -> tuple[Payment, bool]:
    """An online payment its provider confirmed, posted at once: ``(payment, created)``.

    ``reference`` is the provider's own id (``<provider>:<id>``): the pair (``online``,
    reference) is unique, so a confirmation that arrives again posts nothing and returns the
    payment already posted (``created`` False). The bank's settlement of the same money in a
    later statement is linked to it, not posted (``confirm_statement``, ``_online_twin``: the
    acquirer's reference named in the purpose, or the same account and amount within
    ``ONLINE_SETTLEMENT_DAYS``)."""
    amount = _check_amount(amount)
    reference = (reference or "").strip()[:120]
    if not reference:
        raise ValidationError(_("An online payment needs its provider's reference."))
    existing = Payment.objects.filter(source=PaymentSource.ONLINE, source_id=reference).first()
    if existing is not None:
        return existing, False
    payment = Payment(
        source=PaymentSource.ONLINE,
        source_id=reference,
        status=PaymentStatus.QUEUED,
        account=account,
        amount=amount,
        paid_on=paid_on,
        named_period=month_of(named_period) if named_period else None,
        acquirer_ref=reference.split(":", 1)[-1][:64],
        created_by=actor,
    )
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        # A concurrent confirmation of the same payment won the race: it posted the money.
        return Payment.objects.get(source=PaymentSource.ONLINE, source_id=reference), False
    _post(payment, actor=actor)
    record(
        "ledger.payment_recorded",
        actor=actor,
        target=payment,
        details={"source": PaymentSource.ONLINE, "amount": str(amount), "paid_on": str(paid_on)},
    )
    return payment, True


@transaction.atomic
def reverse_payment(
    *, actor, payment: Payment, amount, reason: str, reference: str, booked_on=None
) -> tuple[Entry, bool]:
    """Give back ``amount`` of a posted payment (a refund, a chargeback): a new journal entry
    raising the debt by it, with its reason (the journal is append-only: the payment's own
    entry stays), and negative allocations undoing what the payment paid, the credit it left
    first, then the latest months. ``reference`` (the refund's own id) makes it once:
    ``(entry, created)``."""
    from tenants.ledger.services import post_entry

    amount = _check_amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payment is given back.")})
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.POSTED or payment.entry_id is None:
        raise ValidationError(_("Only a posted payment can be given back."))
    done = Entry.objects.filter(source=REFUND_SOURCE, source_id=reference).first()
    if done is not None:
        return done, False
    reversed_before = Entry.objects.filter(
        source=REFUND_SOURCE, calculation__reverses=payment.entry_id
    ).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if reversed_before + amount > payment.amount:
        raise ValidationError({"amount": _("More than the payment would be given back.")})
    day = booked_on or timezone.localdate()
    entry, created = post_entry(
        actor=actor,
        account=payment.account_id,
        kind=EntryKind.PAYMENT,
        period=month_of(day),
        amount=amount,
        booked_on=day,
        reason=reason[:300],
        source=REFUND_SOURCE,
        source_id=reference[:120],
        calculation_data={"reverses": payment.entry_id, "refund": True},
        audit=False,
    )
    if not created:
        return entry, False
    left = amount
    order = {allocation.CREDIT: 0, allocation.PENALTY: 1, allocation.CHARGE: 2}
    held = defaultdict(Decimal)
    for target, period, share in payment.allocations.values_list("target", "period", "amount"):
        held[(target, period)] += share
    undo = []

    def latest_first(item):
        (target, period), _share = item
        return order[target], -(period or datetime.date.max).toordinal()

    for (target, period), share in sorted(held.items(), key=latest_first):
        if left <= 0 or share <= 0:
            continue
        part = min(left, share)
        undo.append(Allocation(payment=payment, target=target, period=period, amount=-part))
        left -= part
    Allocation.objects.bulk_create(undo)
    record(
        "ledger.payment_reversed",
        actor=actor,
        target=payment,
        details={"amount": str(amount), "entry": entry.pk},
    )
    return entry, True


# -- bank statements ----------------------------------------------------------------------------


def _own_details() -> tuple[str, set[str]]:
    from tenants.profile.models import PaymentRecipient

    inn = (legal_details().inn or "").strip()
    accounts = {r.account.strip() for r in PaymentRecipient.objects.all() if r.account}
    return inn, accounts


def _row(payment, match: matching.Match) -> dict:
    return {
        "ref": payment.source_ref,
        "number": payment.number,
        "date": payment.date.isoformat(),
        "amount": str(payment.amount),
        "purpose": payment.purpose,
        "recipient_inn": payment.recipient_inn,
        "recipient_account": payment.recipient_account,
        "account": match.account_number,
        "reason": match.reason,
        "named_period": match.named_period.isoformat() if match.named_period else None,
    }


@transaction.atomic
def preview_statement(*, actor, data: bytes, filename: str = "") -> BankStatement:
    """Read an uploaded statement and keep what it would do, for the accountant to confirm.

    A file that is not a statement is refused (``StatementError``): nothing is written.
    """
    parsed = parse(data, filename)
    known = set(PersonalAccount.objects.values_list("number", flat=True))
    inn, accounts = _own_details()
    incoming = parsed.incoming()
    existing = set(
        Payment.objects.filter(
            source=PaymentSource.STATEMENT, source_id__in=[p.source_ref for p in incoming]
        ).values_list("source_id", flat=True)
    )
    rows = []
    for payment in incoming:
        found = matching.match(
            purpose=payment.purpose,
            recipient_inn=payment.recipient_inn,
            recipient_account=payment.recipient_account,
            known_accounts=known,
            own_inn=inn,
            own_accounts=accounts,
        )
        row = _row(payment, found)
        row["duplicate"] = payment.source_ref in existing
        rows.append(row)
    statement = BankStatement.objects.create(
        uploaded_by=actor,
        file_format=parsed.format,
        encoding=parsed.encoding,
        file_sha256=hashlib.sha256(data).hexdigest(),
        date_from=parsed.date_from,
        date_to=parsed.date_to,
        rows=rows,
        total_rows=len(rows),
        duplicate_rows=sum(1 for r in rows if r["duplicate"]),
        new_rows=sum(1 for r in rows if not r["duplicate"]),
        matched_rows=sum(1 for r in rows if not r["duplicate"] and not r["reason"]),
        queued_rows=sum(1 for r in rows if not r["duplicate"] and r["reason"]),
    )
    record(
        "ledger.statement_uploaded",
        actor=actor,
        target=statement,
        details={"format": parsed.format, "rows": len(rows)},
    )
    return statement


def _online_twin(account_id, amount: Decimal, day: datetime.date, purpose: str):
    """The posted online payment a statement row settles, ``(payment, doubtful)``."""
    candidates = list(
        Payment.objects.filter(
            source=PaymentSource.ONLINE,
            status=PaymentStatus.POSTED,
            account_id=account_id,
            amount=amount,
            paid_on__gte=day - datetime.timedelta(days=ONLINE_SETTLEMENT_DAYS),
            paid_on__lte=day,
        ).exclude(pk__in=Payment.objects.filter(linked_to__isnull=False).values("linked_to"))
    )
    by_reference = [p for p in candidates if p.acquirer_ref and p.acquirer_ref in purpose]
    if len(by_reference) == 1:
        return by_reference[0], False
    if len(candidates) == 1:
        return candidates[0], False
    if candidates:
        return None, True
    return None, False


@transaction.atomic
def confirm_statement(*, actor, statement: BankStatement) -> BankStatement:
    """Import a previewed statement: post matched payments, link settled online payments,
    queue the rest. Rows already imported (any earlier statement) are skipped."""
    statement = BankStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.status != StatementStatus.PREVIEW:
        raise ValidationError(_("This bank statement is already imported."))
    accounts = dict(PersonalAccount.objects.values_list("number", "pk"))
    posted = queued = linked = skipped = 0
    for row in statement.rows or []:
        if Payment.objects.filter(source=PaymentSource.STATEMENT, source_id=row["ref"]).exists():
            skipped += 1
            continue
        account_id = accounts.get(row["account"]) if row["account"] else None
        reason = row["reason"] or ("" if account_id else matching.NO_ACCOUNT)
        amount = Decimal(row["amount"])
        paid_on = datetime.date.fromisoformat(row["date"])
        payment = Payment(
            source=PaymentSource.STATEMENT,
            source_id=row["ref"],
            statement=statement,
            status=PaymentStatus.QUEUED,
            account_id=account_id,
            amount=amount,
            paid_on=paid_on,
            named_period=(
                datetime.date.fromisoformat(row["named_period"]) if row["named_period"] else None
            ),
            purpose=row["purpose"],
            recipient_inn=row["recipient_inn"][:12],
            recipient_account=row["recipient_account"][:20],
            created_by=actor,
        )
        if not reason:
            twin, doubtful = _online_twin(account_id, amount, paid_on, row["purpose"] or "")
            if twin is not None:
                payment.status = PaymentStatus.LINKED
                payment.linked_to = twin
            elif doubtful:
                reason = matching.MAYBE_ONLINE
        payment.queue_reason = reason
        payment.save()
        if payment.status == PaymentStatus.LINKED:
            linked += 1
        elif reason:
            queued += 1
        else:
            _post(payment, actor=actor)
            posted += 1
    statement.status = StatementStatus.CONFIRMED
    statement.confirmed_by = actor
    statement.confirmed_at = timezone.now()
    statement.rows = None  # the payments keep what is needed; the sealed preview goes
    statement.save(update_fields=["status", "confirmed_by", "confirmed_at", "rows"])
    record(
        "ledger.statement_imported",
        actor=actor,
        target=statement,
        details={"posted": posted, "queued": queued, "linked": linked, "skipped": skipped},
    )
    return statement


@transaction.atomic
def assign_payment(
    *, actor, payment: Payment, account: PersonalAccount, named_period=None
) -> Payment:
    """A person assigns a waiting payment to an account: it is posted."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.QUEUED:
        raise ValidationError(_("This payment no longer waits: someone has assigned it."))
    payment.account = account
    if named_period:
        payment.named_period = month_of(named_period)
        payment.save(update_fields=["named_period"])
    payment.queue_reason = ""
    payment.assigned_by = actor
    payment.assigned_at = timezone.now()
    payment.save(update_fields=["queue_reason", "assigned_by", "assigned_at", "account"])
    _post(payment, actor=actor)
    record(
        "ledger.payment_assigned",
        actor=actor,
        target=payment,
        details={"amount": str(payment.amount)},
    )
    return payment


@transaction.atomic
def link_payment(*, actor, payment: Payment, online_payment: Payment) -> Payment:
    """A person decides a waiting statement row is the settlement of ``online_payment``."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.QUEUED:
        raise ValidationError(_("This payment no longer waits: someone has assigned it."))
    if online_payment.source != PaymentSource.ONLINE or online_payment.amount != payment.amount:
        raise ValidationError(_("Only an online payment of the same amount can be linked."))
    payment.status = PaymentStatus.LINKED
    payment.linked_to = online_payment
    payment.account = online_payment.account
    payment.queue_reason = ""
    payment.assigned_by = actor
    payment.assigned_at = timezone.now()
    payment.save(
        update_fields=[
            "status",
            "linked_to",
            "account",
            "queue_reason",
            "assigned_by",
            "assigned_at",
        ]
    )
    record("ledger.payment_linked", actor=actor, target=payment, details={})
    return payment


# -- instalment plans ---------------------------------------------------------------------------


@transaction.atomic
def create_instalment_plan(
    *,
    actor,
    account: PersonalAccount,
    total,
    months: int,
    first_due_on: datetime.date,
    agreed_on: datetime.date,
    decision: str,
) -> InstalmentPlan:
    """An instalment plan the board agreed (Правила 354 п. 72): equal monthly parts, the last
    taking the kopecks left over."""
    total = _check_amount(total)
    if not 1 <= months <= 60:
        raise ValidationError({"months": _("An instalment plan lasts from 1 to 60 months.")})
    if not decision.strip():
        raise ValidationError({"decision": _("Name the board's decision.")})
    plan = InstalmentPlan.objects.create(
        account=account, agreed_on=agreed_on, decision=decision, total=total, created_by=actor
    )
    part = kopecks(total / months)
    due = first_due_on
    items = []
    for index in range(months):
        amount = part if index < months - 1 else total - part * (months - 1)
        items.append(InstalmentItem(plan=plan, due_on=due, amount=amount))
        following = (due.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        last = ((following.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)) - (
            datetime.timedelta(days=1)
        )
        due = following.replace(day=min(first_due_on.day, last.day))
    InstalmentItem.objects.bulk_create(items)
    record(
        "ledger.instalment_plan_agreed",
        actor=actor,
        target=plan,
        details={"total": str(total), "months": months},
    )
    return plan
