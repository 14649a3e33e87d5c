"""The meters' Celery tasks: tenant-aware, no arguments (they find what is due themselves)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tenants.meters.tasks.send_reminders", acks_late=True)
def send_reminders() -> dict:
    """Hourly in every ready association (``meters-reminders``): the reminders due at this hour
    of the association's own time; a retry or duplicate sends nothing twice (counts only)."""
    from tenants.meters import reminders

    return reminders.send_due_reminders()
