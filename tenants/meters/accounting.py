"""Reads for the accountant and the board (``ACCOUNT_READERS``): who has and has not sent this
period's readings, the flagged readings to review, verifications ending within 30 days or
expired, the norms and coefficients. Views check the role; each read costs a fixed number of
queries whatever the number of rows."""

from __future__ import annotations

import datetime
import io

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Length

from tenants.meters.models import IncreasingCoefficient, Meter, Norm, Reading
from tenants.residents.models import PersonalAccount, Premises

#: How far ahead a verification's end is listed (as the reminders announce it).
VERIFICATION_DAYS = 30


class Status:
    ALL = ""
    MISSING = "missing"
    SENT = "sent"


def submission_table(
    period: datetime.date, *, building=None, status: str = Status.ALL
) -> QuerySet[Premises]:
    """Premises with working meters, each with ``open_meters`` and ``sent_meters`` (meters with
    a current reading in ``period``) and its accounts prefetched; ``status`` keeps those who
    have (``sent``) or have not (``missing``) sent every meter."""
    premises = (
        Premises.objects.select_related("building")
        .annotate(
            open_meters=Count("meters", filter=Q(meters__closed_on__isnull=True), distinct=True),
            sent_meters=Count(
                "meters",
                filter=Q(
                    meters__closed_on__isnull=True,
                    meters__readings__period=period,
                    meters__readings__superseded_at__isnull=True,
                ),
                distinct=True,
            ),
        )
        .filter(open_meters__gt=0)
        .prefetch_related(Prefetch("accounts", queryset=PersonalAccount.objects.order_by("number")))
    )
    if building is not None:
        premises = premises.filter(building=building)
    if status == Status.MISSING:
        premises = premises.filter(sent_meters__lt=F("open_meters"))
    elif status == Status.SENT:
        premises = premises.filter(sent_meters__gte=F("open_meters"))
    return premises.order_by("building__name", "kind", Length("number"), "number")


def submission_workbook(rows, period: datetime.date, labels: dict) -> bytes:
    """The table as an .xlsx file (openpyxl, write-only): building, premises, accounts, meters,
    sent, status. ``labels``: the translated headers and statuses."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=period.strftime("%Y-%m"))
    sheet.append(labels["header"])
    for premises in rows:
        done = premises.sent_meters >= premises.open_meters
        sheet.append(
            [
                premises.building.name,
                f"{premises.get_kind_display()} {premises.number}",
                ", ".join(account.number for account in premises.accounts.all()),
                premises.open_meters,
                premises.sent_meters,
                labels["sent"] if done else labels["missing"],
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def flagged_readings() -> QuerySet[Reading]:
    """Current readings flagged far above the usual and not reviewed yet, oldest period first."""
    return (
        Reading.objects.filter(flagged=True, superseded_at__isnull=True, reviewed_at__isnull=True)
        .select_related("meter__premises__building", "meter__building", "register")
        .order_by("period", "submitted_at")
    )


def verifications(today: datetime.date) -> list[tuple[Meter, datetime.date]]:
    """Working meters whose verification ends within ``VERIFICATION_DAYS`` or has ended, with
    the day, soonest (longest expired) first: one query."""
    ahead = today + datetime.timedelta(days=VERIFICATION_DAYS)
    meters = Meter.objects.filter(
        closed_on__isnull=True,
        verified_on__isnull=False,
        verification_interval_years__isnull=False,
    ).select_related("premises__building", "building")
    found = []
    for meter in meters:
        due = meter.verification_due_on
        if due is not None and due <= ahead:
            found.append((meter, due))
    found.sort(key=lambda pair: (pair[1], str(pair[0].pk)))
    return found


def norms() -> list[Norm]:
    return list(Norm.objects.order_by("kind", "-valid_from"))


def coefficients() -> list[IncreasingCoefficient]:
    return list(IncreasingCoefficient.objects.order_by("kind", "-valid_from"))
