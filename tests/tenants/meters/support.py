"""Meters for tests, made through the services (valid and audited like the real thing). Call
inside a tenant schema (``in_alpha``)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from tenants.meters import services
from tenants.meters.models import Meter, MeterKind, Reading, ReadingSource, Tariff
from tests.tenants.residents.factories import make_owner, make_premises

INSTALLED = datetime.date(2024, 1, 10)
_serials = itertools.count(1)


def serial() -> str:
    return f"SN-{next(_serials):06d}-{timezone.now().microsecond:06d}"


def add_meter(premises=None, *, building=None, kind=MeterKind.COLD_WATER, **fields) -> Meter:
    fields.setdefault("installed_on", INSTALLED)
    fields.setdefault("serial_number", serial())
    return services.add_meter(actor=None, premises=premises, building=building, kind=kind, **fields)


def board_meter() -> Meter:
    """A meter of premises the caller has nothing to do with."""
    return add_meter(make_premises())


def home_of(user, *, kinds=(MeterKind.COLD_WATER,), premises=None, **meter_fields):
    """Premises owned by ``user`` with one meter per kind; (premises, meters)."""
    premises = premises or make_premises()
    make_owner(premises, user=user)
    meters = []
    for kind in kinds:
        tariff = Tariff.TWO_ZONE if kind == "electricity_two" else Tariff.SINGLE
        real_kind = MeterKind.ELECTRICITY if kind == "electricity_two" else kind
        meters.append(add_meter(premises, kind=real_kind, tariff=tariff, **meter_fields))
    return premises, meters


def history(meter, values, *, until: datetime.date) -> None:
    """Current readings of the meter's single register in the months before ``until`` (a
    period), oldest first, as if sent in past windows."""
    from tenants.meters import periods

    register = meter.registers.get()
    period = until
    for _ in values:
        period = periods.previous_month(period)
    previous = register.initial_value
    for value in values:
        value = Decimal(value)
        Reading.objects.create(
            register=register,
            meter=meter,
            period=period,
            value=value,
            consumption=value - previous,
            taken_on=period.replace(day=20),
            submitted_at=timezone.now(),
            source=ReadingSource.MEMBER,
        )
        previous = value
        period = periods.next_month(period)
