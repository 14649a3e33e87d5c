"""A change acknowledged once per ``Idempotency-Key`` (core/idempotency/middleware.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotentRequest(models.Model):
    """The answer to a change made with an ``Idempotency-Key``, committed in the change's own
    transaction: a retry with the same key gets this answer again instead of a second change.

    Holds the key (chosen by the client), who sent it, the method and path and the answer's
    status, never its body (which may carry personal data in clear).
    """

    key = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key"),
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.status or 'running'})"
