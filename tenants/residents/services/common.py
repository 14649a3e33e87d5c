"""What the registry's services share: the field lists and small helpers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tenants.residents.selectors import live_ownerships

PERSONAL_FIELDS = ("full_name", "phones", "emails", "documents")
OWNER_PERSONAL_FIELDS = (*PERSONAL_FIELDS, "primary_email", "primary_phone")
OWNER_INDEXES = ("email_index", "phone_index")
PREMISES_FIELDS = (
    "building",
    "kind",
    "number",
    "floor",
    "entrance",
    "area",
    "cadastral_number",
    "registered_residents",
)
DOCUMENT_FIELDS = ("document_kind", "document_number", "document_date", "egrn_record")


def _premises_ref(premises_id) -> dict:
    return {"premises": str(premises_id)} if premises_id else {}


def _assign(instance, values: dict, allowed) -> list[str]:
    """Set the allowed ``values`` on ``instance``; the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if name not in allowed:
            raise TypeError(f"{name} cannot be changed here")
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _save_unique(instance, field: str, message: str, **save_kwargs) -> None:
    """Save in a savepoint; a unique violation (a concurrent twin) becomes ``message``."""
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError:
        raise ValidationError({field: message}) from None


#: Ownerships in force on a day or later (a read the selectors own).
_live_ownerships = live_ownerships
