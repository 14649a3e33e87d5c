"""The confirmed import (the Celery task's body): planned again under lock, then written, or
sent back to the preview, or failed, with nothing written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.audit.services import record
from core.crypto.errors import ProviderUnavailable
from tenants.imports.keys import (
    BlindIndexer,
    HoldingKeys,
)
from tenants.imports.models import ImportJob, ImportRow, JobStatus
from tenants.imports.planning import PlanRow, plan_import
from tenants.imports.selectors import (
    association_suspended,
    association_today,
    registry_snapshot,
)
from tenants.imports.services.common import (
    LOCK_CLASS,
    PREPARED_KEYS_FRESH,
    ROW_BATCH,
    RegistryChanged,
    Suspended,
    _counts,
    logger,
)
from tenants.imports.services.progress import set_progress
from tenants.imports.services.writing import _execute


def apply_import(job_id) -> str:
    """Run a confirmed import (the Celery task's body). Returns the job's final status."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            return job.status if job else "missing"
        if association_suspended():
            logger.info("import %s: the association is suspended, nothing imported", job_id)
            _fail(job_id, "suspended")
            return JobStatus.FAILED
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    keys = None
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != JobStatus.RUNNING:
                return job.status  # a copy of this task finished it meanwhile
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [LOCK_CLASS]
                )
                # Foreign keys checked as rows are written (they are, in dependency order),
                # while keys are being made, rather than all at once at the commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if association_suspended():  # suspended while this import waited for the lock
                raise Suspended
            keys = HoldingKeys()
            # Key creation is the slow part: start it before anything else, in file order,
            # with the holdings chosen at the preview (their keys may be made already).
            fresh = timezone.now() - job.created_at <= PREPARED_KEYS_FRESH
            if fresh:
                hints = ImportRow.objects.filter(job=job, new_holding_id__isnull=False)
                keys.request(hints.order_by("line").values_list("new_holding_id", flat=True))
            rows = _load_rows(job)
            today = association_today()
            snapshot = registry_snapshot([row.values for row in rows], today=today, lock=True)
            indexer = BlindIndexer()
            holding_hints = {
                row.values["account"]: row.new_holding_id
                for row in rows
                if row.new_holding_id and fresh
            }
            plan = plan_import(
                rows, snapshot, today=today, indexer=indexer, holding_hints=holding_hints
            )
            if any(not row.ok for row in rows):
                raise RegistryChanged(rows)
            keys.request([holding.pk for holding, _holder in plan.holdings_new])
            result = _execute(plan, job, keys, indexer)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default
            job.status = JobStatus.DONE
            job.finished_at = timezone.now()
            job.result = result
            for name, value in _counts(rows).items():
                setattr(job, name, value)
            job.save()
            record("imports.import_applied", actor=job.confirmed_by, target=job, details=result)
        set_progress(job_id, job.total_rows, job.total_rows)
        return JobStatus.DONE
    except RegistryChanged as changed:
        _back_to_preview(job_id, changed.rows)
        return JobStatus.PREVIEW
    except Suspended:
        logger.info("import %s: the association is suspended, nothing imported", job_id)
        _fail(job_id, "suspended")
        return JobStatus.FAILED
    except ValidationError as error:
        if _taken(error):  # as a unique constraint would: see below
            logger.warning("import %s: a number was taken meanwhile, rows re-checked", job_id)
            return _recheck(job_id)
        # A rule of the registry's services (``tenants.residents.services.bulk``) refused a
        # write that the preview's checks let through: nothing is written.
        logger.warning("import %s: a rule of the registry refused the import", job_id)
        _fail(job_id, "refused")
        return JobStatus.FAILED
    except IntegrityError:
        # A record the plan meant to create was made meanwhile by hand (a premises number, an
        # account number): new rows cannot be locked in advance. Check the rows again.
        logger.warning("import %s: the registry changed during the import, rows re-checked", job_id)
        return _recheck(job_id)
    except ProviderUnavailable:
        logger.warning("import %s: key provider unavailable, nothing imported", job_id)
        _fail(job_id, "keys_unavailable")
        return JobStatus.FAILED
    except Exception:
        logger.exception("import %s failed, nothing imported", job_id)
        _fail(job_id, "internal")
        return JobStatus.FAILED
    finally:
        if keys is not None:
            keys.close()


def _taken(error: ValidationError) -> bool:
    """Whether the registry's services refused a number or name taken meanwhile (code
    ``taken``): the registry changed, as with a unique constraint, rather than a rule."""
    if hasattr(error, "error_dict"):
        errors = [item for items in error.error_dict.values() for item in items]
    else:
        errors = error.error_list
    return any(item.code == "taken" for item in errors)


def _recheck(job_id) -> str:
    """Plan the job's rows again against the registry as it is now and show the preview again
    (the path of ``RegistryChanged``); the import itself wrote nothing."""
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            rows = _load_rows(job)
            today = association_today()
            snapshot = registry_snapshot([row.values for row in rows], today=today)
            hints = {
                row.values["account"]: row.new_holding_id for row in rows if row.new_holding_id
            }
            plan_import(
                rows,
                snapshot,
                today=today,
                indexer=BlindIndexer(),
                holding_hints=hints,
                writes=False,
            )
            _back_to_preview(job_id, rows)
    except ProviderUnavailable:
        logger.warning("import %s: key provider unavailable while re-checking", job_id)
        _fail(job_id, "keys_unavailable")
        return JobStatus.FAILED
    except Exception:
        logger.exception("import %s: re-checking the rows failed", job_id)
        _fail(job_id, "internal")
        return JobStatus.FAILED
    return JobStatus.PREVIEW


def _load_rows(job: ImportJob) -> list[PlanRow]:
    rows = []
    for item in ImportRow.objects.filter(job=job).order_by("line"):
        data = item.data or {}
        rows.append(
            PlanRow(
                line=item.line,
                values=data.get("values", {}),
                bad=data.get("bad", {}),
                new_holding_id=item.new_holding_id,
                row_id=item.pk,
            )
        )
    return rows


@transaction.atomic
def _back_to_preview(job_id, rows: list[PlanRow]) -> None:
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    items = []
    for row in rows:
        item = ImportRow(id=row.row_id, job_id=job.pk, line=row.line)
        item.status, item.errors, item.changes = row.status, row.errors, row.changes
        item.new_holding_id = row.new_holding_id
        items.append(item)
    ImportRow.objects.bulk_update(
        items, ["status", "errors", "changes", "new_holding_id"], batch_size=ROW_BATCH
    )
    for name, value in _counts(rows).items():
        setattr(job, name, value)
    job.status = JobStatus.PREVIEW
    job.notice = "registry_changed"
    job.save()
    record(
        "imports.preview_rechecked",
        actor=job.confirmed_by,
        target=job,
        details={"rows": job.total_rows, "errors": job.error_rows},
    )


@transaction.atomic
def _fail(job_id, code: str) -> None:
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    job.status = JobStatus.FAILED
    job.notice = code
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "notice", "finished_at"])
    record("imports.import_failed", actor=job.confirmed_by, target=job, details={"code": code})
