"""Reads of meters and readings, each scoped to the reader."""

from __future__ import annotations

from tenants.residents import selectors as residents


def photo_visible_to(user, stored_file) -> bool:
    """A member reads the photos sent with readings of their own premises' meters."""
    from tenants.meters.models import Reading

    return Reading.objects.filter(
        photo=stored_file, meter__premises__in=residents.premises_visible_to(user)
    ).exists()
