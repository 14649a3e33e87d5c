"""Receipts read from the ledger: :class:`ReceiptData` for an account and a month, and who may
see which.

Who sees a receipt (the same on every page and in the letters), by the ledger's rule of who
reads which holding's entries (:func:`tenants.ledger.selectors.account_for`):

* the board and the accountant (``ACCOUNT_READERS``) every account's;
* an owner the receipts of their own holding's months, with their name as the payer: not the
  months of an earlier holder, nor, once the premises has changed hands, the new holder's;
* a former holder keeps reading the receipts of their own months while they owe anything for
  them (ЖК РФ ст. 153 ч. 2, ст. 155: the debt of their tenure stays theirs), and stops once it
  is paid;
* a resident of the premises (family, tenants: they often pay) the receipts of its current
  holding, without the owner's name (no owner's personal data to residents);
* anyone else none: another account's receipt is a 404, as an unknown one.

A receipt belongs to one holding: the board's (and the month's batch) is the latest holding
whose tenure overlaps the month; a member's is their own holding's, so in the month the
premises changed hands the former holder and the new one each read their own part.

A month's receipt exists once the month is over and the account has entries in it; receipts
are ready by the 5th of the following month (Правила 354 п. 67: the payment document is
presented by the 1st unless the contract sets another day; DOMAIN.md: by the 5th).

The figures come from the journal only (``Entry``: signed amounts, positive raises the debt):
the charges of the month with their calculation (volume, tariff, benefit), recalculations
booked in the month with their reasons, penalties, payments, and everything before the month
as the opening debt or prepayment, per payment recipient (each service names its recipient;
entries without a service go to the main one). So what the receipt asks for is exactly the
journal's balance at the month's end, recipient by recipient.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404
from django.utils import timezone

from core.access.roles import ACCOUNT_READERS, has_role
from tenants.ledger import selectors as ledger
from tenants.ledger.models import Entry, EntryKind, Service
from tenants.ledger.receipts.data import (
    ZERO,
    MeterLine,
    ReceiptData,
    RecipientSection,
    ServiceLine,
)
from tenants.residents.models import Holding, Owner, PersonalAccount

#: Receipts of a month are ready by this day of the following month.
READY_BY_DAY = 5


def _last_day(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def first_day(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


def issued(period: datetime.date, today: datetime.date | None = None) -> bool:
    """A month's receipts exist once the month is over."""
    today = today or timezone.localdate()
    return period < first_day(today)


def ready_by(period: datetime.date) -> datetime.date:
    return _next_month(period).replace(day=READY_BY_DAY)


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


# -- access -------------------------------------------------------------------------------------


def reads_all(user) -> bool:
    return has_role(user, *ACCOUNT_READERS)


def accounts_for(user) -> list:
    """The accounts whose receipts ``user`` reads, each with the holdings they read
    (``AccountAccess``: ``holding_ids`` None for the board), by number."""
    return ledger.accounts_visible_to(user)


def _overlaps(holding: Holding, period: datetime.date) -> bool:
    return holding.started_on <= _last_day(period) and (
        holding.ended_on is None or holding.ended_on > period
    )


def months(
    account: PersonalAccount, today: datetime.date | None = None, *, holding_ids=None
) -> list[datetime.date]:
    """The months the account has a receipt for, newest first: over, and with entries. With
    ``holding_ids`` (a member's readable holdings), only those holdings' own months: their
    tenure overlaps the month and they have entries in it."""
    current = first_day(today or timezone.localdate())
    entries = Entry.objects.filter(account=account, period__lt=current)
    if holding_ids is None:
        return list(entries.order_by("-period").values_list("period", flat=True).distinct())
    holdings = {h.pk: h for h in Holding.objects.filter(account=account, pk__in=holding_ids)}
    found = {
        period
        for holding_id, period in entries.filter(holding_id__in=list(holdings))
        .values_list("holding_id", "period")
        .distinct()
        if _overlaps(holdings[holding_id], period)
    }
    return sorted(found, reverse=True)


def _readers_holding(access, period: datetime.date) -> Holding | None:
    """The reader's own holding whose receipt of ``period`` it is (the latest of theirs whose
    tenure overlaps the month and has entries in it), or None."""
    candidates = [
        holding
        for holding in Holding.objects.filter(
            account=access.account, pk__in=list(access.holding_ids)
        ).order_by("-started_on")
        if _overlaps(holding, period)
    ]
    having = set(
        Entry.objects.filter(
            account=access.account, period=period, holding_id__in=[h.pk for h in candidates]
        ).values_list("holding_id", flat=True)
    )
    return next((holding for holding in candidates if holding.pk in having), None)


def receipt_for(user, account_pk, period: datetime.date) -> ReceiptData:
    """The receipt of an account the reader may see, for a month that has one; else 404."""
    access = ledger.account_for(user, account_pk)
    if period.day != 1 or not issued(period):
        raise Http404
    if access.holding_ids is None:  # the board: every month, the month's holding
        if period not in months(access.account):
            raise Http404
        return build([access.account.pk], period, with_payer=True)[0]
    holding = _readers_holding(access, period)
    if holding is None:
        raise Http404
    # The payer's name is the reader's own (they own that holding), never a resident's to see.
    with_payer = Owner.objects.filter(holding=holding, user=user).exists()
    return build(
        [access.account.pk], period, with_payer=with_payer, holdings={access.account.pk: holding}
    )[0]


# -- building -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Recipient:
    key: object
    name: str
    account: str
    bank_name: str
    bic: str
    correspondent_account: str


class MonthContext:
    """What every receipt of a month shares: the association, recipients, services, due date
    (read once for a batch)."""

    def __init__(self, period: datetime.date):
        from tenants.profile import selectors as profile

        self.period = period
        self.legal = profile.legal()
        self.profile = profile.profile()
        self.recipients = {r.pk: r for r in profile.recipients()}
        main = next((r for r in self.recipients.values() if r.is_main), None)
        self.main_id = main.pk if main else next(iter(self.recipients), None)
        self.services = {s.pk: s for s in Service.objects.all()}
        due_on = _next_month(period)
        due_day = profile.settings_in_force(due_on, kind=self.legal.kind).due_day
        self.due_date = due_on.replace(day=min(due_day, 28)) if due_day else None

    def recipient_of(self, service_id):
        service = self.services.get(service_id)
        if service is not None and service.recipient_id in self.recipients:
            return service.recipient_id
        return self.main_id


def _holding_of(account_id, period: datetime.date, holdings) -> Holding | None:
    """The account's holding whose tenure covers the month's end (else the last that started
    in it): whose receipt it is."""
    end = _last_day(period)
    found = None
    for holding in holdings:
        covers = holding.started_on <= end and (
            holding.ended_on is None or holding.ended_on > period
        )
        if covers and (found is None or holding.started_on > found.started_on):
            found = holding
    return found


def _meter_lines(premises_ids, period: datetime.date) -> dict:
    from tenants.meters.models import Reading

    lines = defaultdict(list)
    readings = (
        Reading.objects.filter(
            meter__premises_id__in=premises_ids, period=period, superseded_at__isnull=True
        )
        .select_related("meter", "register")
        .order_by("meter__kind", "meter__serial_number", "register__position")
    )
    for reading in readings:
        consumption = reading.consumption
        previous = reading.value - consumption if consumption is not None else None
        register = reading.register
        lines[reading.meter.premises_id].append(
            MeterLine(
                resource=str(reading.meter.get_kind_display()),
                serial_number=reading.meter.serial_number,
                register="" if register.code == "total" else str(register.get_code_display()),
                previous=previous,
                current=reading.value,
                consumption=consumption,
            )
        )
    return lines


def build(
    account_ids, period: datetime.date, *, with_payer: bool = True, context=None, holdings=None
) -> list[ReceiptData]:
    """The receipts of ``account_ids`` for ``period`` in that order, with a constant number of
    queries whatever their number (for the association's batch). Not scoped to a reader: the
    callers are :func:`receipt_for` and the board's batch task. Each account's receipt is that
    of the month's holding (:func:`_holding_of`), or of the one ``holdings`` names for it."""
    ctx = context or MonthContext(period)
    accounts = {
        a.pk: a
        for a in PersonalAccount.objects.filter(pk__in=account_ids).select_related(
            "premises__building"
        )
    }
    tenures = defaultdict(list)
    for holding in (
        Holding.objects.filter(account_id__in=account_ids)
        .prefetch_related("owners")
        .order_by("started_on")
    ):
        tenures[holding.account_id].append(holding)
    chosen = {pk: _holding_of(pk, period, tenures[pk]) for pk in accounts}
    for pk, named in (holdings or {}).items():
        named_id = getattr(named, "pk", named)
        chosen[pk] = next((h for h in tenures[pk] if h.pk == named_id), None)
    premises_ids = {a.premises_id for a in accounts.values()}
    meters = _meter_lines(premises_ids, period)
    from tenants.residents import member_selectors

    # The registry's dated count of registered residents where it has one (the accrual run's
    # rule), else the figure typed on the premises.
    counting = getattr(member_selectors, "registered_residents_counts", None)
    counts = counting(premises_ids, period) if counting else {}

    entries = defaultdict(list)
    for entry in Entry.objects.filter(account_id__in=account_ids, period__lte=period).only(
        "account_id", "holding_id", "kind", "period", "service_id", "amount", "reason",
        "corrects_period", "calculation",
    ):  # fmt: skip
        holding = chosen.get(entry.account_id)
        if entry.holding_id is None or (holding is not None and entry.holding_id == holding.pk):
            entries[entry.account_id].append(entry)

    receipts = []
    for pk in account_ids:
        account = accounts[pk]
        holding = chosen[pk]
        premises = account.premises
        payer = ""
        if with_payer and holding is not None and holding.erased_at is None:
            names = [
                owner.organisation_name or owner.full_name or "" for owner in holding.owners.all()
            ]
            payer = holding.full_name or ", ".join(name for name in names if name)
        address = ", ".join(
            part for part in (premises.building.address, f"№ {premises.number}") if part
        )
        registered = counts.get(premises.pk)
        receipts.append(
            ReceiptData(
                period=period,
                account_number=account.number,
                payer=payer,
                address=address,
                area=premises.area,
                residents=registered if registered is not None else premises.registered_residents,
                association_name=ctx.legal.name,
                association_inn=ctx.legal.inn,
                association_kpp=ctx.profile.kpp or "",
                association_address=ctx.profile.legal_address or "",
                association_phone=ctx.profile.phone or "",
                association_email=ctx.profile.email or "",
                office_hours=ctx.profile.office_hours or "",
                due_date=ctx.due_date,
                sections=_sections(entries[pk], period, ctx),
                meters=tuple(meters.get(premises.pk, ())),
            )
        )
    return receipts


def _sections(entries, period: datetime.date, ctx: MonthContext) -> tuple[RecipientSection, ...]:
    opening = defaultdict(lambda: ZERO)
    paid = defaultdict(lambda: ZERO)
    penalties = defaultdict(lambda: ZERO)
    lines: dict = defaultdict(dict)  # recipient -> service -> dict
    for entry in entries:
        recipient = ctx.recipient_of(entry.service_id)
        if entry.period < period or entry.kind == EntryKind.TRANSFER:
            opening[recipient] += entry.amount
            continue
        if entry.kind == EntryKind.PAYMENT:
            paid[recipient] -= entry.amount
            continue
        if entry.kind == EntryKind.PENALTY:
            penalties[recipient] += entry.amount
            continue
        row = lines[recipient].setdefault(
            entry.service_id,
            {"accrued": ZERO, "benefit": ZERO, "recalc": ZERO, "reasons": [], "calc": None},
        )
        if entry.kind == EntryKind.CHARGE:
            calc = entry.calculation or {}
            benefit = _decimal((calc.get("benefit") or {}).get("amount")) or ZERO
            row["accrued"] += entry.amount + benefit
            row["benefit"] += benefit
            row["calc"] = row["calc"] or calc
        else:  # recalculations booked in the month, whatever month they correct
            row["recalc"] += entry.amount
            reason = entry.reason or ""
            if entry.corrects_period:
                reason = f"{entry.corrects_period:%m.%Y}: {reason}".rstrip(": ")
            if reason:
                row["reasons"].append(reason)
    sections = []
    keys = set(opening) | set(paid) | set(penalties) | set(lines)
    for key in sorted(keys, key=lambda k: (k != ctx.main_id, str(k))):
        recipient = ctx.recipients.get(key)
        if recipient is None:
            continue
        service_lines = []
        for service_id, row in sorted(
            lines[key].items(),
            key=lambda item: (getattr(ctx.services.get(item[0]), "order", 0), str(item[0])),
        ):
            service = ctx.services.get(service_id)
            calc = row["calc"] or {}
            base = calc.get("base") or {}
            service_lines.append(
                ServiceLine(
                    name=service.name if service else "—",
                    unit=(service.unit if service and service.unit else base.get("unit", "")),
                    volume=_decimal(base.get("value")),
                    tariff=_decimal((calc.get("tariff") or {}).get("rate")),
                    accrued=row["accrued"],
                    recalculation=row["recalc"],
                    recalculation_reason="; ".join(row["reasons"]),
                    benefit=row["benefit"],
                )
            )
        sections.append(
            RecipientSection(
                name=recipient.recipient_name or "",
                inn=ctx.legal.inn,
                kpp=ctx.profile.kpp or "",
                account=recipient.account or "",
                bank_name=recipient.bank_name or "",
                bic=recipient.bic or "",
                correspondent_account=recipient.corr_account or "",
                lines=tuple(service_lines),
                opening=opening[key],
                paid=paid[key],
                penalties=penalties[key],
            )
        )
    return tuple(sections)


def batch_accounts(period: datetime.date) -> list:
    """The ids of the accounts with a receipt for ``period``, in print order (building,
    premises number, account), for the association's batch."""
    having = Entry.objects.filter(period=period).values("account_id")
    return list(
        PersonalAccount.objects.filter(pk__in=having)
        .order_by("premises__building__name", "premises__number", "number")
        .values_list("pk", flat=True)
    )


def batches_for(user):
    from tenants.ledger.receipts.models import ReceiptBatch

    if not reads_all(user):
        return ReceiptBatch.objects.none()
    return ReceiptBatch.objects.select_related("file").order_by("-created_at")


def batch_for(user, pk):
    found = batches_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
