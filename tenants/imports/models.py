"""An import of the registry from a spreadsheet: the job and its preview rows.

The board uploads a file; every row is checked and compared with the registry, and the result is
kept as a preview (``ImportRow``) until the board confirms it or throws it away. Nothing reaches
the registry before the confirmation; the confirmed import then runs in Celery in one
transaction (all or nothing) and its preview rows are deleted.

Personal data of the preview (names, emails, phones, documents) is stored only encrypted, under
the association's key (``ImportRow.data``); the file's name is encrypted too. Statuses, counts,
line numbers and error codes are plain: they carry no personal data (152-ФЗ ст. 19: personal
data kept protected; ст. 5 ч. 7: no longer than the purpose needs, hence the deletion).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto.fields import EncryptedJSONField, EncryptedModel, EncryptedTextField

#: A confirmed import not finished after this long is considered lost and may be started again.
STALE_AFTER = datetime.timedelta(minutes=10)


class JobStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


class RowStatus(models.TextChoices):
    NEW = "new", _("New")
    CHANGED = "changed", _("Changed")
    UNCHANGED = "unchanged", _("Unchanged")
    ERROR = "error", _("Error")


class ImportJob(EncryptedModel):
    """One uploaded file and what became of it."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PREVIEW
    )
    # A file name may carry a person's name ("Иванов - список.xlsx"): encrypted.
    file_name = EncryptedTextField(_("file"), null=True)
    file_format = models.CharField(_("format"), max_length=4)
    file_size = models.PositiveIntegerField(_("size, bytes"), default=0)
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    # Headers of columns that were not recognised and so ignored (free text: encrypted).
    ignored_columns = EncryptedJSONField(_("ignored columns"), null=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    new_rows = models.PositiveIntegerField(_("new"), default=0)
    changed_rows = models.PositiveIntegerField(_("changed"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("unchanged"), default=0)
    error_rows = models.PositiveIntegerField(_("errors"), default=0)
    #: Why the preview was rebuilt or the import failed: a code (see ``services.NOTICES``).
    notice = models.CharField(max_length=32, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: What the import wrote: counts of created and updated records (ids and counts only).
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.pk}"

    @property
    def can_confirm(self) -> bool:
        return (
            self.status in (JobStatus.PREVIEW, JobStatus.FAILED)
            and self.error_rows == 0
            and self.total_rows > 0
        )

    @property
    def can_restart(self) -> bool:
        """Confirmed long ago and still not finished: its task was lost (a broker or worker
        failure). Starting it again is safe: an import still running holds the job's row lock
        (the confirmation then says so), and a second task finds the job done."""
        return (
            self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
            and self.confirmed_at is not None
            and timezone.now() - self.confirmed_at > STALE_AFTER
        )

    @property
    def can_discard(self) -> bool:
        return self.status in (JobStatus.PREVIEW, JobStatus.FAILED)

    @property
    def in_progress(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)


class ImportRow(EncryptedModel):
    """One data row of the file: its values (encrypted), its status and its errors.

    ``errors`` holds codes, column keys and non-personal parameters (line numbers, cadastral
    numbers, a sum of shares, the registry's own premises), rendered into sentences in the
    reader's language when shown; what the file says (the premises, the account number) is
    taken from ``data`` then, never copied into ``errors``.
    ``new_holding_id`` is the id a new holding of this row's account will get, chosen at the
    preview so that the import can start creating its key before anything else.
    """

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    line = models.PositiveIntegerField(_("row"))
    status = models.CharField(_("status"), max_length=10, choices=RowStatus.choices)
    data = EncryptedJSONField(_("values"), null=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    new_holding_id = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["job", "line"]
        indexes = [models.Index(fields=["job", "status", "line"], name="imports_row_status_idx")]

    def __str__(self) -> str:
        return f"Import row {self.line}"
