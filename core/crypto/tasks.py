"""Rotation jobs as tenant-aware Celery tasks (queued in an association's schema)."""

from __future__ import annotations

from celery import shared_task

from core.crypto import keyring, rotation


@shared_task(name="core.crypto.tasks.rotate_provider_keys")
def rotate_provider_keys() -> int:
    return rotation.rotate_provider_keys().done


@shared_task(name="core.crypto.tasks.reencrypt_rows")
def reencrypt_rows() -> int:
    return rotation.reencrypt_rows().done


@shared_task(name="core.crypto.tasks.sweep_uncommitted_keys")
def sweep_uncommitted_keys() -> int:
    """Public task: destroy provider keys whose creating transaction never committed."""
    return len(keyring.sweep_uncommitted_keys())
