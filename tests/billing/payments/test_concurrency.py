"""Duplicate deliveries of one notification at the same moment, in real threads against the
real database (committed, as the web workers and the Celery worker would): one event row, one
payment on the account."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction

from tests.billing.payments.standins import TBankStandIn

DELIVERIES = 10


@pytest.fixture
def committed(django_db_setup, django_db_blocker, alpha, settings):
    from billing.payments import services
    from billing.payments.models import (
        OnlinePayment,
        ProviderSettings,
        WebhookEvent,
    )
    from tenants.ledger.payments.models import Allocation, Payment
    from tests.factories import UserFactory
    from tests.tenants.meters.support import audit_ids, remove_committed
    from tests.tenants.residents.factories import make_owner, make_premises

    tbank = TBankStandIn()
    settings.TBANK_API_BASE = tbank.url
    with django_db_blocker.unblock():
        cache.clear()
        connection.set_tenant(alpha)
        audit_before = audit_ids()
        with transaction.atomic():
            user = UserFactory(roles=["owner"])
            premises = make_premises()
            make_owner(premises, user=user)
            services.save_settings(
                actor=None,
                provider="tbank",
                tbank_terminal_key=tbank.terminal_key,
                tbank_password=tbank.password,
            )
        account = premises.accounts.get()
        try:
            yield user, account, tbank
        finally:
            connection.set_tenant(alpha)
            WebhookEvent.objects.all().delete()
            OnlinePayment.objects.filter(account=account).delete()
            ProviderSettings.objects.all().delete()
            payments = Payment.objects.filter(account=account)
            Allocation.objects.filter(payment__in=payments).delete()
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM ledger_payment WHERE account_id = %s", [account.pk])
                cursor.execute("SELECT set_config('tszh.journal_maintenance', 'on', false)")
                cursor.execute("DELETE FROM ledger_entry WHERE account_id = %s", [account.pk])
                cursor.execute("DELETE FROM ledger_balance WHERE account_id = %s", [account.pk])
                cursor.execute("SELECT set_config('tszh.journal_maintenance', '', false)")
            remove_committed(premises, users=[user], audit_before=audit_before)
            connection.set_schema_to_public()
            cache.clear()
            tbank.close()


def test_duplicate_deliveries_at_once_post_one_payment(committed, alpha):
    from billing.payments import services
    from billing.payments.models import OnlinePayment, Status, WebhookEvent
    from tenants.ledger.models import Balance, Entry
    from tenants.ledger.payments.models import Payment

    user, account, tbank = committed
    with transaction.atomic():
        payment = services.start_payment(actor=user, account_id=account.pk, amount="250.00")
    services.checkout(actor=user, payment=payment, return_url="http://x/", notification_url="n")
    payment.refresh_from_db()
    body = json.dumps(tbank.notification(payment.provider_ref)).encode()

    def deliver(_index):
        try:
            connection.set_tenant(alpha)
            events, _new = services.receive("tbank", body, {})
            return [services.process_event(event.pk) for event in events]
        except Exception as error:  # noqa: BLE001 - the result under test
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=DELIVERIES) as pool:
        results = list(pool.map(deliver, range(DELIVERIES)))

    assert not [r for r in results if isinstance(r, Exception)], results
    connection.set_tenant(alpha)
    (event,) = WebhookEvent.objects.all()
    assert event.deliveries == DELIVERIES and event.status == "processed"
    assert OnlinePayment.objects.get(pk=payment.pk).status == Status.SUCCEEDED
    assert Payment.objects.filter(account=account).count() == 1
    assert Entry.objects.filter(account=account).count() == 1
    assert Balance.objects.get(account=account).amount == Decimal("-250.00")
