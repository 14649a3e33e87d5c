"""Per-association periodic jobs (queued by core.tasks.fan_out inside each schema)."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from core import tenancy


@shared_task(name="tenants.portal.tasks.collect_usage")
def collect_usage() -> int:
    """Refresh the association's usage figures shown to operators (counts only, no names)."""
    users = get_user_model().objects.filter(is_active=True).count()
    tenancy.record_usage(users=users)
    return users
