"""Reads for associations."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from associations.models import Association, AssociationStatus


def ready_associations() -> QuerySet[Association]:
    """Associations that periodic jobs run for: active ones, never the public schema."""
    return Association.objects.filter(status=AssociationStatus.ACTIVE).exclude(
        schema_name=settings.PUBLIC_SCHEMA_NAME
    )
