"""Premises: created (with their account, if a number is given) and corrected."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import record
from tenants.residents.models import (
    Building,
    Premises,
)
from tenants.residents.services.accounts import _check_account_number, open_account
from tenants.residents.services.common import (
    PREMISES_FIELDS,
    _assign,
    _premises_ref,
    _save_unique,
)


def _premises_number_taken() -> str:
    return _("This building already has premises of this kind with this number.")


def clean_premises(premises: Premises, *, exclude=()) -> None:
    """The rules of one premises' own fields (the model's validators); ``bulk`` uses them too."""
    premises.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)


def _check_premises_number(premises: Premises) -> None:
    """A premises number is unique in its building for its kind (flat 1 and parking place 1
    may both exist); one premises never belongs to two buildings (one foreign key)."""
    twins = Premises.objects.filter(
        building_id=premises.building_id, kind=premises.kind, number__iexact=premises.number
    ).exclude(pk=premises.pk)
    if twins.exists():
        raise ValidationError({"number": _premises_number_taken()})


@transaction.atomic
def create_premises(
    *,
    building: Building,
    kind: str,
    number: str,
    area,
    floor: int | None = None,
    entrance: str = "",
    cadastral_number: str = "",
    registered_residents: int = 0,
    account_number: str = "",
    started_on: datetime.date | None = None,
    actor=None,
) -> Premises:
    """New premises; with ``account_number``, its personal account too (an empty first holding).

    Validation errors name the field (``number``, ``cadastral_number``, ``account_number``...).
    """
    premises = Premises(
        building=building,
        kind=kind,
        number=number.strip(),
        area=area,
        floor=floor,
        entrance=entrance.strip(),
        cadastral_number=cadastral_number.strip(),
        registered_residents=registered_residents,
    )
    clean_premises(premises)
    _check_premises_number(premises)
    if account_number:
        _check_account_number(account_number, field="account_number")
    _save_unique(premises, "number", _premises_number_taken())
    record(
        "residents.premises_created",
        actor=actor,
        target=premises,
        details=_premises_ref(premises.pk),
    )
    if account_number:
        try:
            open_account(
                number=account_number,
                holder={},
                started_on=started_on or timezone.localdate(),
                premises=premises,
                actor=actor,
            )
        except ValidationError as error:
            raise ValidationError({"account_number": error.message_dict["number"]}) from None
    return premises


@transaction.atomic
def update_premises(premises: Premises, *, actor=None, **values) -> Premises:
    """Change premises' register data; the history keeps which fields changed (not values)."""
    premises = Premises.objects.select_for_update().get(pk=premises.pk)
    if "number" in values:
        values["number"] = values["number"].strip()
    changed = _assign(premises, values, set(PREMISES_FIELDS))
    if changed:
        clean_premises(premises)
        _check_premises_number(premises)
        _save_unique(premises, "number", _premises_number_taken())
        record(
            "residents.premises_changed",
            actor=actor,
            target=premises,
            details={**_premises_ref(premises.pk), "fields": changed},
        )
    return premises
