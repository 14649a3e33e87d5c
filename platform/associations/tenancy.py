"""The associations' side of ``core.tenancy``: registered in ``AssociationsConfig.ready``."""

from __future__ import annotations

from django.utils import timezone

from associations.models import Association, AssociationStatus
from associations.selectors import ready_associations


class AssociationsTenancy:
    def schemas(self, *, ready_only: bool, include_suspended: bool) -> list[str]:
        if ready_only:
            found = ready_associations(include_suspended=include_suspended)
        else:
            found = Association.objects.all()
        return list(found.values_list("schema_name", flat=True))

    def is_suspended(self, schema_name: str) -> bool:
        status = (
            Association.objects.filter(schema_name=schema_name)
            .values_list("status", flat=True)
            .first()
        )
        return status == AssociationStatus.SUSPENDED

    def record_usage(self, schema_name: str, *, users: int) -> None:
        Association.objects.filter(schema_name=schema_name).update(
            users_count=users, usage_refreshed_at=timezone.now()
        )
