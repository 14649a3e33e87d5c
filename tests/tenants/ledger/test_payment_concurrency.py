"""50 payments to one account at once, in real threads against the real database: none lost."""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction

from tenants.ledger.models import Balance, Entry
from tenants.ledger.payments import services
from tenants.ledger.payments.models import Allocation, Payment
from tests.factories import UserFactory

PAYMENTS = 50


@pytest.fixture
def committed(django_db_setup, django_db_blocker, alpha):
    from tests.tenants.meters.support import audit_ids, remove_committed
    from tests.tenants.residents.factories import make_premises

    with django_db_blocker.unblock():
        cache.clear()
        connection.set_tenant(alpha)
        audit_before = audit_ids()
        with transaction.atomic():
            accountant = UserFactory(roles=["accountant"])
            premises = make_premises()
        account = premises.accounts.get()
        try:
            yield accountant, account
        finally:
            connection.set_tenant(alpha)
            payments = Payment.objects.filter(account=account)
            Allocation.objects.filter(payment__in=payments).delete()
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM ledger_payment WHERE account_id = %s", [account.pk])
                # The journal's trigger refuses deletes unless a maintenance session says so.
                cursor.execute("SELECT set_config('tszh.journal_maintenance', 'on', false)")
                cursor.execute("DELETE FROM ledger_entry WHERE account_id = %s", [account.pk])
                cursor.execute("DELETE FROM ledger_balance WHERE account_id = %s", [account.pk])
                cursor.execute("SELECT set_config('tszh.journal_maintenance', '', false)")
            remove_committed(premises, users=[accountant], audit_before=audit_before)
            connection.set_schema_to_public()
            cache.clear()


def test_50_concurrent_payments_to_one_account_lose_nothing(committed, alpha):
    accountant, account = committed

    def pay(index):
        try:
            connection.set_tenant(alpha)
            return services.record_payment(
                actor=accountant,
                account=account,
                amount=Decimal("10.01"),
                paid_on=datetime.date(2025, 3, 1),
                source="cash",
                source_id=f"race-{index}",
            ).pk
        except Exception as error:  # noqa: BLE001 - the result under test
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(pay, range(PAYMENTS)))

    assert not [r for r in results if isinstance(r, Exception)], results
    connection.set_tenant(alpha)
    assert Payment.objects.filter(account=account).count() == PAYMENTS
    assert Entry.objects.filter(account=account).count() == PAYMENTS
    expected = Decimal("-10.01") * PAYMENTS
    assert Balance.objects.get(account=account).amount == expected
    credit = sum(a.amount for a in Allocation.objects.filter(payment__account=account))
    assert credit == -expected
