"""Reads for imports: the registry as the import sees it, jobs, preview rows and progress."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from core import tenancy
from core.crypto.fields import EncryptedQuerySet
from tenants.imports.columns import normalize, phone_key
from tenants.imports.models import ImportJob, ImportRow, JobStatus, RowStatus
from tenants.residents.models import (
    Building,
    Holding,
    Owner,
    OwnerKind,
    Ownership,
    PersonalAccount,
    Premises,
    PremisesKind,
)

#: Owners are opened in batches so their holdings' keys stay in the key cache while used.
OWNER_BATCH = 2000
PROGRESS_TTL = 24 * 3600


def association_today() -> datetime.date:
    """Today in the association's time zone (a task has no request to activate it)."""
    tenant = getattr(connection, "tenant", None)
    name = getattr(tenant, "time_zone", None)
    try:
        zone = zoneinfo.ZoneInfo(name) if name else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_current_timezone()
    return timezone.localdate(timezone=zone)


def association_suspended() -> bool:
    """Whether the operators have suspended this association, read now from the public schema.

    A task's tenant object is loaded when the task starts (and may be cached by the worker): an
    import queued before a suspension must see it, so the status is read afresh (through the
    platform's ``core.tenancy`` hook: a tenant app imports no public-schema app).
    """
    return tenancy.association_suspended(connection.schema_name)


def default_premises_kind() -> str:
    """Garden plots in a СНТ (217-ФЗ), flats elsewhere."""
    tenant = getattr(connection, "tenant", None)
    return PremisesKind.PLOT if getattr(tenant, "kind", "") == "snt" else PremisesKind.FLAT


def number_key(number: str) -> str:
    """Premises numbers compare without case, as the registry's own check does (12А = 12а)."""
    return " ".join(str(number).split()).casefold()


# -- the registry, as far as an import touches it -----------------------------------------------


@dataclass
class OwnerView:
    """An existing owner of a current holding, with the personal data the import compares."""

    owner: Owner
    kind: str
    name_key: str
    email_index: str | None
    primary_email: str
    emails: list
    primary_phone: str
    phones: list
    phone_keys: set


@dataclass
class Snapshot:
    buildings: dict[str, Building] = field(default_factory=dict)
    premises: dict[tuple, Premises] = field(default_factory=dict)
    by_cadastral: dict[str, Premises] = field(default_factory=dict)
    accounts: dict[str, PersonalAccount] = field(default_factory=dict)
    holdings: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # account → holding
    owners: dict[uuid.UUID, list[OwnerView]] = field(default_factory=lambda: defaultdict(list))
    ownerships: dict[uuid.UUID, list[Ownership]] = field(default_factory=lambda: defaultdict(list))


def _open_owner(owner: Owner) -> OwnerView:
    if owner.kind == OwnerKind.ORGANISATION:
        name_key = normalize(owner.organisation_name)
    else:
        name_key = normalize(owner.full_name or "")
    phones = list(owner.phones or [])
    primary_phone = owner.primary_phone or ""
    return OwnerView(
        owner=owner,
        kind=owner.kind,
        name_key=name_key,
        email_index=owner.email_index,
        primary_email=owner.primary_email or "",
        emails=list(owner.emails or []),
        primary_phone=primary_phone,
        phones=phones,
        phone_keys={phone_key(p) for p in [primary_phone, *phones] if p},
    )


def registry_snapshot(values: list[dict], *, today: datetime.date, lock: bool = False) -> Snapshot:
    """What the registry holds for the buildings, premises and accounts named by ``values``.

    With ``lock`` (the confirmed import) the premises and accounts are locked until the end of
    the transaction, so manual edits of shares wait rather than interleave (the registry's own
    services lock premises the same way).
    """
    snap = Snapshot()
    wanted = {normalize(v["building"]) for v in values if v.get("building")}
    for building in Building.objects.all():
        key = normalize(building.name)
        if key in wanted:
            snap.buildings.setdefault(key, building)
    building_ids = [building.id for building in snap.buildings.values()]

    premises = Premises.objects.filter(building_id__in=building_ids)
    if lock:
        premises = premises.select_for_update()
    for item in premises:
        snap.premises[(item.building_id, item.kind, number_key(item.number))] = item

    cadastral = {v["cadastral"] for v in values if v.get("cadastral")}
    if cadastral:
        for item in Premises.objects.filter(cadastral_number__in=cadastral).select_related(
            "building"
        ):
            snap.by_cadastral[item.cadastral_number] = item

    numbers = {v["account"] for v in values if v.get("account")}
    if numbers:
        accounts = PersonalAccount.objects.filter(number__in=numbers).select_related(
            "premises__building"
        )
        if lock:
            accounts = accounts.select_for_update(of=("self",))
        snap.accounts = {account.number: account for account in accounts}
    account_ids = [account.id for account in snap.accounts.values()]
    if account_ids:
        current = Holding.objects.filter(account_id__in=account_ids, ended_on__isnull=True)
        snap.holdings = dict(current.values_list("account_id", "id"))
    holding_ids = list(snap.holdings.values())
    for start in range(0, len(holding_ids), OWNER_BATCH):
        batch = Owner.objects.filter(holding_id__in=holding_ids[start : start + OWNER_BATCH])
        for owner in batch:
            snap.owners[owner.holding_id].append(_open_owner(owner))

    premises_ids = [item.id for item in snap.premises.values()]
    if premises_ids:
        ownerships = Ownership.objects.filter(
            premises_id__in=premises_ids, started_on__lte=today
        ).exclude(ended_on__lte=today)
        for ownership in ownerships:
            snap.ownerships[ownership.premises_id].append(ownership)
    return snap


# -- jobs and rows ------------------------------------------------------------------------------


def recent_jobs(limit: int = 20):
    """The association's latest imports (any board member's: the board shares the registry)."""
    return ImportJob.objects.exclude(status=JobStatus.DISCARDED)[:limit]


def job_rows(job: ImportJob, status: str | None = None) -> EncryptedQuerySet:
    rows = ImportRow.objects.filter(job=job)
    if status in RowStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("line")


def same_file_imported(job: ImportJob) -> ImportJob | None:
    """An earlier import of exactly this file that went through, if any."""
    if not job.file_sha256:
        return None
    return (
        ImportJob.objects.filter(file_sha256=job.file_sha256, status=JobStatus.DONE)
        .exclude(pk=job.pk)
        .order_by("-finished_at")
        .first()
    )


def progress_key(job_id) -> str:
    return f"imports:progress:{job_id}"


def job_progress(job: ImportJob) -> dict:
    """``{"done", "total", "percent"}`` of a running import (from the cache), else of its rows."""
    data = cache.get(progress_key(job.pk)) or {}
    total = int(data.get("total") or 0) or job.total_rows or 1
    done = min(int(data.get("done") or 0), total)
    if job.status == JobStatus.DONE:
        done = total
    return {"done": done, "total": total, "percent": int(done * 100 / total)}


# -- the preview page -------------------------------------------------------------------------

ROWS_PER_PAGE = 50


def _row_display(item: ImportRow) -> dict:
    from tenants.imports.columns import COLUMNS_BY_KEY, error_text

    data = item.data or {}
    values = data.get("values") or {}
    kind = values.get("kind")
    kind_label = PremisesKind(kind).label if kind in PremisesKind.values else ""
    premises = ", ".join(
        part
        for part in (values.get("building") or "", f"{kind_label} {values.get('number') or ''}")
        if part.strip()
    )
    return {
        "line": item.line,
        "status": item.status,
        "status_label": RowStatus(item.status).label,
        "premises": premises,
        "account": values.get("account") or "",
        "owner": values.get("owner") or "",
        "share": values.get("share") or "",
        "changes": [
            str(COLUMNS_BY_KEY[key].label) for key in item.changes if key in COLUMNS_BY_KEY
        ],
        "errors": [error_text(error, item.line, values) for error in item.errors],
        "bad": [
            (str(COLUMNS_BY_KEY[key].label), text)
            for key, text in (data.get("bad") or {}).items()
            if key in COLUMNS_BY_KEY and text
        ],
    }


def preview_page(job: ImportJob, status: str | None, page_number) -> tuple:
    """(page of rows, rows shown as dicts): only this page's rows are decrypted."""
    from django.core.paginator import Paginator

    paginator = Paginator(job_rows(job, status), ROWS_PER_PAGE)
    page = paginator.get_page(page_number)
    return page, [_row_display(item) for item in page.object_list]
