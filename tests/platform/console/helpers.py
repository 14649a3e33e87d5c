"""Helpers shared by the console's tests and access expectations."""

from __future__ import annotations

from django.db import connection

from console import services
from console.models import AssociationExport


def make_ready_export(association) -> AssociationExport:
    """A ready export of ``association``, built at once as the worker would (in its schema)."""
    connection.set_tenant(association)
    export = AssociationExport.objects.create(association=association)
    return services.build_export(str(export.pk))
