"""The reconciliation statement (акт сверки взаимных расчётов) of a personal account for any
months: the debt at the start, what was charged and paid month by month, penalties and
recalculations, and the debt at the end, as the association and the payer both sign it.

Not to be confused with a bank statement (``payments.BankStatement``, money that came in) or a
member's application (the letters app). Read through the same ``AccountAccess`` as the account
page, so a former holder's statement covers their own tenure only, and a resident's names no
owner. Rendered in Russian whatever the reader's language: it is a document to sign and file.

A fixed number of queries whatever the number of months and entries (two, plus the profile).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from tenants.ledger.models import EntryKind
from tenants.ledger.money import ZERO, last_day, month_of
from tenants.ledger.selectors import AccountAccess

#: The longest statement one request builds (a decade of months).
MAX_MONTHS = 120
MONTHS_RU = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip


@dataclass
class Line:
    day: datetime.date
    text: str
    charged: Decimal = ZERO
    paid: Decimal = ZERO


@dataclass
class ReconciliationStatement:
    account_number: str
    address: str
    first: datetime.date  # first month
    last: datetime.date  # last month
    opening: Decimal
    lines: list[Line] = field(default_factory=list)
    association_name: str = ""
    association_inn: str = ""

    @property
    def charged(self) -> Decimal:
        return sum((line.charged for line in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.charged - self.paid

    @property
    def until(self) -> datetime.date:
        return last_day(self.last)


def parse_month(text: str, *, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{(text or '').strip()}-01")
    except ValueError:
        raise ValidationError(
            _("%(label)s: choose a month (for example 2026-01).") % {"label": label}
        ) from None


def months_between(first_text: str, last_text: str) -> tuple[datetime.date, datetime.date]:
    """The statement's months from the form's text, or a refusal that says what is wrong."""
    first = parse_month(first_text, label=_("From"))
    last = parse_month(last_text, label=_("To"))
    if first > last:
        raise ValidationError(_("The first month is after the last one."))
    if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        raise ValidationError(
            _("A statement covers at most %(count)s months: choose a shorter period.")
            % {"count": MAX_MONTHS}
        )
    return first, last


def _month_ru(month: datetime.date) -> str:
    return f"{MONTHS_RU[month.month - 1]} {month.year}"


def build(access: AccountAccess, first: datetime.date, last: datetime.date):
    """The statement of ``access``'s account (and holdings) for ``first``–``last`` months."""
    from tenants.profile import selectors as profile

    first, last = month_of(first), month_of(last)
    entries = access.entries()
    opening = entries.filter(period__lt=first).aggregate(total=Sum("amount"))["total"] or ZERO
    charged_by_month: dict = {}
    lines: list[Line] = []
    rows = (
        entries.filter(period__gte=first, period__lte=last)
        .select_related("service")
        .order_by("period", "booked_on", "id")
    )
    for entry in rows:
        if entry.kind == EntryKind.CHARGE:
            line = charged_by_month.get(entry.period)
            if line is None:
                line = Line(last_day(entry.period), f"Начислено за {_month_ru(entry.period)}")
                charged_by_month[entry.period] = line
                lines.append(line)
            line.charged += entry.amount
        elif entry.kind == EntryKind.PAYMENT:
            lines.append(Line(entry.booked_on, "Оплата", paid=-entry.amount))
        elif entry.kind == EntryKind.PENALTY:
            lines.append(Line(entry.booked_on, "Пени (ЖК РФ ст. 155 ч. 14)", charged=entry.amount))
        else:
            what = "Перерасчёт" if entry.kind == EntryKind.RECALCULATION else "Перевод долга"
            if entry.corrects_period:
                what += f" за {_month_ru(entry.corrects_period)}"
            if entry.service_id:
                what += f" ({entry.service.name})"
            if entry.amount >= 0:
                lines.append(Line(entry.booked_on, what, charged=entry.amount))
            else:
                lines.append(Line(entry.booked_on, what, paid=-entry.amount))
    lines.sort(key=lambda line: line.day)
    legal = profile.legal()
    account = access.account
    premises = account.premises
    address = ""
    if premises is not None:
        building = premises.building
        address = (
            f"{building.address or building.name}, {premises.get_kind_display()} {premises.number}"
        )
    return ReconciliationStatement(
        account_number=account.number,
        address=address,
        first=first,
        last=last,
        opening=opening,
        lines=lines,
        association_name=legal.name,
        association_inn=legal.inn,
    )


def render_pdf(statement: ReconciliationStatement) -> bytes:
    from weasyprint import HTML

    from tenants.ledger.receipts.render import money

    with translation.override("ru"):
        html = render_to_string(
            "ledger/reconciliation.html",
            {
                "s": statement,
                "first": _month_ru(statement.first),
                "last": _month_ru(statement.last),
                "rows": [
                    (line.day, line.text, money(line.charged) if line.charged else "",
                     money(line.paid) if line.paid else "")
                    for line in statement.lines
                ],
                "opening": money(abs(statement.opening)),
                "opening_debt": statement.opening >= 0,
                "charged": money(statement.charged),
                "paid": money(statement.paid),
                "closing": money(abs(statement.closing)),
                "closing_debt": statement.closing >= 0,
            },
        )  # fmt: skip
    return HTML(string=html, base_url=None).write_pdf()


def workbook(statement: ReconciliationStatement) -> bytes:
    """The same statement as an .xlsx (amounts as numbers, dates as dates)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Акт сверки")
    sheet.append([f"Акт сверки по лицевому счёту № {statement.account_number}"])
    sheet.append([statement.address])
    sheet.append([f"{_month_ru(statement.first)} — {_month_ru(statement.last)}"])
    sheet.append([])
    sheet.append(["Дата", "Операция", "Начислено, руб.", "Оплачено, руб."])
    sheet.append(
        [statement.first, "Сальдо на начало (долг + / переплата −)", float(statement.opening), None]
    )
    for line in statement.lines:
        sheet.append(
            [
                line.day,
                line.text,
                float(line.charged) if line.charged else None,
                float(line.paid) if line.paid else None,
            ]
        )
    sheet.append([None, "Обороты за период", float(statement.charged), float(statement.paid)])
    sheet.append(
        [statement.until, "Сальдо на конец (долг + / переплата −)", float(statement.closing), None]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
