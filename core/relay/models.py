"""A Celery task the broker refused (Redis unreachable when it was queued), kept until the relay
sends it again. Ids only: the task's name, its arguments (ids) and the schema it was sent from;
no personal data, as for any task argument (docs/architecture.md, "Tasks while the broker is
down")."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class DeferredTask(models.Model):
    #: The schema the task was sent from (tenant_schemas_celery runs it there), ``public`` for
    #: the platform's own.
    schema_name = models.CharField(max_length=63)
    task = models.CharField(max_length=200)
    #: Positional arguments: ids (strings, numbers), never personal data.
    args = models.JSONField(default=list)
    #: ``schema:task:args`` hashed: the same job refused twice is kept once.
    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    #: Relay attempts that failed (the broker still down, or the send refused).
    attempts = models.PositiveIntegerField(default=0)
    #: The class name of the last error (never its message: it may quote arguments).
    last_error = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task} in {self.schema_name}"
