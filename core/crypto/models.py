"""Wrapped data keys, stored in each schema beside the data they encrypt.

A row holds a data key only *wrapped* by its owner's provider key (``key_name``); the plaintext
data key exists only in process memory (``core.crypto.keycache``). Ciphertext tokens name their
row by ``key_ref`` (the row id in hex), so a page can find and unwrap every key it needs in one
query and one concurrent wave of provider calls.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class KeyPurpose(models.TextChoices):
    DATA = "data", "data encryption"
    INDEX = "index", "blind index"


class WrappedDataKey(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key_name = models.CharField(max_length=200, db_index=True)
    purpose = models.CharField(max_length=8, choices=KeyPurpose.choices, default=KeyPurpose.DATA)
    wrapped = models.TextField()
    # New values are written under the active key of their owner; retired keys still decrypt
    # until the re-encryption job has moved their rows to a fresh key.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key_name", "purpose"],
                condition=Q(active=True),
                name="crypto_one_active_key_per_owner_and_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_name} ({self.purpose}) {self.ref}"

    @property
    def ref(self) -> str:
        return self.id.hex


class RotationRun(models.Model):
    """Progress of a rotation job in this schema; an unfinished run is resumed, not restarted."""

    class Kind(models.TextChoices):
        PROVIDER_KEYS = "provider_keys", "provider keys rotated, data keys re-wrapped"
        DATA_KEYS = "data_keys", "rows re-encrypted under fresh data keys"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    state = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.done}/{self.total}"


class KeyDestruction(models.Model):
    """A provider key to destroy (crypto-shredding), recorded with the erasure that asked for it.

    The key job destroys it and sets ``destroyed_at``; until then it retries. The row stays as a
    tombstone: a destroyed owner's key name is never given a new key. ``prefix`` destroys every
    key whose name starts with ``key_name`` (an association's holdings when it is deleted).
    """

    key_name = models.CharField(max_length=200, unique=True)
    prefix = models.BooleanField(default=False)
    requested_at = models.DateTimeField(auto_now_add=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]

    def __str__(self) -> str:
        return f"destroy {self.key_name}"
