"""The console's own records (public schema): exports of an association's data.

An export is a machine-readable bundle of everything the association keeps (a zip of JSON per
table and its documents), built by a Celery task inside the association's schema for the board to
take away. It holds decrypted personal data, so:

* it is stored encrypted under a data key of the *association's* key (``assoc-<schema>``), in
  1 MiB AES-256-GCM chunks (``ExportChunk``) bound to the export, their position and whether
  they are the last one: a chunk moved, reordered, dropped or appended fails to decrypt;
* it is stored in PostgreSQL rather than on a file system, because web and worker processes
  share no disk in production, and so deleting the association (or its key) removes it too;
* operators see only its status; the chairman downloads it from the association's portal.

Actors are kept as plain UUIDs, never foreign keys: ``access.User`` exists in every schema, and a
join made while a tenant's schema is first on the search path would reach the tenant's users.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


#: Statuses of an export still being worked on (a second one is not queued meanwhile).
EXPORT_IN_PROGRESS = (ExportStatus.PENDING, ExportStatus.RUNNING)


class AssociationExport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="exports", verbose_name=_("association")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    #: The operator who asked for it (public schema user id).
    requested_by_id = models.UUIDField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)
    #: Which data key (a WrappedDataKey row of the association's schema) encrypted the chunks.
    key_ref = models.CharField(max_length=64, blank=True)
    size_bytes = models.BigIntegerField(_("size"), default=0)
    chunks_count = models.PositiveIntegerField(default=0)
    tables_count = models.PositiveIntegerField(_("tables"), default=0)
    rows_count = models.PositiveIntegerField(_("rows"), default=0)
    documents_count = models.PositiveIntegerField(_("documents"), default=0)
    #: Why it failed, as a code (never a message that could carry data).
    error_code = models.CharField(max_length=40, blank=True)
    downloaded_at = models.DateTimeField(_("last downloaded"), null=True, blank=True)
    downloads_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["association", "-requested_at"])]

    def __str__(self) -> str:
        return f"AssociationExport {self.pk}"

    @property
    def in_progress(self) -> bool:
        return self.status in EXPORT_IN_PROGRESS

    def is_downloadable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == ExportStatus.READY
            and self.expires_at is not None
            and self.expires_at > now
        )


class ExportChunk(models.Model):
    """One encrypted piece of an export bundle: ``nonce || AES-GCM(ciphertext + tag)``."""

    export = models.ForeignKey(AssociationExport, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["export", "index"], name="console_unique_chunk_index")
        ]

    def __str__(self) -> str:
        return f"ExportChunk {self.export_id}#{self.index}"
