"""Buildings: created and renamed with a unique name."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit.services import record
from tenants.residents.models import (
    Building,
)
from tenants.residents.services.common import (
    _assign,
    _save_unique,
)


def _check_building_name(name: str, exclude=None) -> None:
    taken = Building.objects.filter(name__iexact=name.strip())
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({"name": _("A building with this name already exists.")})


@transaction.atomic
def create_building(*, name: str, address: str = "", actor=None) -> Building:
    _check_building_name(name)
    building = Building(name=name.strip(), address=address.strip())
    building.full_clean(validate_unique=False, validate_constraints=False)
    _save_unique(building, "name", _("A building with this name already exists."))
    record("residents.building_created", actor=actor, target=building)
    return building


@transaction.atomic
def update_building(building: Building, *, actor=None, **values) -> Building:
    building = Building.objects.select_for_update().get(pk=building.pk)
    if "name" in values:
        values["name"] = values["name"].strip()
        _check_building_name(values["name"], exclude=building)
    changed = _assign(building, values, {"name", "address"})
    if changed:
        building.full_clean(validate_unique=False, validate_constraints=False)
        _save_unique(building, "name", _("A building with this name already exists."))
        record(
            "residents.building_changed", actor=actor, target=building, details={"fields": changed}
        )
    return building
