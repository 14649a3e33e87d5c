"""Per-association periodic jobs (queued by core.tasks.fan_out inside each schema)."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from associations.models import Association


@shared_task(name="tenants.portal.tasks.collect_usage")
def collect_usage() -> int:
    """Refresh the association's usage figures shown to operators (counts only, no names)."""
    users = get_user_model().objects.filter(is_active=True).count()
    Association.objects.filter(schema_name=connection.schema_name).update(
        users_count=users, usage_refreshed_at=timezone.now()
    )
    return users
