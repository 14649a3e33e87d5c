"""The audit log: who did what to which object, written in the same transaction as the change.

It lives in every schema (an association's own actions) and in public (operators' actions). Rows
are append-only: the model refuses updates and deletes, and carries no personal data: actors and
targets are named by id, details hold ids, counts and codes only.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit entries are append-only")

    def delete(self):
        raise PermissionError("Audit entries are append-only")


class AuditEntry(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor_id = models.UUIDField(_("actor"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("object type"), max_length=80, blank=True)
    target_id = models.CharField(_("object"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries are append-only")
