"""The desk's figures: a supplier's scorecard over a period and the board's analytics.

Counted over the requests the work is tracked on (a member's own request, or the collective
one duplicates were merged into; merged ones are counted in their collective), by the day they
were filed in the association's time zone:

* **time to done**: from filing to the work being done (``done_at``), the median in hours;
* **overdue**: done after the deadline, or still open past it;
* **reopened**: reopened at least once by the member (or the desk);
* **rating**: the members' ratings (on a collective request, each member's own);
* **cost**: the sum of costs entered.

Each figure is one aggregate query, whatever the number of requests.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    Func,
    Q,
    Sum,
)
from django.db.models.aggregates import Aggregate
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tenants.dispatch import sla
from tenants.dispatch.models import OPEN_STATUSES, Category, Request, Status


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _hours_to_done():
    return Func(
        F("done_at") - F("filed_at"),
        template="EXTRACT(EPOCH FROM %(expressions)s) / 3600.0",
        output_field=FloatField(),
    )


def _overdue_q(now) -> Q:
    return Q(due_at__isnull=False) & (
        Q(done_at__gt=F("due_at")) | Q(status__in=OPEN_STATUSES, due_at__lt=now)
    )


def _period_bounds(since: datetime.date | None, until: datetime.date | None):
    zone = sla.association_zone()
    start = datetime.datetime.combine(since, datetime.time(0), tzinfo=zone) if since else None
    end = (
        datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone)
        if until
        else None
    )
    return start, end


def worked(since=None, until=None):
    """The requests the work is tracked on, filed in the period (``until`` inclusive)."""
    rows = Request.objects.exclude(status=Status.MERGED)
    start, end = _period_bounds(since, until)
    if start:
        rows = rows.filter(filed_at__gte=start)
    if end:
        rows = rows.filter(filed_at__lt=end)
    return rows


def _figures(now):
    return {
        "requests": Count("pk"),
        "done": Count("pk", filter=Q(done_at__isnull=False)),
        "median_hours": Median(_hours_to_done(), filter=Q(done_at__isnull=False)),
        "with_due": Count("pk", filter=Q(due_at__isnull=False)),
        "overdue": Count("pk", filter=_overdue_q(now)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
        "cost": Sum("cost"),
    }


@dataclass(frozen=True)
class Scorecard:
    requests: int
    done: int
    median_hours: float | None
    overdue: int
    overdue_share: float | None
    reopen_rate: float | None
    rating: float | None
    ratings: int
    cost: Decimal


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def scorecard(supplier, *, since=None, until=None, now=None) -> Scorecard:
    """How a supplier worked on the requests assigned to them, filed in the period (two
    queries)."""
    now = now or timezone.now()
    rows = worked(since, until).filter(supplier=supplier)
    figures = rows.aggregate(**_figures(now))
    start, end = _period_bounds(since, until)
    rated = Request.objects.filter(
        Q(supplier=supplier, is_collective=False) | Q(collective__supplier=supplier),
        rating__isnull=False,
    )
    if start:
        rated = rated.filter(Q(filed_at__gte=start))
    if end:
        rated = rated.filter(Q(filed_at__lt=end))
    ratings = rated.aggregate(avg=Avg("rating"), count=Count("pk"))
    return Scorecard(
        requests=figures["requests"],
        done=figures["done"],
        median_hours=figures["median_hours"],
        overdue=figures["overdue"],
        overdue_share=_share(figures["overdue"], figures["with_due"]),
        reopen_rate=_share(figures["reopened"], figures["requests"]),
        rating=ratings["avg"],
        ratings=ratings["count"],
        cost=figures["cost"] or Decimal("0"),
    )


@dataclass(frozen=True)
class Line:
    key: object
    label: str
    requests: int
    done: int
    median_hours: float | None
    overdue: int
    cost: Decimal


def _lines(rows, key: str, labels: dict, now) -> list[Line]:
    result = []
    for row in rows.values(key).annotate(**_figures(now)).order_by(key):
        value = row[key]
        result.append(
            Line(
                key=value,
                label=labels.get(value, labels.get(str(value), "—")),
                requests=row["requests"],
                done=row["done"],
                median_hours=row["median_hours"],
                overdue=row["overdue"],
                cost=row["cost"] or Decimal("0"),
            )
        )
    return result


@dataclass(frozen=True)
class Bar:
    label: str
    title: str
    value: int
    overdue: int
    x: float
    y: float
    width: float
    height: float
    overdue_y: float
    overdue_height: float


CHART_WIDTH = 600
CHART_HEIGHT = 180


def chart(months: list[Line]) -> list[Bar]:
    """Bars of requests per month (overdue ones darker at the bottom), scaled to the largest."""
    if not months:
        return []
    top = max(line.requests for line in months) or 1
    slot = CHART_WIDTH / len(months)
    usable = CHART_HEIGHT - 24
    bars = []
    for index, line in enumerate(months):
        height = line.requests / top * usable
        overdue_height = line.overdue / top * usable
        bars.append(
            Bar(
                label=line.key.strftime("%m.%y"),
                title=line.label,
                value=line.requests,
                overdue=line.overdue,
                x=round(index * slot + slot * 0.15, 2),
                y=round(CHART_HEIGHT - 18 - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
                overdue_y=round(CHART_HEIGHT - 18 - overdue_height, 2),
                overdue_height=round(overdue_height, 2),
            )
        )
    return bars


@dataclass(frozen=True)
class Analytics:
    total: Line
    by_category: list[Line]
    by_building: list[Line]
    by_month: list[Line]
    bars: list[Bar]


def analytics(*, since=None, until=None, now=None) -> Analytics:
    """The board's figures over the period: in total, by category, building and month (four
    aggregate queries and the buildings' names)."""
    from django.utils.formats import date_format

    from tenants.residents.models import Building

    now = now or timezone.now()
    rows = worked(since, until)
    total = rows.aggregate(**_figures(now))
    building_names = {b.pk: b.name for b in Building.objects.only("id", "name")}
    by_month_rows = rows.annotate(month=TruncMonth("filed_at", tzinfo=sla.association_zone()))
    months = []
    for row in by_month_rows.values("month").annotate(**_figures(now)).order_by("month"):
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        months.append(
            Line(
                key=month,
                label=date_format(month, "F Y"),
                requests=row["requests"],
                done=row["done"],
                median_hours=row["median_hours"],
                overdue=row["overdue"],
                cost=row["cost"] or Decimal("0"),
            )
        )
    return Analytics(
        total=Line(
            key=None,
            label="",
            requests=total["requests"],
            done=total["done"],
            median_hours=total["median_hours"],
            overdue=total["overdue"],
            cost=total["cost"] or Decimal("0"),
        ),
        by_category=_lines(rows, "category", dict(Category.choices), now),
        by_building=_lines(rows, "building_id", building_names, now),
        by_month=months,
        bars=chart(months[-12:]),
    )
