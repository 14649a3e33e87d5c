"""The dispatch desk's Celery tasks: tenant-aware, no arguments (they find what is due)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tenants.dispatch.tasks.deadlines", acks_late=True)
def deadlines() -> dict:
    """Every 15 minutes in every ready association (``dispatch-deadlines``): reminders before
    a deadline, escalation after it, closing work done long ago; each once (counts only)."""
    from tenants.dispatch import services

    return services.send_deadline_notices()


@shared_task(name="tenants.dispatch.tasks.train_classifier", acks_late=True)
def train_classifier() -> dict:
    """Hourly (``dispatch-train``): retrain the association's classifier when the desk has
    confirmed more requests since (text decrypted in memory only)."""
    from tenants.dispatch import classifier

    row = classifier.train()
    return {"trained": bool(row), "samples": row.samples if row else 0}
