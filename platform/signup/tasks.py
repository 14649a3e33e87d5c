"""Periodic housekeeping of the signup (public schema)."""

from __future__ import annotations

from celery import shared_task

from signup import services


@shared_task(name="signup.tasks.purge_expired_signups")
def purge_expired_signups() -> dict[str, int]:
    """Delete expired pending signups and spent hand-over tokens. Takes no arguments."""
    return services.purge_expired_signups()
