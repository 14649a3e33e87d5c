"""Reads of the budget, scoped to the reader: the board and the accountant read every estimate,
members those published (a draft is the board's: for a member it does not exist, a 404).

The execution (plan against fact) is built in a fixed number of queries whatever the number of
lines and months: the lines, the expenditures summed by line and month, the ledger's totals.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils.translation import gettext as _

from core.access.roles import ACCOUNT_READERS, BOARD, has_role
from tenants.budget import arithmetic
from tenants.budget.models import (
    ARTICLE_ORDER,
    PUBLISHED_STATUSES,
    Article,
    Estimate,
    Expenditure,
    Line,
    Status,
    Version,
)

ZERO = arithmetic.ZERO


def reads_all(user) -> bool:
    return has_role(user, *ACCOUNT_READERS)


def edits(user) -> bool:
    return has_role(user, *BOARD)


def estimates_visible_to(user):
    rows = Estimate.objects.all()
    if not reads_all(user):
        rows = rows.filter(status__in=PUBLISHED_STATUSES)
    return rows.order_by("-year")


def estimate_for(user, pk) -> Estimate:
    found = estimates_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def line_for(user, pk) -> Line:
    found = Line.objects.filter(pk=pk, estimate__in=estimates_visible_to(user)).first()
    if found is None:
        raise Http404
    return found


def versions_of(estimate: Estimate) -> list[Version]:
    return list(estimate.versions.select_related("created_by").order_by("number"))


def agenda_of(estimate: Estimate) -> list:
    """The voting engine's questions that carry a version of this estimate as their material
    (``agenda.ESTIMATE``), latest meeting first, with their meetings. One query."""
    from tenants.voting.models import Question

    return list(
        Question.objects.filter(
            material_kind="budget.estimate",
            material_id__in=[str(pk) for pk in estimate.versions.values_list("pk", flat=True)],
        )
        .select_related("meeting")
        .order_by("-meeting__number")
    )


def postable_work_orders(estimate: Estimate, limit: int = 200) -> list:
    """Closed dispatch work orders of the estimate's year with a supplier and a cost, not yet
    posted as an expenditure (newest first), as plain values (number, cost, closed at, the
    supplier's name): no encrypted text is read. One query."""
    from tenants.dispatch.models import Request
    from tenants.dispatch.models import Status as RequestStatus
    from tenants.dispatch.selectors import without_text

    rows = Request.objects.filter(
        status=RequestStatus.CLOSED,
        cost__gt=0,
        supplier__isnull=False,
        closed_at__year=estimate.year,
    ).exclude(pk__in=Expenditure.objects.filter(work_order__isnull=False).values("work_order"))
    return list(
        without_text(rows)
        .order_by("-closed_at")
        .values("pk", "number", "cost", "closed_at", "supplier__name")[:limit]
    )


def draft_members_meetings() -> list:
    """The voting engine's draft members' meetings, newest first (where the estimate may go)."""
    from tenants.voting.models import Meeting, MeetingStatus

    return list(
        Meeting.objects.filter(status=MeetingStatus.DRAFT, kind="members").order_by("-number")
    )


def previous_estimate(estimate: Estimate) -> Estimate | None:
    """Last year's approved estimate (the rates members pay now), if any."""
    return (
        Estimate.objects.filter(
            year__lt=estimate.year, status__in=(Status.APPROVED, Status.APPLIED)
        )
        .order_by("-year")
        .first()
    )


def rates_of(estimate: Estimate, lines=None) -> list[arithmetic.Rate]:
    """The estimate's rates with the change against last year's approved estimate."""
    lines = list(estimate.lines.all()) if lines is None else lines
    last = previous_estimate(estimate)
    last_rates = (
        {r.key: r.rate for r in arithmetic.rates(list(last.lines.all()), arithmetic.bases_of(last))}
        if last is not None
        else {}
    )
    return arithmetic.rates(lines, arithmetic.bases_of(estimate), last_rates)


@dataclass
class Group:
    article: str
    label: str
    lines: list = field(default_factory=list)

    @property
    def planned(self) -> Decimal:
        return sum((line.planned for line in self.lines), ZERO)


def grouped(lines) -> list[Group]:
    """Lines grouped by article, in the articles' order."""
    groups: dict[str, Group] = {}
    for line in sorted(lines, key=lambda ln: (ARTICLE_ORDER.get(ln.article, 99), ln.order)):
        if line.article not in groups:
            groups[line.article] = Group(line.article, str(Article(line.article).label))
        groups[line.article].lines.append(line)
    return list(groups.values())


# -- execution ----------------------------------------------------------------------------------


@dataclass
class LineExecution:
    line: Line
    months: list[Decimal]  # fact by month, 12
    monthly_plan: Decimal

    @property
    def fact(self) -> Decimal:
        return sum(self.months, ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.line.planned - self.fact

    @property
    def over(self) -> bool:
        return self.fact > self.line.planned

    @property
    def percent(self) -> Decimal | None:
        if not self.line.planned:
            return None
        return (self.fact * 100 / self.line.planned).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def quarters(self) -> list[Decimal]:
        return [sum(self.months[q * 3 : q * 3 + 3], ZERO) for q in range(4)]


@dataclass
class Period:
    label: str
    planned: Decimal
    fact: Decimal

    @property
    def over(self) -> bool:
        return self.fact > self.planned


@dataclass
class Execution:
    estimate: Estimate
    lines: list[LineExecution]
    months: list[Period]
    quarters: list[Period]
    income: list  # ledger totals of the estimate's year, by month

    @property
    def planned(self) -> Decimal:
        return sum((row.line.planned for row in self.lines), ZERO)

    @property
    def fact(self) -> Decimal:
        return sum((row.fact for row in self.lines), ZERO)

    @property
    def over_lines(self) -> list[LineExecution]:
        return [row for row in self.lines if row.over]

    @property
    def charged(self) -> Decimal:
        return sum((t.charged for t in self.income), ZERO)

    @property
    def collected(self) -> Decimal:
        return sum((t.paid for t in self.income), ZERO)


def monthly_plan(planned: Decimal) -> Decimal:
    """A line's plan for one month: the year's amount / 12, to kopecks ``ROUND_HALF_UP``."""
    return (planned / 12).quantize(arithmetic.KOPECK, rounding=ROUND_HALF_UP)


def income_of(year: int) -> list:
    """The ledger's charged and collected by month of ``year`` (one query)."""
    from django.db.models import Q

    from tenants.ledger.models import Entry, EntryKind
    from tenants.ledger.selectors import Totals

    rows = (
        Entry.objects.filter(period__year=year)
        .values("period")
        .annotate(
            charged=Sum("amount", filter=Q(kind__in=[EntryKind.CHARGE, EntryKind.RECALCULATION])),
            paid=Sum("amount", filter=Q(kind=EntryKind.PAYMENT)),
        )
        .order_by("period")
    )
    return [Totals(row["period"], row["charged"] or ZERO, -(row["paid"] or ZERO)) for row in rows]


def execution(estimate: Estimate) -> Execution:
    """Plan against fact of every line, month and quarter (three queries)."""
    lines = list(estimate.lines.all())
    sums = (
        Expenditure.objects.filter(line__estimate=estimate)
        .annotate(month=TruncMonth("spent_on"))
        .values("line_id", "month")
        .annotate(total=Sum("amount"))
    )
    facts: dict = {}
    for row in sums:
        month = row["month"]
        index = (month.month if isinstance(month, datetime.date) else 1) - 1
        facts.setdefault(row["line_id"], [ZERO] * 12)[index] += row["total"]
    rows = [
        LineExecution(line, facts.get(line.pk, [ZERO] * 12), monthly_plan(line.planned))
        for line in sorted(lines, key=lambda ln: (ARTICLE_ORDER.get(ln.article, 99), ln.order))
    ]
    plan_month = sum((row.monthly_plan for row in rows), ZERO)
    months = [
        Period(
            datetime.date(estimate.year, m + 1, 1).strftime("%m.%y"),
            plan_month,
            sum((row.months[m] for row in rows), ZERO),
        )
        for m in range(12)
    ]
    quarters = [
        Period(
            _("Q%(n)s") % {"n": q + 1},
            sum((p.planned for p in months[q * 3 : q * 3 + 3]), ZERO),
            sum((p.fact for p in months[q * 3 : q * 3 + 3]), ZERO),
        )
        for q in range(4)
    ]
    return Execution(estimate, rows, months, quarters, income_of(estimate.year))


CHART_WIDTH = 600
CHART_HEIGHT = 160


@dataclass
class Bar:
    x: int
    width: int
    plan_y: int
    plan_h: int
    fact_y: int
    fact_h: int
    label: str
    over: bool


def chart(periods: list[Period]) -> list[Bar]:
    """Bars of plan and fact per month, scaled to the largest (server-rendered SVG)."""
    top = max([p.planned for p in periods] + [p.fact for p in periods] + [Decimal(1)])
    slot = CHART_WIDTH // max(len(periods), 1)
    width = max(slot // 2 - 2, 2)
    bars = []
    for index, p in enumerate(periods):
        plan = int(p.planned / top * CHART_HEIGHT) if p.planned > 0 else 0
        fact = int(p.fact / top * CHART_HEIGHT) if p.fact > 0 else 0
        bars.append(
            Bar(
                x=index * slot,
                width=width,
                plan_y=CHART_HEIGHT - plan,
                plan_h=plan,
                fact_y=CHART_HEIGHT - fact,
                fact_h=fact,
                label=p.label,
                over=p.over,
            )
        )
    return bars


def expenditure_for(user, pk) -> Expenditure:
    found = (
        Expenditure.objects.filter(pk=pk, line__estimate__in=estimates_visible_to(user))
        .select_related("line")
        .first()
        if reads_all(user)
        else None
    )
    if found is None:
        raise Http404
    return found


def expenditures_of(estimate: Estimate, limit: int = 200):
    return list(
        Expenditure.objects.filter(line__estimate=estimate)
        .select_related("line")
        .order_by("-spent_on", "-created_at")[:limit]
    )
