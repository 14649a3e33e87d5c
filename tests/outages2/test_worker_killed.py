"""A Celery worker killed (SIGKILL) in the middle of a task: the broker gives the task to the next
worker (late acknowledgement, a visibility timeout of seconds here) and its effect happens once.

Each test starts a real ``celery worker`` process (``Workers``) that hangs at a known call of
the task (``tests/outages2/hanging_worker.py``), kills it there, starts a clean one and counts
what the task left: each charge once per account and month, each letter once per recipient,
each imported row once, the month's receipts PDF once.
"""

from __future__ import annotations

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
