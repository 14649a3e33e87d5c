"""What the receipts keep: the whole association's print-ready PDF of a month (a background
job with its progress) and the months whose receipts members were told about.

The PDF itself is in the private file store (``tenants.files``, purpose
``ledger.receipts_batch``, sealed under the association's key) and kept for a limited time
(``RECEIPT_BATCH_TTL``); the row says where the job is and which file it made. Nothing
personal is here.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The file purpose the month's PDF is kept under, registered with the models.
from tenants.ledger.receipts import purposes  # noqa: F401


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class ReceiptBatch(models.Model):
    """The association's receipts for a month as one PDF, built in the background."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    period = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.ForeignKey(
        "files.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: An error code (never a message that could quote data).
    error = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "ledger"
        verbose_name = _("receipts of the month (PDF)")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=["queued", "rendering"]),
                name="ledger_one_receipt_batch_running",
            ),
            models.CheckConstraint(
                condition=Q(period__day=1), name="ledger_receipt_batch_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"ReceiptBatch {self.period:%Y-%m} {self.status}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_running(self) -> bool:
        return self.status in (BatchStatus.QUEUED, BatchStatus.RENDERING)


class ReceiptNotice(models.Model):
    """The month whose receipts members were told are ready: told once (the primary key)."""

    period = models.DateField(_("month"), primary_key=True)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "ledger"
        verbose_name = _("receipts notice")

    def __str__(self) -> str:
        return f"ReceiptNotice {self.period:%Y-%m}"
