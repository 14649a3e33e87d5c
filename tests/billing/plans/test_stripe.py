"""Stripe Billing against localstripe on loopback (started by the tests), the Checkout stand-in,
and the platform's webhook: signature on the raw body, one event stored once, processed in any
order and any number of times with the same result."""

from __future__ import annotations

import datetime
import random
import time

import pytest
import stripe
from django.db import connection

from billing.plans import gateway, services, state, tasks
from billing.plans.models import (
    PaymentMethod,
    PlanInvoice,
    PlanPayment,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
)
from tests.billing.plans import support

pytestmark = pytest.mark.django_db


def _process_all():
    connection.set_schema_to_public()
    for pk in WebhookEvent.objects.filter(processed_at=None).values_list("pk", flat=True):
        services.process_event(pk)


def _on_house_by_card(alpha, chairman_client):
    response = chairman_client.post("/settings/plan/change/", {"plan": "house", "method": "stripe"})
    assert response.status_code == 302, response.content.decode()[:500]
    return services.subscription_for(alpha)


def test_choosing_a_plan_by_card_makes_the_customer_and_subscription_at_stripe(
    alpha, chairman_client, stripe_on
):
    subscription = _on_house_by_card(alpha, chairman_client)
    assert subscription.stripe_customer_id.startswith("cus_")
    assert subscription.stripe_subscription_id.startswith("sub_")
    assert subscription.status == SubscriptionStatus.TRIALING
    client = stripe.StripeClient("sk_test_plans", base_addresses={"api": stripe_on})
    remote = client.v1.subscriptions.retrieve(subscription.stripe_subscription_id)
    assert remote["items"].data[0].plan.id == "tszh-house-monthly"
    customer = client.v1.customers.retrieve(subscription.stripe_customer_id)
    assert customer.metadata["association"] == str(alpha.pk)


def test_upgrading_previews_the_proration_and_moves_the_stripe_subscription(
    alpha, chairman_client, stripe_on
):
    subscription = _on_house_by_card(alpha, chairman_client)
    page = chairman_client.get("/settings/plan/?preview=quarter").content.decode()
    assert "data-preview" in page
    response = chairman_client.post(
        "/settings/plan/change/", {"plan": "quarter", "method": "stripe"}
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.plan.code == "quarter"
    client = stripe.StripeClient("sk_test_plans", base_addresses={"api": stripe_on})
    remote = client.v1.subscriptions.retrieve(subscription.stripe_subscription_id)
    assert remote["items"].data[0].plan.id == "tszh-quarter-monthly"


class Recording(stripe.RequestsClient):
    keys: list = []

    def request(self, method, url, headers, post_data=None, **kwargs):
        if method == "post":
            self.keys.append((url.rsplit("/v1/", 1)[-1], headers.get("Idempotency-Key")))
        return super().request(method, url, headers, post_data, **kwargs)


def test_every_creating_call_carries_a_deterministic_idempotency_key(alpha, stripe_on, monkeypatch):
    Recording.keys = []
    monkeypatch.setattr(gateway, "HTTP_CLIENT", Recording())
    first = gateway.create_customer(alpha)
    gateway.create_customer(alpha)
    keys = [key for path, key in Recording.keys if path == "customers"]
    assert keys == [f"plans-customer-{alpha.pk}"] * 2
    house = services.selectors.plan_by_code("house")
    gateway.create_subscription(
        customer_id=first, plan=house, association_id=alpha.pk, revision=3, trial_days=30
    )
    assert ("subscriptions", f"plans-subscription-{alpha.pk}-3") in Recording.keys


def test_the_card_is_given_on_stripe_checkout_reached_by_a_redirect(
    alpha, chairman_client, stripe_on, checkout_standin
):
    _on_house_by_card(alpha, chairman_client)
    response = chairman_client.post("/settings/plan/card/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{checkout_standin}/c/pay/cs_test_")
    session = support.CheckoutStandIn.sessions[response["Location"].rsplit("/", 1)[-1]]
    assert session["mode"] == "setup"
    assert session["idempotency_key"].startswith(f"plans-checkout-{alpha.pk}-")


def test_without_keys_card_payment_is_refused_clearly(alpha, chairman_client, stripe_off):
    response = chairman_client.post("/settings/plan/change/", {"plan": "house", "method": "stripe"})
    assert response.status_code == 200
    assert services.subscription_for(alpha).plan.code == "start"
    assert chairman_client.post("/settings/plan/card/").status_code == 302
    assert services.subscription_for(alpha).stripe_customer_id == ""


# -- the webhook ---------------------------------------------------------------------------------


def test_a_bad_signature_is_a_400_and_nothing_is_stored(public_client, stripe_on):
    payload = support.event("invoice.paid", {"id": "in_x", "customer": "cus_x"}, created=1)
    response = support.post_event(public_client, payload, secret="whsec_someone_else")
    assert response.status_code == 400
    body, header = support.signed(payload)
    tampered = body.replace("in_x", "in_y")
    response = public_client.post(
        "/billing/stripe/webhook/",
        data=tampered,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400
    response = public_client.post(
        "/billing/stripe/webhook/", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    connection.set_schema_to_public()
    assert WebhookEvent.objects.count() == 0


def test_an_event_for_an_unknown_customer_is_stored_and_flagged(public_client, stripe_on):
    payload = support.event(
        "invoice.paid",
        support.invoice_object(
            "in_unknown", "cus_nobody", "sub_nobody", amount=149000, paid=True, period=(1, 2)
        ),
        created=int(time.time()),
    )
    assert support.post_event(public_client, payload).status_code == 200
    _process_all()
    event = WebhookEvent.objects.get(event_id=payload["id"])
    assert event.flag == "unknown_customer" and event.processed_at is not None
    assert PlanPayment.objects.count() == 0


def test_a_stored_event_is_processed_by_the_celery_task_after_commit(
    public_client, stripe_on, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.process_event, "delay", lambda pk: queued.append(pk))
    payload = support.event("customer.created", {"id": "cus_z", "object": "customer"}, created=5)
    with django_capture_on_commit_callbacks(execute=True):
        support.post_event(public_client, payload)
        support.post_event(public_client, payload)
    assert len(queued) == 1
    assert tasks.process_event.apply(args=[queued[0]]).get() == "flagged"


def _lifecycle_events(subscription, *, start: int):
    customer, sub = subscription.stripe_customer_id, subscription.stripe_subscription_id
    day = 86400
    plan = "tszh-house-monthly"
    period = (start + 30 * day, start + 60 * day)
    return {
        "trial": support.event(
            "customer.subscription.updated",
            support.subscription_object(
                sub,
                customer,
                "trialing",
                plan=plan,
                period_end=start + 30 * day,
                trial_end=start + 30 * day,
            ),
            created=start,
        ),
        "failed": support.event(
            "invoice.payment_failed",
            support.invoice_object(
                "in_first", customer, sub, amount=149000, paid=False, period=period
            ),
            created=start + 30 * day,
        ),
        "past_due": support.event(
            "customer.subscription.updated",
            support.subscription_object(sub, customer, "past_due", plan=plan, period_end=period[1]),
            created=start + 30 * day + 1,
        ),
        "paid": support.event(
            "invoice.paid",
            support.invoice_object(
                "in_first", customer, sub, amount=149000, paid=True, period=period
            ),
            created=start + 50 * day,
        ),
        "active": support.event(
            "customer.subscription.updated",
            support.subscription_object(sub, customer, "active", plan=plan, period_end=period[1]),
            created=start + 50 * day + 1,
        ),
    }


def test_the_lifecycle_trial_past_due_suspension_of_features_reactivation(
    alpha, chairman_client, public_client, stripe_on, settings
):
    settings.TSZH_BILLING_GRACE_DAYS = 14
    subscription = _on_house_by_card(alpha, chairman_client)
    now = int(time.time())
    start = now - 50 * 86400  # the trial began 50 days ago; it ended 20 days ago
    events = _lifecycle_events(subscription, start=start)

    support.post_event(public_client, events["trial"])
    _process_all()
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.TRIALING
    assert "data-billing" not in chairman_client.get("/").content.decode()

    for name in ("failed", "past_due"):
        support.post_event(public_client, events[name])
    _process_all()
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAST_DUE
    billing = state.compute(subscription)
    assert billing.overdue and billing.limited  # 20 days overdue > 14 days of grace
    assert 'data-billing="limited"' in chairman_client.get("/").content.decode()
    assert chairman_client.post("/registry/import/", {}).status_code == 403
    invoice = PlanInvoice.objects.get(stripe_invoice_id="in_first")
    assert invoice.status == "open"

    support.post_event(public_client, events["paid"])
    support.post_event(public_client, events["active"])
    _process_all()
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.past_due_since is None
    assert not state.compute(subscription).limited
    assert "data-billing" not in chairman_client.get("/").content.decode()
    assert chairman_client.post("/registry/import/", {}).status_code != 403
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    page = chairman_client.get("/settings/plan/").content.decode()
    assert 'data-invoice="TSZH-_first"' in page or "in_first" in page or "TSZH-" in page


def test_one_webhook_replayed_ten_times_and_out_of_order_records_one_payment(
    alpha, chairman_client, public_client, stripe_on
):
    subscription = _on_house_by_card(alpha, chairman_client)
    start = int(time.time()) - 40 * 86400
    events = _lifecycle_events(subscription, start=start)
    deliveries = [events["paid"]] * 10 + [events["failed"], events["past_due"], events["trial"]]
    deliveries += [events["active"]] * 3
    random.Random(17).shuffle(deliveries)
    for payload in deliveries:
        response = support.post_event(public_client, payload)
        assert response.status_code == 200
        _process_all()  # each processed as it arrives, in this shuffled order
    connection.set_schema_to_public()
    assert WebhookEvent.objects.count() == 5
    assert PlanPayment.objects.count() == 1
    assert PlanPayment.objects.get().amount == 1490
    subscription.refresh_from_db()
    # The newest state wins whatever the order: paid, active, nothing overdue.
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.past_due_since is None
    # Processing again changes nothing.
    for pk in WebhookEvent.objects.values_list("pk", flat=True):
        assert services.process_event(pk) == "done"
    assert PlanPayment.objects.count() == 1


def test_a_cancelled_subscription_falls_back_to_the_free_plan(
    alpha, chairman_client, public_client, stripe_on
):
    subscription = _on_house_by_card(alpha, chairman_client)
    payload = support.event(
        "customer.subscription.deleted",
        support.subscription_object(
            subscription.stripe_subscription_id,
            subscription.stripe_customer_id,
            "canceled",
            plan="tszh-house-monthly",
            period_end=int(time.time()),
        ),
        created=int(time.time()),
    )
    support.post_event(public_client, payload)
    _process_all()
    subscription = Subscription.objects.get(pk=subscription.pk)
    assert subscription.plan.code == "start" and subscription.status == "free"
    alpha.refresh_from_db()
    assert alpha.plan == "start"
    assert subscription.payment_method == PaymentMethod.STRIPE
    assert datetime.datetime  # keeps the import honest for the shapes above


def test_moving_from_card_to_invoice_stops_the_stripe_subscription(
    alpha, chairman_client, stripe_on
):
    subscription = _on_house_by_card(alpha, chairman_client)
    stripe_id = subscription.stripe_subscription_id
    response = chairman_client.post(
        "/settings/plan/change/", {"plan": "house", "method": "invoice"}
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.payment_method == PaymentMethod.INVOICE
    assert subscription.stripe_subscription_id == ""
    client = stripe.StripeClient("sk_test_plans", base_addresses={"api": stripe_on})
    assert client.v1.subscriptions.retrieve(stripe_id).status == "canceled"
