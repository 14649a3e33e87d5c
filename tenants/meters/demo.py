"""The demo association's meters: the demo owner's flat 15 of «Дом 1» (cold and hot water, a
two-zone electricity meter, gas), cold and hot water in the other flats of «Дом 1», a
common-house heat meter per building, and twelve months of readings before the open period
(the ledger's demo year).

Each meter is installed (and verified) on the first day of the history, so its readings leave
no unbilled gap: a meter "installed" years before its first reading would have its missing
months billed by the norm and recalculated at once (Правила 354 п. 61), which is right for a
real meter but not what a demo should open with.

Deterministic, made once (skipped when any meter exists). Past periods are closed to the
services, so their readings are written directly, as the history the services would have kept.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tenants.meters import periods
from tenants.meters.models import (
    TARIFF_REGISTERS,
    Meter,
    MeterKind,
    Reading,
    ReadingSource,
    Register,
    Tariff,
)
from tenants.residents.models import Building, Premises

MONTHS = 12
#: Monthly consumption by register code and kind (before a small per-flat variation).
USAGE = {
    (MeterKind.COLD_WATER, "total"): Decimal("4.2"),
    (MeterKind.HOT_WATER, "total"): Decimal("2.6"),
    (MeterKind.GAS, "total"): Decimal("9.5"),
    (MeterKind.ELECTRICITY, "day"): Decimal("118"),
    (MeterKind.ELECTRICITY, "night"): Decimal("64"),
    (MeterKind.HEAT, "total"): Decimal("38.5"),
}


def _meter(
    n,
    *,
    kind,
    tariff=Tariff.SINGLE,
    premises=None,
    building=None,
    place="",
    digits=5,
    decimals=3,
    start=Decimal("120"),
    installed_on: datetime.date,
):
    meter = Meter.objects.create(
        premises=premises,
        building=building,
        kind=kind,
        tariff=tariff,
        serial_number=f"DEMO-{kind[:2].upper()}-{n:05d}",
        place=place,
        digits=digits,
        decimals=decimals,
        installed_on=installed_on,
        verified_on=installed_on,
        verification_interval_years=16 if kind == MeterKind.ELECTRICITY else 6,
    )
    registers = Register.objects.bulk_create(
        Register(meter=meter, code=code, position=i, initial_value=start * (i + 1))
        for i, code in enumerate(TARIFF_REGISTERS[tariff])
    )
    return meter, registers


def _readings(meter, registers, n: int, first_period, now) -> list[Reading]:
    rows = []
    for register in registers:
        value = register.initial_value
        period = first_period
        for month in range(MONTHS):
            base = USAGE[(meter.kind, register.code)]
            # to the meter's own decimals: the figure a member would read off its face
            step = Decimal(1).scaleb(-meter.decimals)
            used = (base * Decimal(90 + (n * 7 + month * 13) % 25) / 100).quantize(step)
            value += used
            rows.append(
                Reading(
                    register=register,
                    meter=meter,
                    period=period,
                    value=value,
                    consumption=used,
                    taken_on=period.replace(day=20),
                    submitted_at=now,
                    source=ReadingSource.BOARD if meter.building_id else ReadingSource.MEMBER,
                )
            )
            period = periods.next_month(period)
    return rows


@transaction.atomic
def seed_demo() -> str:
    if Meter.objects.exists():
        return ""
    first = Building.objects.filter(name="Дом 1").first()
    if first is None:
        return ""
    window = periods.current_window()
    first_period = window.period
    for _ in range(MONTHS):
        first_period = periods.previous_month(first_period)
    now = timezone.now()
    rows: list[Reading] = []
    flats = Premises.objects.filter(building=first, kind="flat").order_by("number")
    count = 0
    for n, flat in enumerate(flats, start=1):
        plan = [
            (MeterKind.COLD_WATER, Tariff.SINGLE, "ванная"),
            (MeterKind.HOT_WATER, Tariff.SINGLE, "ванная"),
        ]
        if flat.number == "15":
            plan += [
                (MeterKind.ELECTRICITY, Tariff.TWO_ZONE, "прихожая"),
                (MeterKind.GAS, Tariff.SINGLE, "кухня"),
            ]
        for kind, tariff, place in plan:
            count += 1
            meter, registers = _meter(
                count,
                installed_on=first_period,
                kind=kind,
                tariff=tariff,
                premises=flat,
                place=place,
                digits=6 if kind == MeterKind.ELECTRICITY else 5,
                decimals=1 if kind == MeterKind.ELECTRICITY else 3,
            )
            rows += _readings(meter, registers, n, first_period, now)
    for building in Building.objects.order_by("name"):
        count += 1
        meter, registers = _meter(
            count,
            installed_on=first_period,
            kind=MeterKind.HEAT,
            building=building,
            place="ИТП",
            digits=7,
            start=Decimal("5000"),
        )
        rows += _readings(meter, registers, count, first_period, now)
    Reading.objects.bulk_create(rows, batch_size=1000)
    return f"Demo meters: {count} meters, {len(rows)} readings over {MONTHS} months"
