"""Receipts' Celery tasks: ids only, tenant-aware (the schema travels with the task)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tenants.ledger.receipts.tasks.build_batch", acks_late=True)
def build_batch(batch_id: str) -> str:
    from tenants.ledger.receipts import services

    batch = services.build_batch(batch_id)
    return batch.status if batch else "skipped"


@shared_task(name="tenants.ledger.receipts.tasks.purge_batches")
def purge_batches() -> int:
    """Hourly (``receipts-purge``): delete the month's PDFs past their time."""
    from tenants.ledger.receipts import services

    return services.purge_expired()


@shared_task(name="tenants.ledger.receipts.tasks.notify_ready")
def notify_ready() -> int:
    """Daily (``receipts-notify``): tell members last month's receipt is ready, once."""
    from tenants.ledger.receipts import services

    return services.notify_ready()
