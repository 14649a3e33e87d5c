"""Reads of meters and readings, each scoped to the reader.

Who sees what (the same on pages and in the API):

* the board and the accountant (``ACCOUNT_READERS``) see every meter and reading; the board
  (``BOARD``) also keeps them (adds, edits, replaces, closes meters, enters readings);
* an owner or a resident sees the meters of the premises they own or live in today (the
  registry's rules: a current ownership linked to their login, or a current residency), and
  submits their readings; common-house meters are the board's;
* anyone else sees none; a meter outside the reader's scope is a 404.

Pages read in a constant number of queries whatever the number of meters: registers are
prefetched, the readings a page shows come in one query.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Length
from django.http import Http404

from core.access.roles import ACCOUNT_READERS, BOARD, MEMBER_ROLES, has_role
from core.crypto.fields import prefetch_keys
from tenants.meters import periods
from tenants.meters.models import Meter, Reading, Register
from tenants.residents import selectors as residents
from tenants.residents.models import Building, Holding, Ownership, Premises, Residency


def reads_all(user) -> bool:
    return has_role(user, *ACCOUNT_READERS)


def keeps_meters(user) -> bool:
    return has_role(user, *BOARD)


def own_premises(user) -> QuerySet[Premises]:
    """The premises a person owns (a current share linked to their login) or lives in today,
    whatever other roles they hold."""
    if not has_role(user, *MEMBER_ROLES):
        return Premises.objects.none()
    owned = Ownership.objects.filter(residents.current(), owner__user=user).values("premises_id")
    lived = Residency.objects.filter(residents.current(), user=user).values("premises_id")
    return Premises.objects.filter(Q(pk__in=owned) | Q(pk__in=lived))


def _with_registers(meters: QuerySet[Meter]) -> QuerySet[Meter]:
    return meters.select_related("premises__building", "building").prefetch_related(
        Prefetch("registers", queryset=Register.objects.order_by("position"))
    )


def meters_visible_to(user) -> QuerySet[Meter]:
    if reads_all(user):
        return Meter.objects.all()
    return Meter.objects.filter(premises__in=own_premises(user))


def meter_for(user, pk) -> Meter:
    meter = _with_registers(meters_visible_to(user)).filter(pk=pk).first()
    if meter is None:
        raise Http404
    return meter


def registers_visible_to(user) -> QuerySet[Register]:
    return Register.objects.filter(meter__in=meters_visible_to(user)).select_related("meter")


def home_meters(user) -> QuerySet[Meter]:
    """The working meters of the reader's own premises (the submission page's)."""
    return _with_registers(
        Meter.objects.filter(premises__in=own_premises(user), closed_on__isnull=True)
    ).order_by("premises__building__name", Length("premises__number"), "premises__number", "kind")


def photo_visible_to(user, stored_file) -> bool:
    """A member reads the photos sent with readings of their own premises' meters."""
    mine = Reading.objects.filter(photo=stored_file, meter__premises__in=own_premises(user))
    return mine.exists()


def holding_id_of(premises_id):
    """The current holding of the premises' first account (a photo is its holder's data), or
    None (a common-house meter, or premises without an account)."""
    if premises_id is None:
        return None
    return (
        Holding.objects.filter(account__premises_id=premises_id, ended_on__isnull=True)
        .order_by("account__number")
        .values_list("pk", flat=True)
        .first()
    )


# -- the submission page ------------------------------------------------------------------------


@dataclass
class RegisterRow:
    register: Register
    #: The figure the current period's consumption counts from (last period's, or initial).
    previous: Decimal
    previous_period: datetime.date | None
    #: This period's current reading, if sent.
    current: Reading | None = None

    @property
    def field_name(self) -> str:
        return f"r-{self.register.pk}"


@dataclass
class MeterRow:
    meter: Meter
    registers: list[RegisterRow] = field(default_factory=list)

    @property
    def submitted(self) -> bool:
        return all(row.current is not None for row in self.registers)

    @property
    def photo_field(self) -> str:
        return f"photo-{self.meter.pk}"


def submission_rows(meters, period: datetime.date) -> list[MeterRow]:
    """Each meter with, per register, last period's figure and this period's reading: two
    queries for any number of meters (``meters`` come with their registers prefetched)."""
    meters = list(meters)
    registers = [r for m in meters for r in m.registers.all()]
    previous: dict = {}
    current: dict = {}
    ids = [r.pk for r in registers]
    if ids:
        rows = (
            Reading.objects.filter(
                register_id__in=ids, superseded_at__isnull=True, period__lte=period
            )
            .order_by("register_id", "-period")
            .values_list("register_id", "period", "value", "id", "consumption", "flagged", "source")
        )
        for register_id, row_period, value, pk, consumption, flagged, source in rows:
            if row_period == period:
                current.setdefault(
                    register_id,
                    Reading(
                        pk=pk,
                        period=row_period,
                        value=value,
                        consumption=consumption,
                        flagged=flagged,
                        source=source,
                    ),
                )
            elif register_id not in previous:
                previous[register_id] = (row_period, value)
    result = []
    for meter in meters:
        row = MeterRow(meter=meter)
        for register in meter.registers.all():
            found = previous.get(register.pk)
            row.registers.append(
                RegisterRow(
                    register=register,
                    previous=found[1] if found else register.initial_value,
                    previous_period=found[0] if found else None,
                    current=current.get(register.pk),
                )
            )
        result.append(row)
    return result


# -- history ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartBar:
    period: datetime.date
    value: Decimal
    x: float
    y: float
    width: float
    height: float


def meter_history(meter: Meter) -> list[Reading]:
    """Every reading of the meter, corrections included, newest first."""
    readings = list(
        Reading.objects.filter(meter=meter)
        .select_related("register", "entered_by")
        .order_by("-period", "register__position", "-submitted_at")
    )
    prefetch_keys([r.entered_by for r in readings if r.entered_by is not None])
    return readings


def consumption_by_period(readings: list[Reading], months: int = 12) -> list[tuple]:
    """The meter's consumption per period (current readings, every register summed), the last
    ``months`` periods, oldest first."""
    totals: dict = defaultdict(Decimal)
    for reading in readings:
        if reading.superseded_at is None and reading.consumption is not None:
            totals[reading.period] += reading.consumption
    return sorted(totals.items())[-months:]


def chart(series: list[tuple], *, width: int = 320, height: int = 140) -> list[ChartBar]:
    """Bars of an inline SVG (drawn by the template), scaled to the largest value."""
    if not series:
        return []
    top = max((value for _period, value in series), default=Decimal(0)) or Decimal(1)
    slot = width / len(series)
    bars = []
    for index, (period, value) in enumerate(series):
        bar_height = float(value / top) * (height - 20)
        bars.append(
            ChartBar(
                period=period,
                value=value,
                x=round(index * slot + slot * 0.15, 2),
                y=round(height - 16 - bar_height, 2),
                width=round(slot * 0.7, 2),
                height=round(bar_height, 2),
            )
        )
    return bars


# -- the board's list ---------------------------------------------------------------------------


def premises_with_meters(*, building=None, search: str = "") -> QuerySet[Premises]:
    """Premises with their count of working meters (the board's list)."""
    premises = Premises.objects.select_related("building").annotate(
        open_meters=Count("meters", filter=Q(meters__closed_on__isnull=True))
    )
    if building is not None:
        premises = premises.filter(building=building)
    if search:
        premises = premises.filter(number__iexact=search.strip())
    return premises.order_by("building__name", "kind", Length("number"), "number")


def buildings_with_common_meters() -> QuerySet[Building]:
    return Building.objects.annotate(
        open_meters=Count("common_meters", filter=Q(common_meters__closed_on__isnull=True))
    ).order_by("name")


def submitted_meter_ids(meter_ids, period: datetime.date) -> set:
    """Which of the meters have a current reading in ``period`` (one query)."""
    return set(
        Reading.objects.filter(
            meter_id__in=list(meter_ids), period=period, superseded_at__isnull=True
        ).values_list("meter_id", flat=True)
    )


def submitted_counts(premises_ids, period: datetime.date) -> dict:
    """Premises id → how many of its meters have a current reading in ``period`` (one query)."""
    rows = (
        Reading.objects.filter(
            meter__premises_id__in=list(premises_ids), period=period, superseded_at__isnull=True
        )
        .values("meter__premises_id")
        .annotate(meters=Count("meter_id", distinct=True))
        .values_list("meter__premises_id", "meters")
    )
    return dict(rows)


def premises_for_board(user, pk) -> Premises:
    if not reads_all(user):
        raise Http404
    found = Premises.objects.select_related("building").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def building_for_board(user, pk) -> Building:
    if not reads_all(user):
        raise Http404
    found = Building.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def meters_of(*, premises=None, building=None) -> QuerySet[Meter]:
    """A premises' (or a building's common-house) meters, working ones first, then history."""
    meters = (
        Meter.objects.filter(premises=premises)
        if premises
        else Meter.objects.filter(building=building)
    )
    return _with_registers(meters).order_by("closed_on", "kind", "installed_on")


def current_window():
    return periods.current_window()
