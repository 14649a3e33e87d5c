"""Tasks of the documents and news (ids only, services called from inside)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tenants.documents.tasks.send_news_digest", acks_late=True)
def send_news_digest() -> int:
    """The weekly digest of ordinary news (the periodic job runs it daily in each association;
    it sends once a week)."""
    from tenants.documents import services

    return services.send_news_digest()
