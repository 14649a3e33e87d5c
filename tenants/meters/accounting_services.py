"""Writes of the accountant and the board: flagged readings marked reviewed, norms and
increasing coefficients saved as dated rows (Правила 354 пп. 42, 60: a change of the law or of
the region's norm is a new row from its date, the earlier periods keep theirs). Audited in the
same transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import services as audit
from tenants.meters.models import IncreasingCoefficient, MeterKind, Norm, NormBasis, Reading


@transaction.atomic
def mark_reviewed(*, actor, reading_ids) -> int:
    """Mark flagged current readings reviewed; how many were still waiting."""
    rows = list(
        Reading.objects.select_for_update()
        .filter(
            pk__in=list(reading_ids),
            flagged=True,
            superseded_at__isnull=True,
            reviewed_at__isnull=True,
        )
        .select_related("meter")
    )
    now = timezone.now()
    for row in rows:
        row.reviewed_at = now
        row.reviewed_by = actor if getattr(actor, "pk", None) else None
    Reading.objects.bulk_update(rows, ["reviewed_at", "reviewed_by"])
    audit.record_many(
        (
            ("meters.reading_reviewed", row.meter, {"period": row.period.isoformat()})
            for row in rows
        ),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    return len(rows)


def _check_kind(kind: str) -> None:
    if kind not in MeterKind.values:
        raise ValidationError({"kind": _("Choose the resource.")})


@transaction.atomic
def save_norm(*, actor, kind: str, valid_from: datetime.date, value: Decimal, basis: str) -> Norm:
    """The norm of ``kind`` from ``valid_from`` (replacing the row of that day, if any)."""
    _check_kind(kind)
    if basis not in NormBasis.values:
        raise ValidationError({"basis": _("Choose what the norm is counted per.")})
    if value is None or value < 0:
        raise ValidationError({"value": _("The norm cannot be negative.")})
    norm, _created = Norm.objects.update_or_create(
        kind=kind, valid_from=valid_from, defaults={"value": value, "basis": basis}
    )
    audit.record(
        "meters.norm_saved",
        actor=actor,
        target=norm,
        details={"kind": kind, "valid_from": valid_from.isoformat(), "value": str(value)},
    )
    return norm


@transaction.atomic
def save_coefficient(
    *, actor, kind: str, valid_from: datetime.date, value: Decimal
) -> IncreasingCoefficient:
    """The increasing coefficient of ``kind`` from ``valid_from`` (at least 1)."""
    _check_kind(kind)
    if value is None or value < 1:
        raise ValidationError({"value": _("The coefficient is at least 1.")})
    row, _created = IncreasingCoefficient.objects.update_or_create(
        kind=kind, valid_from=valid_from, defaults={"value": value}
    )
    audit.record(
        "meters.coefficient_saved",
        actor=actor,
        target=row,
        details={"kind": kind, "valid_from": valid_from.isoformat(), "value": str(value)},
    )
    return row


#: Demo norms (typical of a region's figures; a real association enters its own): cold and hot
#: water and electricity per resident a month, heat per m² a month.
DEMO_NORMS = (
    (MeterKind.COLD_WATER, "6.935", NormBasis.PER_PERSON),
    (MeterKind.HOT_WATER, "4.745", NormBasis.PER_PERSON),
    (MeterKind.ELECTRICITY, "110", NormBasis.PER_PERSON),
    (MeterKind.GAS, "10", NormBasis.PER_PERSON),
    (MeterKind.HEAT, "0.0159", NormBasis.PER_M2),
)


def seed_demo_norms() -> str:
    """The demo's norms from 1 January 2025, once."""
    if Norm.objects.exists():
        return ""
    for kind, value, basis in DEMO_NORMS:
        Norm.objects.create(
            kind=kind, valid_from=datetime.date(2025, 1, 1), value=Decimal(value), basis=basis
        )
    return "consumption norms"
