"""The preview: a file read, checked and planned, stored encrypted; keys made ahead for it."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_ratelimit.core import get_usage

from core.audit.services import record
from core.bulk import copy_insert
from tenants.imports.columns import Context, clean_row
from tenants.imports.keys import (
    BlindIndexer,
    HoldingKeys,
    association_writing_key,
    seal,
)
from tenants.imports.models import ImportJob, ImportRow, JobStatus
from tenants.imports.planning import PlanRow, plan_import
from tenants.imports.reading import read_table
from tenants.imports.selectors import (
    association_suspended,
    association_today,
    default_premises_kind,
    registry_snapshot,
)
from tenants.imports.services.common import (
    PREPARED_KEYS_FRESH,
    PREVIEW_RATE,
    TooManyPreviews,
    _counts,
    _queue,
)


def _sha256(upload) -> str:
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def create_preview(*, upload, file_name: str, actor=None) -> ImportJob:
    """Read, check and plan an uploaded file; store the preview. Writes nothing to the registry.

    Raises ``reading.FileRefused`` for a file that cannot be imported at all (too large, an
    archive bomb, not a spreadsheet, no header, no rows...): then nothing at all is stored; and
    ``TooManyPreviews``, before the file is read, past the association's ``PREVIEW_RATE``.
    """
    _count_preview()
    table = read_table(upload, file_name)
    today = association_today()
    context = Context(default_kind=default_premises_kind(), today=today)
    rows = []
    for line, raw in table.rows:
        values, errors, bad = clean_row(raw, context)
        rows.append(PlanRow(line=line, values=values, errors=errors, bad=bad))
    snapshot = registry_snapshot([row.values for row in rows if row.ok], today=today)
    plan_import(rows, snapshot, today=today, indexer=BlindIndexer(), writes=False)

    job = ImportJob(
        created_by=actor,
        file_name=file_name[:200],
        file_format=table.file_format,
        file_size=getattr(upload, "size", 0) or 0,
        file_sha256=_sha256(upload),
        ignored_columns=table.ignored or None,
        **_counts(rows),
    )
    job.save()
    ref, key = association_writing_key()
    stored = []
    for row in rows:
        item = ImportRow(
            job=job,
            line=row.line,
            status=row.status,
            errors=row.errors,
            changes=row.changes,
            new_holding_id=row.new_holding_id,
        )
        seal(item, "data", {"values": row.values, "bad": row.bad}, ref, key)
        stored.append(item)
    copy_insert(stored)
    record(
        "imports.preview_created",
        actor=actor,
        target=job,
        details={"rows": job.total_rows, "errors": job.error_rows, "format": job.file_format},
    )
    if (
        job.can_confirm
        and any(row.new_holding_id for row in rows)
        and not _keys_made_for_another(job)
    ):
        from tenants.imports.tasks import prepare_keys as task

        transaction.on_commit(lambda: _queue(task, job.pk))
    return job


def _schema_key(group, request) -> str:
    return connection.schema_name


def _count_preview() -> None:
    """Count a preview against the association's limit (one counter per schema, in Redis)."""
    usage = get_usage(
        None,
        group="imports-preview",
        key=_schema_key,
        rate=getattr(settings, "IMPORT_PREVIEW_RATE", PREVIEW_RATE),
        increment=True,
    )
    if usage and usage["should_limit"]:
        raise TooManyPreviews(usage["time_left"])


def _keys_made_for_another(job: ImportJob) -> bool:
    """Whether an earlier preview of the association, still fresh, has holdings whose keys are
    made ahead: one preview's keys at a time (an import without them makes its own)."""
    earlier = ImportJob.objects.filter(
        status=JobStatus.PREVIEW,
        error_rows=0,
        created_at__gte=timezone.now() - PREPARED_KEYS_FRESH,
        created_at__lt=job.created_at,
    ).exclude(pk=job.pk)
    return ImportRow.objects.filter(job__in=earlier, new_holding_id__isnull=False).exists()


def prepare_keys(job_id) -> int:
    """Create the provider keys of a preview's new holdings while the board reads it.

    Key creation is the slow part of a large import (about 1 ms per holding with the local
    provider); made ahead, it no longer delays the confirmed import. Nothing is written to the
    registry or the key table: the keys stay noted as pending, so a preview that is discarded
    or never confirmed leaves them to the sweeper (``keyring.sweep_uncommitted_keys``, after an
    hour). An import confirmed later than ``PREPARED_KEYS_FRESH`` after its preview does not use
    them (the sweeper could be destroying them) and makes new ones.

    Nothing is made for a suspended association, nor when an earlier fresh preview has its keys
    made already, nor for a job being confirmed or imported right now (its import makes them).
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if (
            job is None
            or not job.can_confirm
            or timezone.now() - job.created_at > PREPARED_KEYS_FRESH
            or association_suspended()
            or _keys_made_for_another(job)
        ):
            return 0
        hints = ImportRow.objects.filter(job=job, new_holding_id__isnull=False).order_by("line")
        holding_ids = list(hints.values_list("new_holding_id", flat=True))
    keys = HoldingKeys()
    try:
        keys.request(holding_ids, until_commit=False)
        return keys.wait()
    finally:
        keys.close()
