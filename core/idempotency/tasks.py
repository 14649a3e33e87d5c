"""Purge of old ``Idempotency-Key`` rows (hourly, in every association)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="core.idempotency.tasks.purge")
def purge() -> int:
    from django.utils import timezone

    from core.idempotency.middleware import RETENTION
    from core.idempotency.models import IdempotentRequest

    deleted, _ = IdempotentRequest.objects.filter(
        created_at__lt=timezone.now() - RETENTION
    ).delete()
    return deleted
