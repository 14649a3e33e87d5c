"""Key jobs as tenant-aware Celery tasks, on the ``keys`` queue.

In production the worker of that queue holds the provisioning credential (Vault policy
``tszh-provisioning``); the web process never rotates or destroys keys itself.
"""

from __future__ import annotations

from celery import shared_task

from core.crypto import keyring, rotation
from core.crypto.errors import ProviderUnavailable

KEYS_QUEUE = "keys"


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


@shared_task(
    name="core.crypto.tasks.destroy_requested_keys",
    autoretry_for=(ProviderUnavailable,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=None,
)
def destroy_requested_keys() -> int:
    """Destroy the keys whose destruction was requested in this task's schema."""
    return keyring.destroy_requested_keys()
