"""A preview confirmed or discarded, and what old imports kept of their file forgotten."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit.services import record
from tenants.imports.models import ImportJob, ImportRow, JobStatus
from tenants.imports.services.common import (
    KEPT_FOR,
    _queue,
)
from tenants.imports.services.progress import set_progress


def _locked_job(job_id) -> ImportJob:
    """The job, locked; one that an import is working on right now is "in progress"."""
    job = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
    if job is None:
        if ImportJob.objects.filter(pk=job_id).exists():
            raise ValidationError(_("This import is running; wait until it finishes."))
        raise ImportJob.DoesNotExist
    return job


@transaction.atomic
def confirm_import(job_id, *, actor=None) -> ImportJob:
    """The board confirms the preview: queue the import (it starts once this commits)."""
    job = _locked_job(job_id)
    if not (job.can_confirm or job.can_restart):
        if job.error_rows:
            raise ValidationError(
                _("The file has rows with errors. Correct them and upload the file again.")
            )
        raise ValidationError(_("This import cannot be started any more."))
    job.status = JobStatus.QUEUED
    job.confirmed_by = actor
    job.confirmed_at = timezone.now()
    job.notice = ""
    job.save(update_fields=["status", "confirmed_by", "confirmed_at", "notice"])
    record("imports.import_confirmed", actor=actor, target=job, details={"rows": job.total_rows})
    set_progress(job.pk, 0, job.total_rows)
    from tenants.imports.tasks import apply_import as task

    transaction.on_commit(lambda: _queue(task, job.pk))
    return job


@transaction.atomic
def discard_import(job_id, *, actor=None) -> ImportJob:
    """Throw a preview away: its rows (and their personal data) are deleted."""
    job = _locked_job(job_id)
    if not job.can_discard:
        raise ValidationError(_("Only a preview that has not been imported can be discarded."))
    deleted, _by_model = ImportRow.objects.filter(job=job).delete()
    job.status = JobStatus.DISCARDED
    job.file_name = None
    job.ignored_columns = None
    job.save(update_fields=["status", "file_name", "ignored_columns"])
    record("imports.preview_discarded", actor=actor, target=job, details={"rows": deleted})
    return job


def purge_stale_jobs() -> dict:
    """Forget what old imports kept of the file (the hourly task, in every association, also a
    suspended one: keeping personal data is not a change its board makes).

    * previews nobody imported nor discarded, failed imports and imports lost in a queue, with
      nothing happening to them for ``KEPT_FOR``: rows deleted, discarded (notice "expired");
    * finished imports older than that: file name and ignored headers cleared.

    A job locked right now (being confirmed or imported) is left for the next run.
    """
    cutoff = timezone.now() - KEPT_FOR
    idle = (
        Q(created_at__lt=cutoff)
        & (Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=cutoff))
        & (Q(finished_at__isnull=True) | Q(finished_at__lt=cutoff))
    )
    stale = ImportJob.objects.filter(
        idle,
        status__in=[JobStatus.PREVIEW, JobStatus.FAILED, JobStatus.QUEUED, JobStatus.RUNNING],
    )
    discarded = rows = 0
    for job_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            job = stale.select_for_update(skip_locked=True).filter(pk=job_id).first()
            if job is None:
                continue
            deleted, _by_model = ImportRow.objects.filter(job=job).delete()
            previous = job.status
            job.status = JobStatus.DISCARDED
            job.notice = "expired"
            job.file_name = None
            job.ignored_columns = None
            job.save(update_fields=["status", "notice", "file_name", "ignored_columns"])
            record(
                "imports.preview_expired",
                target=job,
                details={"rows": deleted, "status": previous},
            )
            discarded += 1
            rows += deleted
    named = ImportJob.objects.filter(
        Q(file_name__isnull=False) | Q(ignored_columns__isnull=False),
        status=JobStatus.DONE,
        finished_at__lt=cutoff,
    )
    forgotten = named.update(file_name=None, ignored_columns=None)
    return {"discarded": discarded, "rows": rows, "names_cleared": forgotten}
