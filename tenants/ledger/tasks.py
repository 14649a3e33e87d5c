"""The ledger's Celery tasks: tenant-aware (they run in the schema they were sent from), the
run's id as their only argument."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tenants.ledger.tasks.preview_run", acks_late=True)
def preview_run(run_id: str) -> str:
    """Calculate a run's preview: totals per service, accounts changed against last month."""
    from tenants.ledger import services

    return services.preview_run(run_id).status


@shared_task(name="tenants.ledger.tasks.post_run", acks_late=True)
def post_run(run_id: str) -> str:
    """Post a confirmed run's charges."""
    from tenants.ledger import services

    return services.post_run(run_id).status
