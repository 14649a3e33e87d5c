"""Residents: the end of a resident's access, and the people registered at a premises."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import record
from tenants.residents.models import (
    Holding,
    Premises,
    RegisteredResident,
    Residency,
)
from tenants.residents.selectors import current
from tenants.residents.services.common import (
    _premises_ref,
)


@transaction.atomic
def end_residency(residency: Residency, *, on: datetime.date | None = None, actor=None):
    """A resident moved out: their access to the premises ends on ``on`` (today by default).

    The residency stays as history. Refused if it has already ended, or if ``on`` comes before
    it began.
    """
    today = timezone.localdate()
    on = on or today
    residency = Residency.objects.select_for_update().get(pk=residency.pk)
    if residency.ended_on is not None and residency.ended_on <= today:
        raise ValidationError(_("This resident's access has already ended."))
    if on < residency.started_on:
        raise ValidationError({"on": _("The access cannot end before it began.")})
    residency.ended_on = on
    residency.save(update_fields=["ended_on"])
    record(
        "residents.residency_ended",
        actor=actor,
        target=residency,
        details={**_premises_ref(residency.premises_id), "residency": str(residency.pk)},
    )
    return residency


# -- registered residents (регистрация по месту жительства) -------------------------------------


def _sync_count(premises_id) -> None:
    """Keep the premises' plain count at today's number of registered people."""
    today_count = RegisteredResident.objects.filter(current(), premises_id=premises_id).count()
    Premises.objects.filter(pk=premises_id).update(registered_residents=today_count)


@transaction.atomic
def register_resident(premises, *, full_name: str, started_on: datetime.date, actor):
    """Record a person registered at ``premises`` from ``started_on``.

    The name goes under the key of the premises' current holding (the holder's key): refused
    when the premises has no personal account with a current holder yet. The premises' count
    (``registered_residents``) follows today's number.
    """
    premises = Premises.objects.select_for_update().get(pk=premises.pk)
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": _("Enter the name.")})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("The registration cannot begin in the future.")})
    holding = (
        Holding.objects.filter(account__premises=premises, ended_on__isnull=True)
        .order_by("account__number")
        .first()
    )
    if holding is None:
        raise ValidationError(_("Open a personal account with its holder first."))
    resident = RegisteredResident(
        premises=premises, holding=holding, full_name=full_name, started_on=started_on
    )
    resident.save()
    _sync_count(premises.pk)
    record(
        "residents.resident_registered",
        actor=actor,
        target=resident,
        details={**_premises_ref(premises.pk)},
    )
    return resident


@transaction.atomic
def deregister_resident(resident, *, ended_on: datetime.date, actor):
    """The person's registration at the premises ends on ``ended_on`` (kept as history)."""
    resident = RegisteredResident.objects.select_for_update().get(pk=resident.pk)
    if resident.ended_on is not None:
        raise ValidationError(_("This registration has already ended."))
    if ended_on <= resident.started_on:
        raise ValidationError({"ended_on": _("The registration must end after it began.")})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("The end cannot be in the future.")})
    resident.ended_on = ended_on
    resident.save(update_fields=["ended_on"])
    _sync_count(resident.premises_id)
    record(
        "residents.resident_deregistered",
        actor=actor,
        target=resident,
        details={**_premises_ref(resident.premises_id)},
    )
    return resident
