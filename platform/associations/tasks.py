"""Background jobs of provisioning (public schema): the template and the pool of spares."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from associations import schemas


@shared_task(name="associations.tasks.maintain_spare_schemas")
def maintain_spare_schemas() -> dict[str, int]:
    """Rebuild the template if migrations moved on, drop stale spares, top the pool up.

    Runs in public (beat, and after each signup that used a spare). Takes no arguments.
    """
    return schemas.maintain_pool(getattr(settings, "SIGNUP_SPARE_SCHEMAS", 0))
