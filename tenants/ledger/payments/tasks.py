"""The payments' Celery tasks: tenant-aware (they run in the schema they were sent from)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tenants.ledger.payments.tasks.post_penalties")
def post_penalties() -> int:
    """Daily (``ledger-penalties``): once a month, post each debtor's penalties (ЖК РФ ст. 155
    ч. 14). The first run of a month posts; later runs that month post nothing, and a run
    repeated on one day posts nothing either (the posting is idempotent per day)."""
    from tenants.ledger.payments import penalty_job

    return penalty_job.post_monthly()
