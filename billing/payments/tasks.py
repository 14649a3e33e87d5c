"""Online payments' Celery tasks: tenant-aware, ids only."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="billing.payments.tasks.process_event", acks_late=True)
def process_event(event_id: str) -> str:
    """Act on one stored provider notification (safe to run twice, in any order)."""
    from billing.payments import services

    return services.process_event(event_id)


@shared_task(name="billing.payments.tasks.reconcile", acks_late=True)
def reconcile() -> str:
    """Hourly in every ready association (``payments-reconcile``): the nightly comparison of
    the provider's records with the ledger, once a night after 03:00 of its own time."""
    from billing.payments import services

    return services.reconcile_if_due()
