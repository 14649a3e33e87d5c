"""Periodic housekeeping of the signup (public schema)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="signup.tasks.purge_expired_signups")
def purge_expired_signups() -> dict[str, int]:
    """Delete expired pending signups and spent hand-over tokens. Takes no arguments."""
    from signup import services

    return services.purge_expired_signups()
