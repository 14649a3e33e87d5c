"""Two accrual runs of one month started at once, in real threads that commit against the real
PostgreSQL: one result. Either the second is refused while the first is under way (the
constraint ``ledger_one_active_run_per_period``), or it comes after and posts nothing (the
charge's unique constraint, under the month's advisory lock). Each thread has its own
connection in ``alpha``'s schema; the test removes what it made."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from tenants.ledger import services
from tenants.ledger.models import Balance, Entry, EntryKind, Method
from tests.tenants.ledger.accruals.support import add_service
from tests.tenants.meters.support import audit_ids, remove_committed
from tests.tenants.residents.factories import make_premises

MAY = datetime.date(2025, 5, 1)
ACCOUNTS = 20
RACERS = 2


@pytest.fixture
def committed(django_db_setup, django_db_blocker, alpha):
    with django_db_blocker.unblock():
        cache.clear()
        connection.set_tenant(alpha)
        audit_before = audit_ids()
        with transaction.atomic():
            premises = [make_premises(area="50") for _ in range(ACCOUNTS)]
            add_service(Method.AREA, "10")
            add_service(Method.FIXED, "100")
        try:
            yield premises
        finally:
            connection.set_tenant(alpha)
            with connection.cursor() as cursor:
                # The journal refuses deletes (the ORM and the table's trigger): a test's
                # cleanup says it is maintenance.
                cursor.execute("SELECT set_config('tszh.journal_maintenance', 'on', false)")
                for table in (
                    "ledger_entry",
                    "ledger_balance",
                    "ledger_accrualrun",
                    "ledger_tariff",
                    "ledger_service",
                    "ledger_period",
                ):
                    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
                cursor.execute("SELECT set_config('tszh.journal_maintenance', '', false)")
            for p in premises:
                remove_committed(p, audit_before=audit_before)
            connection.set_schema_to_public()
            cache.clear()


def test_two_runs_at_once_post_one_result(committed, alpha):
    barrier = threading.Barrier(RACERS)
    results: list = [None] * RACERS

    def race(index):
        try:
            connection.set_tenant(alpha)
            barrier.wait()
            results[index] = services.accrue(MAY, actor=None)
        except Exception as error:  # noqa: BLE001 - the result under test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    runs = [r for r in results if not isinstance(r, Exception)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, ValidationError) for e in errors), errors
    assert sum(r.posted_entries for r in runs) == ACCOUNTS * 2
    connection.set_tenant(alpha)
    assert Entry.objects.filter(period=MAY, kind=EntryKind.CHARGE).count() == ACCOUNTS * 2
    balances = list(Balance.objects.values_list("amount", flat=True))
    assert len(balances) == ACCOUNTS and set(balances) == {Decimal("600.00")}
