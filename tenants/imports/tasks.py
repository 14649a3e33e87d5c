"""The import's Celery task: tenant-aware (it runs in the schema it was sent from), argument the
job id only, never a value from the file."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tenants.imports.tasks.apply_import", acks_late=True)
def apply_import(job_id: str) -> str:
    """Run a confirmed import in one transaction; returns the job's final status."""
    from tenants.imports import services

    return services.apply_import(job_id)


@shared_task(name="tenants.imports.tasks.prepare_keys")
def prepare_keys(job_id: str) -> int:
    """Make the provider keys of a preview's new holdings while the board reads it."""
    from tenants.imports import services

    return services.prepare_keys(job_id)


@shared_task(name="tenants.imports.tasks.purge_stale_jobs")
def purge_stale_jobs() -> dict:
    """Hourly, in every association (suspended ones too, via ``core.tasks.fan_out``): discard
    previews and failed imports left for a week, and forget old file names."""
    from tenants.imports import services

    return services.purge_stale_jobs()
