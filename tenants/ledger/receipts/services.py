"""Receipts' writes: starting the month's whole-association PDF, its result, the purge of old
ones, and telling members their receipt is ready (with a link, or the PDF attached as each
member chooses: the PDF made at delivery for its reader, :func:`receipt_attachment`). Audited in
the same transaction; tasks are queued on commit with ids only."""

from __future__ import annotations

import contextlib
import datetime
import tempfile
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import relay
from core.audit import services as audit
from tenants.ledger.receipts import selectors
from tenants.ledger.receipts.models import BatchStatus, ReceiptBatch, ReceiptNotice

NOTICE_KIND = "ledger.receipt_ready"


def batch_ttl() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "RECEIPT_BATCH_TTL_HOURS", 72))


def start_batch(*, actor, period: datetime.date) -> ReceiptBatch:
    """Queue the month's receipts as one PDF; one at a time per month (a second start while
    one runs is refused)."""
    if period.day != 1 or not selectors.issued(period):
        raise ValidationError(_("Receipts are made for a month that is over."))
    try:
        with transaction.atomic():
            batch = ReceiptBatch.objects.create(period=period, created_by=actor)
            audit.record(
                "ledger.receipts_batch_started",
                actor=actor,
                target=batch,
                details={"period": period.isoformat()},
            )
    except IntegrityError:
        raise ValidationError(_("The receipts of this month are already being made.")) from None
    transaction.on_commit(lambda: _queue(batch.pk))
    return batch


def _queue(batch_id) -> None:
    """Queue the rendering; a broker that is down keeps the job for the relay (core.relay): the
    batch stays "queued" and is rendered once Redis is back."""
    from tenants.ledger.receipts import tasks

    relay.send(tasks.build_batch, batch_id)


@contextlib.contextmanager
def _rendering(batch_id):
    """This batch's session lock while it renders: True when this process holds it. A worker
    killed mid-render loses it with its connection, so a copy of the task that gets it knows
    nobody else renders the batch."""
    key = f"tszh-receipts-batch:{batch_id}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])


def build_batch(batch_id, *, processes: int | None = None) -> ReceiptBatch | None:
    """Render and seal the batch (the task's body). A batch no longer queued or rendering is
    left alone (a duplicated task does nothing), and so is one another worker is rendering. A
    batch left ``rendering`` by a worker that died (the task came back from the broker) is
    rendered again from the start; the PDF is stored in the same transaction that marks the
    batch ready, so the month has one PDF whatever the number of attempts."""
    with _rendering(batch_id) as held:
        if not held:
            return None
        return _build(batch_id, processes=processes)


def _build(batch_id, *, processes: int | None) -> ReceiptBatch | None:
    from tenants.files import services as files
    from tenants.files.purposes import PDF
    from tenants.ledger.receipts import batch as rendering
    from tenants.ledger.receipts.purposes import RECEIPTS_BATCH

    with transaction.atomic():
        batch = (
            ReceiptBatch.objects.select_for_update()
            .filter(pk=batch_id, status__in=(BatchStatus.QUEUED, BatchStatus.RENDERING))
            .first()
        )
        if batch is None:
            return None
        accounts = selectors.batch_accounts(batch.period)
        batch.status = BatchStatus.RENDERING
        batch.total = len(accounts)
        batch.done = 0
        batch.save(update_fields=["status", "total", "done"])

    def progress(done: int, total: int) -> None:
        ReceiptBatch.objects.filter(pk=batch.pk).update(done=done)

    try:
        with tempfile.TemporaryFile() as out:
            rendering.render_month(
                batch.period, accounts, out, processes=processes, progress=progress
            )
            out.seek(0)
            with transaction.atomic():
                stored = files.store_bytes(
                    iter(lambda: out.read(1 << 20), b""),
                    purpose=RECEIPTS_BATCH,
                    kind=PDF,
                    actor=batch.created_by,
                    name=f"receipts-{batch.period:%Y-%m}.pdf",
                )
                now = timezone.now()
                ReceiptBatch.objects.filter(pk=batch.pk).update(
                    status=BatchStatus.READY,
                    file=stored,
                    done=batch.total,
                    finished_at=now,
                    expires_at=now + batch_ttl(),
                )
    except Exception:
        ReceiptBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED, error="render", finished_at=timezone.now()
        )
        raise
    batch.refresh_from_db()
    return batch


def purge_expired(now=None) -> int:
    """Delete the sealed PDFs of batches past their time (the periodic job); the rows stay as
    the log, marked expired."""
    from tenants.files import services as files

    now = now or timezone.now()
    count = 0
    for batch in ReceiptBatch.objects.filter(
        status=BatchStatus.READY, expires_at__lte=now
    ).select_related("file"):
        with transaction.atomic():
            if batch.file is not None:
                files.delete(batch.file, actor=None)
            ReceiptBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.EXPIRED, file=None)
            count += 1
    return count


def _logins_of(account_ids) -> dict:
    """The logins to tell about each account's receipt: owners of its current holding with a
    login, and residents of its premises now."""
    from tenants.residents import selectors as residents
    from tenants.residents.models import Holding, PersonalAccount, Residency

    logins: dict = {pk: set() for pk in account_ids}
    for account_id, user_id in Holding.objects.filter(
        residents.current("owners__ownerships__"),
        account_id__in=account_ids,
        ended_on__isnull=True,
        owners__user__isnull=False,
    ).values_list("account_id", "owners__user_id"):
        logins[account_id].add(user_id)
    premises = dict(
        PersonalAccount.objects.filter(pk__in=account_ids).values_list("premises_id", "pk")
    )
    for premises_id, user_id in Residency.objects.filter(
        residents.current(), premises_id__in=premises
    ).values_list("premises_id", "user_id"):
        if user_id:
            logins[premises[premises_id]].add(user_id)
    return logins


def notify_ready(*, actor=None, period: datetime.date | None = None) -> int:
    """Tell each member their receipt of the last month is ready, once per month (from the 1st,
    by the 5th: the periodic job runs daily). Returns the letters written."""
    from django.urls import reverse

    from tenants.notifications import services as notifications

    today = timezone.localdate()
    period = period or selectors.first_day(selectors.first_day(today) - datetime.timedelta(days=1))
    if not selectors.issued(period, today):
        return 0
    with transaction.atomic():
        notice, created = ReceiptNotice.objects.select_for_update().get_or_create(period=period)
        if not created:
            return 0
        account_ids = selectors.batch_accounts(period)
        sent = 0
        for account_id, users in _logins_of(account_ids).items():
            if not users:
                continue
            path = reverse(
                "receipts:receipt",
                kwargs={"account": account_id, "month": period.strftime("%Y-%m")},
            )
            message = notifications.notify(
                actor=actor,
                kind=NOTICE_KIND,
                recipients=users,
                subject=_("Your receipt for %(month)s is ready") % {"month": f"{period:%m.%Y}"},
                body=_("The receipt is on the portal; open the link to see or download it."),
                path=path,
                attachment=f"{account_id}/{period:%Y-%m}",
            )
            sent += len(users) if message else 0
        notice.recipients = sent
        notice.save(update_fields=["recipients"])
        audit.record(
            "ledger.receipts_notified",
            actor=actor,
            target=notice,
            details={"period": period.isoformat(), "recipients": sent},
        )
    return sent


def receipt_attachment(reference: str, user):
    """The receipt-ready letter's PDF for ``user``, made at delivery from its reference
    (``<account id>/<YYYY-MM>``) as that reader may see it now (a resident's without the
    owner's name); None when they may not (any more) or the reference is not one."""
    from django.http import Http404

    from core.extensions import Attachment
    from tenants.ledger.receipts import render

    account, _sep, month = reference.partition("/")
    try:
        period = datetime.datetime.strptime(month, "%Y-%m").date()
        data = selectors.receipt_for(user, uuid.UUID(account), period)
    except (ValueError, Http404):
        return None
    return Attachment(
        # The account's number and the month only, as the page's download.
        filename=f"receipt-{data.account_number}-{period:%Y-%m}.pdf",
        content=render.render_pdf(data),
        mimetype="application/pdf",
    )
