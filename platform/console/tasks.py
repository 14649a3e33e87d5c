"""The console's Celery tasks. Arguments are ids; each runs in the schema it was sent from."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="console.tasks.build_export")
def build_export(export_id: str) -> str:
    """Build the data export ``export_id`` inside its association's schema; return its status."""
    from console import services

    return services.build_export(export_id).status


@shared_task(name="console.tasks.purge_expired_exports")
def purge_expired_exports() -> int:
    """Periodic, in public: delete the bundles of exports that are no longer available."""
    from console import services

    return services.purge_expired_exports()
