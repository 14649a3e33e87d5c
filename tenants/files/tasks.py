"""The file store's periodic job."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tenants.files.tasks.sweep_orphans")
def sweep_orphans() -> int:
    """Daily, in every association (suspended ones too): remove stored bytes no row names."""
    from tenants.files import services

    return services.sweep_orphans()
