"""A Celery worker killed (SIGKILL) in the middle of a task: the broker gives the task to the next
worker (late acknowledgement, a visibility timeout of seconds here) and its effect happens once.

Each test starts a real ``celery worker`` process (``Workers``) that hangs at a known call of
the task (``tests/outages2/hanging_worker.py``), kills it there, starts a clean one and counts
what the task left: each charge once per account and month, each letter once per recipient,
each imported row once, the month's receipts PDF once.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.db.models import Sum
from django.utils import timezone

from core.access.roles import Role
from tenants.ledger import services as ledger
from tenants.ledger.models import AccrualRun, Balance, Entry, EntryKind, Method, RunStatus
from tests.factories import UserFactory
from tests.outages2.conftest import wait_until
from tests.tenants.ledger.accruals.support import add_service
from tests.tenants.residents.factories import make_premises

pytestmark = pytest.mark.xdist_group("outages2")

ACCOUNTS = 6


def _registry(count: int = ACCOUNTS):
    return [make_premises(area=f"{40 + n}.00").accounts.get() for n in range(count)]


def _run(pk) -> AccrualRun:
    return AccrualRun.objects.get(pk=pk)


def test_accrual_run_killed_in_preview_and_in_posting_posts_each_charge_once(scratch, workers):
    accounts = _registry()
    area = add_service(Method.AREA, "10.00")
    fixed = add_service(Method.FIXED, "250.00")
    accountant = UserFactory(roles=[Role.ACCOUNTANT])
    period = timezone.localdate().replace(day=1)

    # 1. Killed while the preview is being calculated (the run is "previewing" by then).
    first, hanging = workers.start(hang="tenants.ledger.services:_set_progress")
    run = ledger.start_run(period, actor=accountant)  # commits, then queues the preview
    workers.wait_hanging(first, hanging)
    assert _run(run.pk).status == RunStatus.PREVIEWING
    workers.kill(first)

    # 2. The next worker calculates the preview; killed again while posting, after the charges
    #    were inserted and before the transaction committed.
    second, hanging = workers.start(hang="tenants.ledger.services:pass_capital_repair_arrears")
    wait_until(
        lambda: _run(run.pk).status == RunStatus.PREVIEW, what="the preview", workers=workers
    )
    ledger.confirm_run(run.pk, actor=accountant)
    workers.wait_hanging(second, hanging)
    workers.kill(second)
    assert not Entry.objects.filter(kind=EntryKind.CHARGE).exists(), "nothing half-posted"

    # 3. A clean worker posts the run once.
    workers.start()
    done = wait_until(
        lambda: (r := _run(run.pk)).status in (RunStatus.POSTED, RunStatus.FAILED) and r,
        what="the posting",
        workers=workers,
    )
    assert done.status == RunStatus.POSTED, done.log
    charges = Entry.objects.filter(kind=EntryKind.CHARGE, period=period)
    assert charges.count() == 2 * ACCOUNTS
    for account in accounts:
        mine = charges.filter(account=account)
        assert sorted(mine.values_list("service_id", flat=True)) == sorted([area.pk, fixed.pk])
        total = mine.aggregate(total=Sum("amount"))["total"]
        assert Balance.objects.get(account=account).amount == total
    assert done.posted_entries == 2 * ACCOUNTS


def test_receipts_batch_killed_mid_render_is_rendered_again_into_one_pdf(scratch, workers):
    from pypdf import PdfReader

    from tenants.files.models import StoredFile
    from tenants.files.selectors import read_bytes
    from tenants.ledger.receipts import services as receipts
    from tenants.ledger.receipts.models import BatchStatus, ReceiptBatch
    from tenants.profile.models import PaymentRecipient

    PaymentRecipient.objects.create(
        title="main",
        recipient_name="ТСЖ «Сбой»",
        account="40703810938000000001",
        bank_name="ПАО Сбербанк",
        bic="044525225",
        corr_account="30101810400000000225",
        is_main=True,
    )
    _registry(4)
    add_service(Method.AREA, "10.00")
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    ledger.accrue(last_month, actor=None)
    accountant = UserFactory(roles=[Role.ACCOUNTANT])

    first, hanging = workers.start(hang="tenants.ledger.receipts.batch:write_pdf")
    batch = receipts.start_batch(actor=accountant, period=last_month)
    workers.wait_hanging(first, hanging)
    assert ReceiptBatch.objects.get(pk=batch.pk).status == BatchStatus.RENDERING
    workers.kill(first)

    workers.start()
    done = wait_until(
        lambda: not (b := ReceiptBatch.objects.get(pk=batch.pk)).is_running and b,
        what="the receipts batch",
        workers=workers,
    )
    assert done.status == BatchStatus.READY, done.error
    assert StoredFile.objects.filter(purpose="ledger.receipts_batch").count() == 1
    pages = PdfReader(io.BytesIO(read_bytes(done.file))).pages
    assert len(pages) == done.total == 4


@pytest.mark.parametrize("pool", ["solo", "prefork"])
def test_import_killed_before_its_commit_imports_each_row_once(scratch, workers, pool):
    """``solo``: the whole worker is killed; the next worker gets the task from the broker.
    ``prefork``: only the pool process running it is killed (an OOM kill); the worker puts the
    task back (``reject_on_worker_lost``) and runs it again in a new pool process."""
    from tenants.imports import services as imports
    from tenants.imports.models import ImportJob, JobStatus
    from tenants.residents.models import Holding, Owner, Premises
    from tests.tenants.imports.conftest import owner_row, upload, xlsx

    board = UserFactory(roles=[Role.CHAIRMAN])
    content = xlsx([owner_row(n) for n in range(1, 13)])
    job = imports.create_preview(upload=upload(content), file_name="r.xlsx", actor=board)

    # Killed with every row written in the import's transaction, before it commits.
    first, hanging = workers.start(
        hang="tenants.imports.services.running:_execute", when="after", pool=pool
    )
    imports.confirm_import(job.pk, actor=board)
    workers.wait_hanging(first, hanging)
    if pool == "solo":
        workers.kill(first)
        assert Premises.objects.count() == 0, "nothing half-imported"
        workers.start()
    else:
        workers.kill_pool_process(hanging)

    done = wait_until(
        lambda: not (j := ImportJob.objects.get(pk=job.pk)).in_progress and j,
        what="the import",
        workers=workers,
    )
    assert done.status == JobStatus.DONE, done.notice
    assert Premises.objects.count() == 12
    assert Owner.objects.count() == 12 and Holding.objects.count() == 12
    assert first.poll() is None or pool == "solo", "the prefork worker lived on"


def test_mass_email_killed_mid_batch_reaches_each_recipient_once(scratch, workers):
    from tenants.notifications import services as notifications
    from tenants.notifications.declaration import ANNOUNCEMENT
    from tenants.notifications.models import OutboxMessage
    from tests.smtp_sink import Inbox, smtp_server

    chairman = UserFactory(roles=[Role.CHAIRMAN])
    members = [UserFactory(roles=[Role.OWNER], email=f"member{n}@example.test") for n in range(8)]
    inbox = Inbox()
    server = smtp_server(inbox)
    smtp = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "EMAIL_USE_TLS": "0",
    }
    try:
        # The third letter has gone to the SMTP server; the worker dies before noting it sent.
        first, hanging = workers.start(
            hang="django.core.mail.backends.smtp:EmailBackend.send_messages",
            hang_at=3,
            when="after",
            **smtp,
        )
        notifications.notify(
            actor=chairman, kind=ANNOUNCEMENT, recipients=members, subject="Собрание"
        )
        workers.wait_hanging(first, hanging)
        workers.kill(first)
        assert len(inbox.recipients()) == 3

        workers.start(**smtp)
        wait_until(
            lambda: not OutboxMessage.objects.filter(status__in=("pending", "sending")).exists(),
            what="the deliveries",
            workers=workers,
        )
    finally:
        server.stop()
    received = inbox.recipients()
    assert sorted(received) == sorted(m.email for m in members), "each member once"
    statuses = sorted(OutboxMessage.objects.values_list("status", "error_code"))
    # The letter in flight when the worker died may have gone: failed, shown to the board,
    # never sent again.
    assert statuses == [("failed", "interrupted")] + [("sent", "")] * 7
