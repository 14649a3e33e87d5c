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


def remove_committed(premises, users=(), audit_before=frozenset()) -> None:
    """Delete what a committing test made: the premises' meters and readings, the premises with
    its registry rows and building, the users, and the audit entries not in ``audit_before``."""
    from django.db import connection

    from tenants.meters.models import Register
    from tenants.residents.models import (
        Building,
        Holding,
        Owner,
        Ownership,
        PersonalAccount,
        Premises,
    )

    Reading.objects.filter(meter__premises=premises).delete()
    Register.objects.filter(meter__premises=premises).delete()
    Meter.objects.filter(premises=premises).delete()
    Ownership.objects.filter(premises=premises).delete()
    holdings = Holding.objects.filter(account__premises=premises)
    Owner.objects.filter(holding__in=holdings).delete()
    holdings.delete()
    PersonalAccount.objects.filter(premises=premises).delete()
    Premises.objects.filter(pk=premises.pk).delete()
    Building.objects.filter(pk=premises.building_id).delete()
    for user in users:
        type(user).objects.filter(pk=user.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM audit_auditentry")
        made = [row[0] for row in cursor.fetchall() if row[0] not in audit_before]
        if made:
            cursor.execute("DELETE FROM audit_auditentry WHERE id = ANY(%s)", [made])


def audit_ids() -> set:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM audit_auditentry")
        return {row[0] for row in cursor.fetchall()}
