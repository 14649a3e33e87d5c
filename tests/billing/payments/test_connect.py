"""Stripe Connect at the platform: one webhook endpoint on the public host routing each event by
its connected account to the association owning it, and the board's onboarding through
Stripe-hosted Account Links (the stand-in follows ``POST /v1/accounts`` and
``POST /v1/account_links``)."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings

from billing.payments import services
from billing.payments.models import OnlinePayment, ProviderSettings, Status
from billing.payments.models import WebhookEvent as PaymentEvent
from billing.plans import connect
from billing.plans.models import ConnectedAccount
from billing.plans.models import WebhookEvent as PlatformEvent
from core.audit.models import AuditEntry
from tenants.ledger.payments.models import Payment, PaymentSource

CONNECT_SECRET = "whsec_platform_connect"
ENDPOINT = "/billing/stripe/connect/webhook/"


@pytest.fixture
def connect_secret():
    with override_settings(STRIPE_CONNECT_WEBHOOK_SECRET=CONNECT_SECRET):
        yield CONNECT_SECRET


def _post(client, event: dict, secret=CONNECT_SECRET):
    body = json.dumps(event)
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body}", secret)
    return client.post(
        ENDPOINT,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={signature}",
    )


def _paid_at_stripe(user, account, standin) -> OnlinePayment:
    payment = services.start_payment(actor=user, account_id=account.pk, amount="1500.00")
    services.checkout(
        actor=user, payment=payment, return_url="http://x/", notification_url="http://x/hook"
    )
    payment.refresh_from_db()
    standin.complete(payment.provider_ref)
    return payment


def _online(account):
    return Payment.objects.filter(source=PaymentSource.ONLINE, account=account)


def test_the_platform_endpoint_routes_an_event_to_the_association_owning_the_account(
    member, stripe_provider, stripe_standin, public_client, connect_secret, alpha
):
    user, account = member
    assert ConnectedAccount.objects.get(account_id="acct_standin").association_id == alpha.pk
    payment = _paid_at_stripe(user, account, stripe_standin)
    event = stripe_standin.intent_event(payment.provider_ref, event_id="evt_platform_1")
    event["data"]["object"]["receipt_email"] = "payer@example.test"

    assert _post(public_client, event, secret="whsec_wrong").status_code == 400
    assert _post(public_client, {"id": "x"}, secret="").status_code == 400
    assert not PlatformEvent.objects.filter(provider="stripe_connect").exists()
    for _ in range(10):
        assert _post(public_client, event).status_code == 200
    (stored,) = PlatformEvent.objects.filter(provider="stripe_connect")
    assert "payer@example.test" not in json.dumps(stored.payload)  # trimmed: nothing personal

    assert connect.process(stored.pk) == "processed"
    assert connect.process(stored.pk) == "done"
    stored.refresh_from_db()
    assert stored.association_id == alpha.pk and not stored.flag
    connection.set_tenant(alpha)
    payment.refresh_from_db()
    assert payment.status == Status.SUCCEEDED
    assert _online(account).count() == 1
    # The same event through the association's own endpoint later: one event, one payment.
    assert PaymentEvent.objects.filter(event_id="evt_platform_1").count() == 1


def test_an_event_for_an_account_nobody_owns_is_stored_flagged_and_posts_nothing(
    member, stripe_provider, stripe_standin, public_client, connect_secret, alpha, beta
):
    user, account = member
    payment = _paid_at_stripe(user, account, stripe_standin)
    event = stripe_standin.intent_event(payment.provider_ref, event_id="evt_orphan")
    event["account"] = "acct_nobody"
    assert _post(public_client, event).status_code == 200
    stored = PlatformEvent.objects.get(event_id="evt_orphan")
    assert connect.process(stored.pk) == "flagged"
    stored.refresh_from_db()
    assert stored.flag == connect.UNKNOWN_ACCOUNT and stored.association_id is None
    for association in (alpha, beta):
        connection.set_tenant(association)
        assert not PaymentEvent.objects.filter(event_id="evt_orphan").exists()
    connection.set_tenant(alpha)
    assert _online(account).count() == 0


def test_an_account_of_one_association_is_refused_to_another(in_alpha, stripe_standin, alpha, beta):
    typed = services.save_settings(
        actor=None, provider="stripe_connect", stripe_account="acct_standin"
    )
    assert typed.stripe_state == "entered"  # typed in: no onboarding button, no word yet
    connection.set_tenant(beta)
    with pytest.raises(ValidationError):
        services.save_settings(actor=None, provider="stripe_connect", stripe_account="acct_standin")
    assert not ProviderSettings.objects.exists()
    connection.set_schema_to_public()
    assert ConnectedAccount.objects.get(account_id="acct_standin").association_id == alpha.pk


def test_the_chairman_connects_with_stripe_and_the_page_follows_the_account(
    alpha, client_of, make_user, stripe_standin, public_client, connect_secret
):
    connection.set_tenant(alpha)
    chairman = make_user(alpha, roles=["chairman"])
    board_member = make_user(alpha, roles=["board_member"])
    client = client_of(alpha, chairman)

    page = client.get("/settings/online-payments/")
    assert page.status_code == 200 and 'data-stripe-state="not_started"' in page.text
    assert (
        client_of(alpha, board_member).post("/settings/online-payments/stripe/connect/").status_code
        == 403
    )

    answer = client.post("/settings/online-payments/stripe/connect/")
    assert answer.status_code == 302
    assert answer["Location"].startswith(stripe_standin.url + "/setup/e/acct_")
    connection.set_tenant(alpha)
    row = ProviderSettings.objects.get()
    assert row.stripe_account.startswith("acct_") and row.stripe_onboarded
    made = stripe_standin.made_accounts[row.stripe_account]
    assert made["type"] == "express" and made["metadata"]["tszh_association"] == alpha.schema_name
    link = stripe_standin.links[-1]
    assert link["return_url"].endswith("/settings/online-payments/?stripe=return")
    assert link["refresh_url"].endswith("/settings/online-payments/stripe/refresh/")
    assert AuditEntry.objects.filter(action="payments.stripe_connect_started").count() == 1

    # Pressed again, and Stripe's refresh: the same account, a fresh link each time.
    assert client.post("/settings/online-payments/stripe/connect/").status_code == 302
    assert client.get("/settings/online-payments/stripe/refresh/").status_code == 302
    assert len(stripe_standin.made_accounts) == 1 and len(stripe_standin.links) == 3
    assert 'data-stripe-state="pending"' in client.get("/settings/online-payments/").text

    # Stripe checks the form: account.updated through the platform's endpoint.
    event = stripe_standin.finish_onboarding(row.stripe_account, event_id="evt_acct_1")
    assert _post(public_client, event).status_code == 200
    assert connect.process(PlatformEvent.objects.get(event_id="evt_acct_1").pk) == "processed"
    connection.set_tenant(alpha)
    assert ProviderSettings.objects.get().stripe_charges_enabled
    assert 'data-stripe-state="enabled"' in client.get("/settings/online-payments/").text
    connection.set_tenant(alpha)
    assert AuditEntry.objects.filter(action="payments.stripe_connect_enabled").count() == 1

    # An older account.updated arriving late changes nothing.
    older = dict(event, id="evt_acct_0", created=event["created"] - 60)
    older["data"] = {"object": dict(event["data"]["object"], charges_enabled=False)}
    assert _post(public_client, older).status_code == 200
    assert connect.process(PlatformEvent.objects.get(event_id="evt_acct_0").pk) == "ignored"
    connection.set_tenant(alpha)
    assert ProviderSettings.objects.get().stripe_charges_enabled

    # Now Stripe can be chosen without typing anything.
    connection.set_tenant(alpha)
    services.save_settings(actor=chairman, provider="stripe_connect")
    assert ProviderSettings.objects.get().provider == "stripe_connect"


def test_connecting_without_stripe_is_refused_with_a_message(alpha, client_of, make_user):
    connection.set_tenant(alpha)
    chairman = make_user(alpha, roles=["chairman"])
    client = client_of(alpha, chairman)
    with override_settings(STRIPE_SECRET_KEY=""):
        answer = client.post("/settings/online-payments/stripe/connect/", follow=True)
    assert answer.status_code == 200
    assert "Stripe" in answer.text and 'data-stripe-state="not_started"' in answer.text
    connection.set_tenant(alpha)
    assert not ProviderSettings.objects.exists()


def test_the_return_link_asks_stripe_and_posts_the_payment_once(
    member, stripe_provider, stripe_standin, client_of, alpha
):
    from billing.payments import tokens

    user, account = member
    payment = _paid_at_stripe(user, account, stripe_standin)
    path = f"/money/online/{payment.pk}/return/{tokens.make_token(payment.pk)}/"
    client = client_of(alpha, user)
    assert client.get(f"/money/online/{payment.pk}/return/not-a-token/").status_code == 404
    for _ in range(2):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"] == f"/money/online/{payment.pk}/"
    connection.set_tenant(alpha)
    payment.refresh_from_db()
    assert payment.status == Status.SUCCEEDED
    assert _online(account).count() == 1
    # Stripe's own notification arriving afterwards posts nothing more.
    event = stripe_standin.intent_event(payment.provider_ref, event_id="evt_after_return")
    rows, _new = services._store("stripe_connect", services_parse(event))
    services.process_event(rows[0].pk)
    assert _online(account).count() == 1


def services_parse(event):
    from billing.payments.providers.stripe_connect import parse_event

    return parse_event(event)
