"""Residents: the end of a resident's access to the premises."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import record
from tenants.residents.models import (
    Residency,
)
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
