"""Writes for imports: the preview, its confirmation or discarding, and the import itself.

The life of an import::

    upload ──► preview ──confirm──► queued ──► running ──► done
                  │  ▲                            │
               discard └── registry changed ◄─────┤ (back to the preview, rows re-checked)
                  ▼                                └──► failed (key store down, a bug): retry
              discarded

* **Preview** (``create_preview``, in the request): the file is read and checked in full, every
  row compared with the registry; the rows are stored with their values encrypted under the
  association's key. Nothing is written to the registry.
* **Import** (``apply_import``, in Celery, argument: the job id only): one transaction, all or
  nothing. The rows are planned again against the locked registry; if the registry changed so
  that a row no longer fits, nothing is written and the job goes back to the preview with the new
  errors. A worker that dies mid-way leaves nothing behind (PostgreSQL rolls the transaction
  back); the task is acknowledged late, so another worker runs it again from the start. A second
  copy of the task waits on the job's row lock and then finds the job done.
* The preview rows (personal data) are deleted once imported or discarded (152-ФЗ ст. 5 ч. 7);
  a preview nobody imported nor discarded, and a failed import, are discarded by the hourly
  ``purge_stale_jobs`` after ``KEPT_FOR`` (7 days), and file names are not kept longer either.
* A suspended association's portal changes nothing: an import queued before the suspension
  fails without writing, and no keys are made ahead for its previews. Both tasks read the
  association's status afresh from the public schema (the worker's tenant may be older).
* Previews are limited per association (``PREVIEW_RATE``); keys are made ahead for one preview
  at a time.

Audit: the preview, confirmation, discarding and the import's summary are recorded; the import
also records, per premises, what it created or changed (ids and field names, never values), in
its own transaction, so the premises' history shows the import.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from core.audit.models import AuditEntry
from core.audit.services import record
from core.crypto.errors import ProviderUnavailable
from core.crypto.models import WrappedDataKey
from tenants.imports.columns import Context, clean_row
from tenants.imports.keys import (
    BlindIndexer,
    HoldingKeys,
    association_writing_key,
    seal,
    writing_keys,
)
from tenants.imports.models import ImportJob, ImportRow, JobStatus, RowStatus
from tenants.imports.planning import Plan, PlanRow, plan_import
from tenants.imports.reading import read_table
from tenants.imports.selectors import (
    PROGRESS_TTL,
    association_suspended,
    association_today,
    default_premises_kind,
    progress_key,
    registry_snapshot,
)
from tenants.residents.models import (
    Building,
    Holding,
    Owner,
    Ownership,
    PersonalAccount,
    Premises,
)

logger = logging.getLogger(__name__)

ROW_BATCH = 1000
#: Keys made while the board reads a preview are used by an import confirmed within this time;
#: the sweeper destroys keys pending for an hour, so later imports make their own.
PREPARED_KEYS_FRESH = datetime.timedelta(minutes=30)
HOLDING_BATCH = 500
#: Arbitrary first half of the advisory lock that lets one import at a time run per association.
LOCK_CLASS = 480_413
#: Previews (each reads a whole file in the request and may have up to 30,000 keys made ahead)
#: per association; ``IMPORT_PREVIEW_RATE`` in the settings overrides it.
PREVIEW_RATE = "10/h"
#: Previews never imported nor discarded, and failed imports, are discarded after this long;
#: the file names of finished imports are forgotten then too.
KEPT_FOR = datetime.timedelta(days=7)

NOTICES = {
    "registry_changed": _(
        "The registry changed after this preview was made, so the file was checked again and "
        "nothing was imported. See the rows below."
    ),
    "keys_unavailable": _(
        "The key store did not answer, so nothing was imported. Try again in a few minutes."
    ),
    "internal": _(
        "The import failed and nothing was imported. Try again; if it fails again, tell the "
        "portal's support."
    ),
    "suspended": _(
        "The association's portal is suspended, so nothing was imported. Once the portal is "
        "active again, start the import again."
    ),
    "expired": _(
        "This preview was kept for 7 days without being imported, so its rows were deleted. "
        "Upload the file again to import it."
    ),
}


class RegistryChanged(Exception):
    def __init__(self, rows: list[PlanRow]):
        super().__init__("the registry changed since the preview")
        self.rows = rows


class Suspended(Exception):
    """The association was suspended after the import was queued."""


class TooManyPreviews(Exception):
    """The association made more previews than ``PREVIEW_RATE`` allows."""

    def __init__(self, seconds: int):
        super().__init__("too many previews")
        self.minutes = max(1, -(-seconds // 60))

    @property
    def message(self) -> str:
        return str(
            _(
                "Too many files have been checked for this association in the last hour. "
                "Try again in %(minutes)s min."
            )
        ) % {"minutes": self.minutes}


# -- preview --------------------------------------------------------------------------------------


def _sha256(upload) -> str:
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _counts(rows: list[PlanRow]) -> dict:
    counts = dict.fromkeys(RowStatus.values, 0)
    for row in rows:
        counts[row.status] += 1
    return {
        "total_rows": len(rows),
        "new_rows": counts[RowStatus.NEW],
        "changed_rows": counts[RowStatus.CHANGED],
        "unchanged_rows": counts[RowStatus.UNCHANGED],
        "error_rows": counts[RowStatus.ERROR],
    }


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
    ImportRow.objects.bulk_create(stored, batch_size=ROW_BATCH)
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


def _queue(task, job_id) -> None:
    """Send a task once the transaction committed; a broker that is down leaves the job queued
    (it can be started again later, see ``ImportJob.can_restart``) rather than failing the page."""
    try:
        task.delay(str(job_id))
    except Exception:  # noqa: BLE001 - the broker's errors are many; the job stays as it is
        logger.exception("import %s: the task could not be queued", job_id)


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


# -- progress -------------------------------------------------------------------------------------


def set_progress(job_id, done: int, total: int) -> None:
    """Progress lives in the cache: the import's own transaction is invisible until it ends."""
    cache.set(progress_key(job_id), {"done": done, "total": max(total, 1)}, PROGRESS_TTL)


class _Progress:
    def __init__(self, job_id, total: int):
        self.job_id, self.total, self.done = job_id, max(total, 1), 0
        self._last = 0.0

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._last > 0.3 or self.done >= self.total:
            self._last = now
            set_progress(self.job_id, min(self.done, self.total), self.total)


# -- the import -----------------------------------------------------------------------------------


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


class _AuditLog:
    """Audit entries of one import, inserted together in the import's transaction.

    The same rows ``core.audit.services.record`` writes (ids, counts and field names, never
    values), in bulk. A premises the import creates gets one entry naming the accounts opened
    and counting the owners added with it; accounts and owners added to premises that existed,
    and every change of an existing record, get an entry each.
    """

    def __init__(self, job: ImportJob, new_premises: list[Premises]):
        self.actor_id = job.confirmed_by_id
        self.job = str(job.pk)
        self.entries: list[AuditEntry] = []
        self.new_premises = {premises.pk: premises for premises in new_premises}
        self.created = {pk: {"accounts": [], "owners": 0} for pk in self.new_premises}

    def add(self, action: str, target, **details) -> None:
        self.entries.append(
            AuditEntry(
                action=action,
                actor_id=self.actor_id,
                target_type=target._meta.label_lower,
                target_id=str(target.pk),
                details={"job": self.job, **details},
            )
        )

    def account_opened(self, account: PersonalAccount, holding_id) -> None:
        bucket = self.created.get(account.premises_id)
        if bucket is not None:
            bucket["accounts"].append(str(account.pk))
        else:
            self.add(
                "imports.account_opened",
                account,
                premises=str(account.premises_id),
                holding=str(holding_id or ""),
            )

    def owner_added(self, ownership: Ownership) -> None:
        bucket = self.created.get(ownership.premises_id)
        if bucket is not None:
            bucket["owners"] += 1
        else:
            self.add(
                "imports.owner_added",
                ownership.premises,
                premises=str(ownership.premises_id),
                owner=str(ownership.owner_id),
                ownership=str(ownership.pk),
            )

    def flush(self, *, last: bool = False) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("audit entries must be written in the import's transaction")
        if last:
            for pk, bucket in self.created.items():
                self.add(
                    "imports.premises_created", self.new_premises[pk], premises=str(pk), **bucket
                )
        AuditEntry.objects.bulk_create(self.entries, batch_size=ROW_BATCH)
        self.entries = []


OWNER_PERSONAL = ("full_name", "phones", "emails", "primary_email", "primary_phone")


def _seal_owner(owner: Owner, personal: dict, ref: str, key: bytes, indexer: BlindIndexer) -> None:
    for name in OWNER_PERSONAL:
        if name in personal:
            seal(owner, name, personal[name], ref, key)
    if "primary_email" in personal:
        owner.email_index = indexer(Owner, "primary_email", personal["primary_email"])
    if "primary_phone" in personal:
        owner.phone_index = indexer(Owner, "primary_phone", personal["primary_phone"])


def _execute(plan: Plan, job: ImportJob, keys: HoldingKeys, indexer: BlindIndexer) -> dict:
    """Write the plan: plain records first (while the holdings' keys are being made), then the
    holdings and owners as their keys arrive."""
    audit = _AuditLog(job, plan.premises_new)
    progress = _Progress(
        job.pk,
        len(plan.premises_new)
        + len(plan.premises_changed)
        + len(plan.accounts_new)
        + len(plan.holdings_new)
        + len(plan.owners_new)
        + len(plan.owners_changed)
        + len(plan.ownerships_new)
        + len(plan.ownerships_changed),
    )

    Building.objects.bulk_create(plan.buildings)
    for building in plan.buildings:
        audit.add("imports.building_created", building)
    Premises.objects.bulk_create(plan.premises_new, batch_size=ROW_BATCH)
    progress.add(len(plan.premises_new))
    if plan.premises_changed:
        fields = sorted({name for _premises, names in plan.premises_changed for name in names})
        Premises.objects.bulk_update([p for p, _n in plan.premises_changed], fields, ROW_BATCH)
        for premises, names in plan.premises_changed:
            audit.add("imports.premises_changed", premises, premises=str(premises.pk), fields=names)
        progress.add(len(plan.premises_changed))

    PersonalAccount.objects.bulk_create(plan.accounts_new, batch_size=ROW_BATCH)
    holding_of = {holding.account_id: holding.pk for holding, _holder in plan.holdings_new}
    for account in plan.accounts_new:
        audit.account_opened(account, holding_of.get(account.pk))
    progress.add(len(plan.accounts_new))
    if plan.accounts_changed:
        PersonalAccount.objects.bulk_update(plan.accounts_changed, ["premises"], ROW_BATCH)
        for account in plan.accounts_changed:
            audit.add(
                "imports.account_changed",
                account,
                premises=str(account.premises_id),
                fields=["premises"],
            )
    Holding.objects.bulk_create(plan.holdings_empty, batch_size=ROW_BATCH)

    # Shares of owners already in the registry.
    Ownership.objects.bulk_create(plan.ownerships_new, batch_size=ROW_BATCH)
    for ownership in plan.ownerships_new:
        audit.owner_added(ownership)
    for item in plan.owners_new:
        audit.owner_added(item.ownership)
    progress.add(len(plan.ownerships_new))
    if plan.ownerships_changed:
        fields = sorted({name for _o, names in plan.ownerships_changed for name in names})
        Ownership.objects.bulk_update([o for o, _n in plan.ownerships_changed], fields, ROW_BATCH)
        for ownership, names in plan.ownerships_changed:
            audit.add(
                "imports.ownership_changed",
                ownership,
                premises=str(ownership.premises_id),
                fields=names,
            )
        progress.add(len(plan.ownerships_changed))
    # Everything the audit needs is known from the plan: written now, while keys are made.
    audit.flush(last=True)
    # The preview rows go in the same transaction; the personal data in them is no longer needed.
    ImportRow.objects.filter(job=job).delete()

    # Owners of holdings that exist already, and changed owners: their holdings' keys.
    existing = writing_keys(
        plan.existing_holdings | {item.view.owner.holding_id for item in plan.owners_changed}
    )
    new_by_holding: dict = defaultdict(list)
    for item in plan.owners_new:
        new_by_holding[item.owner.holding_id].append(item)
    early = [
        item for holding_id in plan.existing_holdings for item in new_by_holding.pop(holding_id, ())
    ]
    for item in early:
        ref, key = existing[item.owner.holding_id]
        _seal_owner(item.owner, item.personal, ref, key, indexer)
    _insert_owners(early)
    progress.add(len(early))
    for item in plan.owners_changed:
        owner = item.view.owner
        ref, key = existing[owner.holding_id]
        _seal_owner(owner, item.personal, ref, key, indexer)
        update = [*item.personal, "is_member", "member_since", "organisation_name", "inn", "ogrn"]
        if "primary_email" in item.personal:
            update.append("email_index")
        if "primary_phone" in item.personal:
            update.append("phone_index")
        owner.save(update_fields=update)
        if item.fields:
            audit.add(
                "imports.owner_changed", owner, premises=str(item.premises_id), fields=item.fields
            )
        if item.membership:
            audit.add(
                "imports.membership_changed",
                owner,
                premises=str(item.premises_id),
                member=owner.is_member,
            )
    progress.add(len(plan.owners_changed))
    audit.flush()

    # New holdings with their owners, batch by batch as their keys come in.
    for start in range(0, len(plan.holdings_new), HOLDING_BATCH):
        batch = plan.holdings_new[start : start + HOLDING_BATCH]
        key_rows, holdings, owners = [], [], []
        for holding, holder in batch:
            key_row, ref, key = keys.take(holding.pk)
            key_rows.append(key_row)
            for name, value in holder.items():
                seal(holding, name, value, ref, key)
            holdings.append(holding)
            for item in new_by_holding.pop(holding.pk, ()):
                _seal_owner(item.owner, item.personal, ref, key, indexer)
                owners.append(item)
        WrappedDataKey.objects.bulk_create(key_rows)
        Holding.objects.bulk_create(holdings)
        _insert_owners(owners)
        progress.add(len(batch) + len(owners))
    if new_by_holding:  # cannot happen: every new owner's holding is new or existing
        raise RuntimeError("owners left without a holding")
    audit.flush()
    return {**plan.counts(), "key_seconds": round(keys.seconds, 2)}


def _insert_owners(items) -> None:
    if not items:
        return
    Owner.objects.bulk_create([item.owner for item in items], batch_size=ROW_BATCH)
    Ownership.objects.bulk_create([item.ownership for item in items], batch_size=ROW_BATCH)
