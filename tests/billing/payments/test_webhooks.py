"""The providers' notifications: signature on the raw body, stored once, processed in any
order, flagged when they are not ours; through the HTTP endpoints as the providers call them."""

from __future__ import annotations

import json
import random
import time
from decimal import Decimal

import pytest
import stripe

from billing.payments import services
from billing.payments.models import EventStatus, FlagReason, OnlinePayment, Status, WebhookEvent
from tenants.ledger.models import Balance, Entry
from tenants.ledger.payments.models import Payment, PaymentSource
from tests.billing.payments.conftest import STRIPE_WEBHOOK_SECRET


def _started(user, account, amount="1500.00") -> OnlinePayment:
    payment = services.start_payment(actor=user, account_id=account.pk, amount=amount)
    services.checkout(
        actor=user, payment=payment, return_url="http://x/", notification_url="http://x/hook"
    )
    payment.refresh_from_db()
    return payment


def _tbank_deliver(data: dict):
    body = json.dumps(data).encode()
    events, new = services.receive("tbank", body, {})
    for event in events:
        services.process_event(event.pk)
    return events, new


def _online_payments(account):
    return Payment.objects.filter(source=PaymentSource.ONLINE, account=account)


def test_the_tbank_payment_starts_with_an_sbp_link(member, tbank_provider, tbank):
    user, account = member
    payment = _started(user, account)
    assert payment.pay_url.startswith("https://qr.nspk.ru/")
    assert tbank.payments[payment.provider_ref]["Amount"] == 150000
    assert tbank.payments[payment.provider_ref]["OrderId"] == str(payment.pk)


def test_one_webhook_replayed_10_times_and_out_of_order_records_one_payment(
    member, tbank_provider, tbank
):
    user, account = member
    payment = _started(user, account)
    ref = payment.provider_ref
    confirmed = tbank.notification(ref, "CONFIRMED")
    deliveries = [confirmed] * 10 + [
        tbank.notification(ref, "AUTHORIZED"),
        tbank.notification(ref, "REJECTED"),  # an earlier attempt's refusal, arriving late
        tbank.notification(ref, "NEW"),
    ]
    random.Random(17).shuffle(deliveries)
    # The confirmation is not first: a late "rejected" must not hide the success that follows.
    deliveries.remove(confirmed)
    deliveries.insert(5, confirmed)
    for data in deliveries:
        _tbank_deliver(data)

    payment.refresh_from_db()
    assert payment.status == Status.SUCCEEDED
    assert _online_payments(account).count() == 1
    assert Entry.objects.filter(account=account, kind="payment").count() == 1
    assert Balance.objects.get(account=account).amount == Decimal("0.00")
    stored = WebhookEvent.objects.get(event_id=f"{ref}:CONFIRMED:150000")
    assert stored.deliveries == 10 and stored.status == EventStatus.PROCESSED


def test_a_refund_arriving_before_the_success_waits_for_it(member, tbank_provider, tbank):
    user, account = member
    payment = _started(user, account)
    ref = payment.provider_ref
    refund = tbank.notification(ref, "PARTIAL_REFUNDED", amount=50000)
    (waiting,), _new = _tbank_deliver(refund)
    waiting.refresh_from_db()
    assert waiting.status == EventStatus.WAITING
    assert Balance.objects.get(account=account).amount == Decimal("1500.00")

    _tbank_deliver(tbank.notification(ref, "CONFIRMED"))
    _tbank_deliver(refund)  # and once more: nothing twice

    waiting.refresh_from_db()
    payment.refresh_from_db()
    assert waiting.status == EventStatus.PROCESSED
    assert payment.status == Status.PARTIALLY_REFUNDED and payment.refunded == Decimal("500.00")
    assert Balance.objects.get(account=account).amount == Decimal("500.00")
    reversal = Entry.objects.get(account=account, source="online_refund")
    assert reversal.amount == Decimal("500.00") and reversal.reason


def test_a_refund_asked_here_and_notified_by_the_bank_counts_once(member, tbank_provider, tbank):
    user, account = member
    payment = _started(user, account)
    tbank.set_status(payment.provider_ref, "CONFIRMED")
    _tbank_deliver(tbank.notification(payment.provider_ref, "CONFIRMED"))
    payment.refresh_from_db()

    services.refund(actor=None, payment=payment, amount="1500.00", reason="Двойная оплата")
    assert tbank.payments[payment.provider_ref]["Status"] == "REFUNDED"
    _tbank_deliver(tbank.notification(payment.provider_ref, "REFUNDED", amount=150000))

    payment.refresh_from_db()
    assert payment.status == Status.REFUNDED
    assert Entry.objects.filter(account=account, source="online_refund").count() == 1
    assert Balance.objects.get(account=account).amount == Decimal("1500.00")


def test_another_terminal_is_stored_flagged_and_posts_nothing(member, tbank_provider, tbank):
    user, account = member
    payment = _started(user, account)
    data = tbank.notification(payment.provider_ref, terminal="SomeoneElsesTerminal")
    (event,), _new = _tbank_deliver(data)
    event.refresh_from_db()
    assert event.status == EventStatus.FLAGGED
    assert event.flag == FlagReason.UNKNOWN_ASSOCIATION
    assert not _online_payments(account).exists()


def test_an_unknown_payment_is_stored_flagged_and_posts_nothing(member, tbank_provider, tbank):
    user, account = member
    payment = _started(user, account)
    data = tbank.notification(payment.provider_ref)
    data["OrderId"] = "00000000-0000-0000-0000-000000000000"
    data["PaymentId"] = 1
    from billing.payments.providers.tbank import token

    data["Token"] = token(data, tbank.password)
    (event,), _new = _tbank_deliver(data)
    event.refresh_from_db()
    assert (event.status, event.flag) == (EventStatus.FLAGGED, FlagReason.UNKNOWN_PAYMENT)
    assert not _online_payments(account).exists()


def test_another_amount_is_flagged_and_posts_nothing(member, tbank_provider, tbank):
    user, account = member
    payment = _started(user, account)
    (event,), _new = _tbank_deliver(tbank.notification(payment.provider_ref, amount=1))
    event.refresh_from_db()
    assert (event.status, event.flag) == (EventStatus.FLAGGED, FlagReason.AMOUNT_MISMATCH)
    payment.refresh_from_db()
    assert payment.status == Status.PENDING
    assert not _online_payments(account).exists()


# -- through HTTP -------------------------------------------------------------------------------


@pytest.fixture
def webhook_client(db, alpha):
    from django.test import Client

    from tests.conftest import host_of

    return Client(HTTP_HOST=host_of(alpha), enforce_csrf_checks=True)


def test_tbank_endpoint_bad_signature_400_nothing_stored(
    member, tbank_provider, tbank, webhook_client
):
    user, account = member
    payment = _started(user, account)
    data = tbank.notification(payment.provider_ref, password="not-the-password")
    answer = webhook_client.post(
        "/payments/webhooks/tbank/", json.dumps(data), content_type="application/json"
    )
    assert answer.status_code == 400
    assert not WebhookEvent.objects.exists()
    garbage = webhook_client.post(
        "/payments/webhooks/tbank/", b"{", content_type="application/json"
    )
    assert garbage.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_tbank_endpoint_answers_ok_and_a_duplicate_200_nothing_twice(
    member, tbank_provider, tbank, webhook_client, django_capture_on_commit_callbacks
):
    user, account = member
    payment = _started(user, account)
    body = json.dumps(tbank.notification(payment.provider_ref))
    with django_capture_on_commit_callbacks() as queued:
        first = webhook_client.post(
            "/payments/webhooks/tbank/", body, content_type="application/json"
        )
        second = webhook_client.post(
            "/payments/webhooks/tbank/", body, content_type="application/json"
        )
    assert (first.status_code, first.content) == (200, b"OK")
    assert (second.status_code, second.content) == (200, b"OK")
    assert len(queued) == 1  # one task for the one event
    (event,) = WebhookEvent.objects.all()
    assert event.deliveries == 2 and event.status == EventStatus.RECEIVED
    services.process_event(event.pk)
    services.process_event(event.pk)
    assert _online_payments(account).count() == 1


def test_webhooks_answer_405_to_a_get(webhook_client, in_alpha):
    for name in ("stripe", "tbank", "test"):
        assert webhook_client.get(f"/payments/webhooks/{name}/").status_code == 405


def _stripe_post(client, event: dict, secret=STRIPE_WEBHOOK_SECRET):
    body = json.dumps(event)
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body}", secret)
    return client.post(
        "/payments/webhooks/stripe/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={signature}",
    )


def test_stripe_connect_endpoint(member, stripe_provider, stripe_standin, webhook_client):
    user, account = member
    payment = _started(user, account)
    intent = stripe_standin.intents[payment.provider_ref]
    assert intent["application_fee_amount"] == 1500  # 1 % of 1500.00 ₽ in kopecks
    stripe_standin.complete(payment.provider_ref)
    event = stripe_standin.intent_event(payment.provider_ref, event_id="evt_1")

    assert _stripe_post(webhook_client, event, secret="whsec_wrong").status_code == 400
    assert not WebhookEvent.objects.exists()
    for _ in range(3):
        assert _stripe_post(webhook_client, event).status_code == 200
    (stored,) = WebhookEvent.objects.all()
    services.process_event(stored.pk)
    payment.refresh_from_db()
    assert payment.status == Status.SUCCEEDED
    assert _online_payments(account).count() == 1

    foreign = dict(stripe_standin.intent_event(payment.provider_ref, event_id="evt_2"))
    foreign["account"] = "acct_someone_else"
    assert _stripe_post(webhook_client, foreign).status_code == 200
    other = WebhookEvent.objects.get(event_id="evt_2")
    services.process_event(other.pk)
    other.refresh_from_db()
    assert other.flag == FlagReason.UNKNOWN_ASSOCIATION
    assert _online_payments(account).count() == 1


def test_stripe_refund_event_reverses_once(member, stripe_provider, stripe_standin, webhook_client):
    user, account = member
    payment = _started(user, account)
    stripe_standin.complete(payment.provider_ref)
    _stripe_post(webhook_client, stripe_standin.intent_event(payment.provider_ref, event_id="e1"))
    services.process_event(WebhookEvent.objects.get(event_id="e1").pk)
    payment.refresh_from_db()

    row = services.refund(actor=None, payment=payment, amount="200.00", reason="Частичный возврат")
    refund = stripe_standin.refunds[row.provider_ref]
    for event_id, kind in (("e2", "refund.created"), ("e3", "refund.updated")):
        event = {
            "id": event_id,
            "object": "event",
            "type": kind,
            "account": "acct_standin",
            "data": {"object": refund},
        }
        assert _stripe_post(webhook_client, event).status_code == 200
        services.process_event(WebhookEvent.objects.get(event_id=event_id).pk)
    payment.refresh_from_db()
    assert payment.refunded == Decimal("200.00")
    assert Entry.objects.filter(account=account, source="online_refund").count() == 1
    assert Balance.objects.get(account=account).amount == Decimal("200.00")
