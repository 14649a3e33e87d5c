"""The relay of tasks the broker refused (beat, every minute, in the public schema; and once
when a worker starts): ``core.relay.relay``."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="core.relay.tasks.relay")
def relay() -> dict[str, int]:
    from core import relay as outbox

    return outbox.relay()
