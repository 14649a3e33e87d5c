"""Billing volumes: what the ledger bills per register and period (Правила 354 пп. 59, 60, 61).

One selector, ``billing_volumes(period)``, answers for every register working in a period:

* **actual** (``Method.ACTUAL``): the register has a current reading in the period, taken while
  the meter's verification was valid. Its consumption counts from the previous reading, so
  after periods billed by an estimate it covers them too: the estimates billed then come back
  as a negative **adjustment** with its basis (the recalculation of п. 61, in the period the
  reading arrived — a late reading counts in the next period anyway, п. 31 «е(1)»).
* **average** (``Method.AVERAGE``): no valid reading (п. 59 «б»: not submitted; п. 59 «а»: the
  meter failed, its verification expired, п. 81(12)): the average monthly consumption over at
  least 6 months of readings before the gap, or over the meter's actual working period if
  shorter but at least 3 months (п. 59), for at most 3 consecutive periods, 2 for
  non-residential premises (п. 59 «а», «б»).
* **norm** (``Method.NORM``): after those periods, or without 3 months of history, the norm in
  force on the period's first day (``Norm``) times the registered residents (or the owners when
  nobody is registered, п. 56(2)) or the area (п. 42); for a failed or expired meter after the
  average periods, times the increasing coefficient in force then (п. 60: 1.5, 3 for cold water
  from 6 December 2025 by ПП РФ № 1871; ``IncreasingCoefficient``). A multi-register meter's
  norm is billed on its first register (the rest are 0).
* **none**: the meter did not work in the period, or no norm is set (common-house meters have
  none: the ledger shares their volume out as ОДН).

Everything is computed from readings of closed periods, norms and coefficients (all dated), so
the ledger reading a period again gets the same figures. Nothing here posts money. A fixed
number of queries for any number of meters.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tenants.meters import periods
from tenants.meters.models import (
    IncreasingCoefficient,
    Meter,
    Norm,
    NormBasis,
    Reading,
    Register,
)
from tenants.meters.selectors import own_premises, reads_all
from tenants.residents import selectors as residents
from tenants.residents.models import Ownership, PremisesKind

#: Estimated periods billed by the average before the norm (п. 59 «а», «б»).
AVERAGE_PERIODS = 3
AVERAGE_PERIODS_NON_RESIDENTIAL = 2
#: The history the average is taken over (п. 59): at least 6 months, else the meter's working
#: period if at least 3.
AVERAGE_MONTHS = 6
AVERAGE_MIN_MONTHS = 3
QUANTUM = Decimal("0.0001")


class Method:
    ACTUAL = "actual"
    AVERAGE = "average"
    NORM = "norm"
    NONE = "none"


class Reason:
    """Why a period was estimated."""

    MISSING = "missing"  # no reading (п. 59 «б»)
    FAILED = "failed"  # verification expired or the meter failed (п. 59 «а», п. 81(12))


@dataclass(frozen=True)
class BillingVolume:
    register_id: uuid.UUID
    meter_id: uuid.UUID
    period: datetime.date
    method: str
    volume: Decimal | None
    reason: str = ""
    #: Average: the months averaged. Norm: the norm, the quantity it is multiplied by (residents
    #: or m²) and the coefficient (1 when none applies).
    months: int | None = None
    norm: Decimal | None = None
    quantity: Decimal | None = None
    coefficient: Decimal | None = None
    #: Recalculation of earlier estimated periods (negative: what they billed), with the periods.
    adjustment: Decimal = Decimal(0)
    adjusted_periods: tuple[datetime.date, ...] = ()

    @property
    def basis(self) -> str:
        """What the bill says about the volume, in the active language."""
        if self.method == Method.ACTUAL:
            return _("by the meter's reading")
        if self.method == Method.AVERAGE:
            return _("average of %(months)d months") % {"months": self.months}
        if self.method == Method.NORM:
            text = _("norm %(norm)s × %(quantity)s") % {
                "norm": _plain(self.norm),
                "quantity": _plain(self.quantity),
            }
            if self.coefficient and self.coefficient != 1:
                text += " " + _("× increasing coefficient %(coefficient)s") % {
                    "coefficient": _plain(self.coefficient)
                }
            return text
        return _("not billed by this meter")

    @property
    def adjustment_basis(self) -> str:
        if not self.adjusted_periods:
            return ""
        return _(
            "recalculation for %(first)s – %(last)s: billed by average or norm, now by the "
            "meter's reading"
        ) % {
            "first": date_format(self.adjusted_periods[0], "F Y"),
            "last": date_format(self.adjusted_periods[-1], "F Y"),
        }


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _months(start: datetime.date, end: datetime.date) -> int:
    """Whole months from the period ``start`` to the period ``end``."""
    return (end.year - start.year) * 12 + end.month - start.month


def _last_day(period: datetime.date) -> datetime.date:
    return periods.next_month(period) - datetime.timedelta(days=1)


def _in_force(rows: list, period: datetime.date):
    """The row of ``rows`` (newest ``valid_from`` first) in force on ``period``'s first day."""
    for row in rows:
        if row.valid_from <= period:
            return row
    return None


@dataclass(frozen=True)
class _Read:
    period: datetime.date
    consumption: Decimal
    taken_on: datetime.date


@dataclass
class _Context:
    norms: dict
    coefficients: dict
    owners: dict


def _valid(reads: list[_Read], meter: Meter) -> list[_Read]:
    """Readings that count: taken before the verification expired (п. 81(12))."""
    due = meter.verification_due_on
    return [r for r in reads if due is None or r.taken_on < due]


def _average(valid: list[_Read], meter: Meter, before: datetime.date):
    """(average, months) over at least 6 months of readings before the period ``before``, or
    the working period if shorter but at least 3 months (п. 59); None without 3 months."""
    earlier = [r for r in valid if r.period < before]
    if not earlier:
        return None
    last = earlier[-1].period
    start = periods.month_of(meter.installed_on)
    window_start = last.replace(day=1)
    for _step in range(AVERAGE_MONTHS):
        window_start = periods.previous_month(window_start)
    bases = [r for r in earlier if r.period <= window_start]
    if bases:
        base = bases[-1].period
        months = _months(base, last)
        counted = [r for r in earlier if base < r.period <= last]
    else:
        months = _months(start, last) + 1
        counted = [r for r in earlier if r.period <= last]
    if months < AVERAGE_MIN_MONTHS:
        return None
    total = sum((r.consumption for r in counted), Decimal(0))
    return (total / months).quantize(QUANTUM, rounding=ROUND_HALF_UP), months


def _estimate(register: Register, meter: Meter, valid: list[_Read], period, ctx: _Context):
    due = meter.verification_due_on
    failed = due is not None and due <= _last_day(period)
    reason = Reason.FAILED if failed else Reason.MISSING
    earlier = [r for r in valid if r.period < period]
    run_start = (
        periods.next_month(earlier[-1].period) if earlier else periods.month_of(meter.installed_on)
    )
    position = _months(run_start, period) + 1
    premises = meter.premises
    limit = (
        AVERAGE_PERIODS_NON_RESIDENTIAL
        if premises is not None and premises.kind == PremisesKind.NON_RESIDENTIAL
        else AVERAGE_PERIODS
    )
    base = dict(register_id=register.pk, meter_id=meter.pk, period=period, reason=reason)
    if position <= limit:
        found = _average(valid, meter, period)
        if found is not None:
            volume, months = found
            return BillingVolume(method=Method.AVERAGE, volume=volume, months=months, **base)
    norm = _in_force(ctx.norms.get(meter.kind, []), period)
    if premises is None or norm is None:
        return BillingVolume(method=Method.NONE, volume=None, **base)
    if norm.basis == NormBasis.PER_M2:
        quantity = premises.area or Decimal(0)
    else:
        quantity = Decimal(premises.registered_residents or ctx.owners.get(premises.pk, 0) or 1)
    coefficient = Decimal(1)
    if failed and position > limit:
        row = _in_force(ctx.coefficients.get(meter.kind, []), period)
        coefficient = row.value if row else Decimal(1)
    volume = norm.value * quantity * coefficient if register.position == 0 else Decimal(0)
    return BillingVolume(
        method=Method.NORM,
        volume=volume.quantize(QUANTUM, rounding=ROUND_HALF_UP),
        norm=norm.value,
        quantity=quantity,
        coefficient=coefficient,
        **base,
    )


def volume_of(register: Register, meter: Meter, reads: list[_Read], period, ctx) -> BillingVolume:
    """The billing volume of one register in ``period`` from its current readings (oldest
    first): pure, the rule itself."""
    base = dict(register_id=register.pk, meter_id=meter.pk, period=period)
    if meter.installed_on > _last_day(period) or (
        meter.closed_on is not None and periods.month_of(meter.closed_on) < period
    ):
        return BillingVolume(method=Method.NONE, volume=None, **base)
    valid = _valid(reads, meter)
    own = next((r for r in valid if r.period == period), None)
    if own is None:
        return _estimate(register, meter, valid, period, ctx)
    earlier = [r for r in valid if r.period < period]
    gap_start = (
        periods.next_month(earlier[-1].period) if earlier else periods.month_of(meter.installed_on)
    )
    gap = []
    cursor = gap_start
    while cursor < period:
        gap.append(cursor)
        cursor = periods.next_month(cursor)
    billed = Decimal(0)
    for missed in gap:
        estimate = _estimate(register, meter, valid, missed, ctx)
        billed += estimate.volume or Decimal(0)
    return BillingVolume(
        method=Method.ACTUAL,
        volume=own.consumption,
        adjustment=-billed,
        adjusted_periods=tuple(gap) if billed else (),
        **base,
    )


def _meters_in(period: datetime.date, meters: QuerySet[Meter] | None) -> list[Meter]:
    meters = Meter.objects.all() if meters is None else meters
    return list(
        meters.filter(installed_on__lte=_last_day(period))
        .exclude(closed_on__lt=period)
        .select_related("premises")
        .prefetch_related(Prefetch("registers", queryset=Register.objects.order_by("position")))
        .order_by("pk")
    )


def _context(period: datetime.date, premises_ids) -> _Context:
    norms: dict = defaultdict(list)
    for row in Norm.objects.filter(valid_from__lte=period).order_by("kind", "-valid_from"):
        norms[row.kind].append(row)
    coefficients: dict = defaultdict(list)
    for row in IncreasingCoefficient.objects.filter(valid_from__lte=period).order_by(
        "kind", "-valid_from"
    ):
        coefficients[row.kind].append(row)
    owners = dict(
        Ownership.objects.filter(residents.current(on=period), premises_id__in=list(premises_ids))
        .values("premises_id")
        .annotate(owners=Count("owner_id", distinct=True))
        .values_list("premises_id", "owners")
    )
    return _Context(norms=norms, coefficients=coefficients, owners=owners)


def billing_volumes(
    period: datetime.date, *, reader=None, meters: QuerySet[Meter] | None = None
) -> list[BillingVolume]:
    """The billing volume of every register working in ``period`` (a month's first day), in
    meter then register order. ``reader``: a person (a member sees only their premises'
    meters, the board and the accountant all); None for the ledger itself. ``meters``: limit to
    these. Five queries whatever the number of meters."""
    period = periods.month_of(period)
    if reader is not None and not reads_all(reader):
        base = Meter.objects.filter(premises__in=own_premises(reader))
        meters = base if meters is None else meters.filter(pk__in=base.values("pk"))
    found = _meters_in(period, meters)
    registers = [r for m in found for r in m.registers.all()]
    reads: dict = defaultdict(list)
    if registers:
        rows = (
            Reading.objects.filter(
                register_id__in=[r.pk for r in registers],
                superseded_at__isnull=True,
                period__lte=period,
                consumption__isnull=False,
            )
            .order_by("register_id", "period")
            .values_list("register_id", "period", "consumption", "taken_on")
        )
        for register_id, row_period, consumption, taken_on in rows:
            reads[register_id].append(_Read(row_period, consumption, taken_on))
    ctx = _context(period, {m.premises_id for m in found if m.premises_id})
    return [
        volume_of(register, meter, reads[register.pk], period, ctx)
        for meter in found
        for register in meter.registers.all()
    ]


def billing_volume(register: Register, period: datetime.date) -> BillingVolume:
    """One register's volume (the same rule; for a page or a test)."""
    found = billing_volumes(period, meters=Meter.objects.filter(pk=register.meter_id))
    return next(
        (v for v in found if v.register_id == register.pk),
        BillingVolume(
            register_id=register.pk,
            meter_id=register.meter_id,
            period=periods.month_of(period),
            method=Method.NONE,
            volume=None,
        ),
    )
