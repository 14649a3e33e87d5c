"""The notifications' Celery tasks: tenant-aware (they run in the schema they were sent from),
with no arguments at all; they find the due rows themselves. Never a recipient or a text."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tenants.notifications.tasks.deliver", acks_late=True)
def deliver() -> None:
    """Send the due emails of this association at its rate; queue the next window if more are
    due. A duplicate finds the rows claimed (or the window taken) and does nothing."""
    from tenants.notifications import services

    again = services.deliver_paced()
    if again is not None:
        services.queue_delivery(countdown=again)


@shared_task(name="tenants.notifications.tasks.deliver_due")
def deliver_due() -> None:
    """Every minute, in every association: retries whose backoff is over, and anything whose
    task was lost (a broker that was down when the event committed)."""
    deliver()


@shared_task(name="tenants.notifications.tasks.purge")
def purge() -> dict:
    """Hourly, in every association (suspended ones too): delivered emails after a short
    retention, old inbox items and failed rows (counts only)."""
    from tenants.notifications import services

    return services.purge()
