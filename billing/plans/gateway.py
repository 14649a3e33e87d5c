"""The platform's Stripe account, as billing uses it: customers, the older Plans API and
subscriptions (Stripe Billing), invoice previews, and Checkout Sessions for a card.

Every call that creates something carries a deterministic idempotency key (the association's
id, the plan and the subscription's revision), so a retried request or a second click never
makes a second customer, subscription or charge. Amounts cross here: Stripe counts kopecks in
integers, the portal counts roubles in ``Decimal``.

Settings: ``STRIPE_SECRET_KEY`` (none: Stripe is off and operators manage plans by hand),
``STRIPE_API_BASE`` (``localstripe`` in tests), ``STRIPE_CHECKOUT_API_BASE`` (Checkout Sessions'
address: ``localstripe`` has no Checkout, so the tests point this at a stand-in on loopback that
follows Stripe's documented ``POST /v1/checkout/sessions``; by default Stripe's own API),
``STRIPE_WEBHOOK_SECRET`` (the platform endpoint's signing secret).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal

import stripe
from django.conf import settings

CURRENCY = "rub"


class GatewayError(Exception):
    """Stripe refused or could not be reached: the caller shows a clear message."""


def enabled() -> bool:
    return bool(getattr(settings, "STRIPE_SECRET_KEY", ""))


#: Tests set an HTTP client that records requests (the idempotency keys); None: stripe's own.
HTTP_CLIENT = None


def timeout() -> float:
    """Seconds a Stripe call waits for an answer (``TSZH_PAYMENTS_TIMEOUT``, default 10): the
    library's own 80 would hold a chairman's request that long."""
    value = getattr(settings, "TSZH_PAYMENTS_TIMEOUT", None)
    return float(value if value is not None else os.environ.get("TSZH_PAYMENTS_TIMEOUT", "10"))


def _client(api_base: str | None = None) -> stripe.StripeClient:
    """A timeout or a dropped connection is retried twice by the library, with backoff, under
    the call's own Idempotency-Key (each create below names one): never a second object."""
    base = api_base or getattr(settings, "STRIPE_API_BASE", "") or "https://api.stripe.com"
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base},
        max_network_retries=2,
        http_client=HTTP_CLIENT or stripe.RequestsClient(timeout=timeout()),
    )


def to_kopecks(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def to_roubles(kopecks: int) -> Decimal:
    return (Decimal(int(kopecks)) / 100).quantize(Decimal("0.01"))


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except stripe.StripeError as error:
        raise GatewayError(type(error).__name__) from error


def stripe_plan_id(plan) -> str:
    return plan.stripe_plan_id or f"tszh-{plan.code}-monthly"


def ensure_plan(plan) -> str:
    """The Stripe Plan of ``plan`` (made once, with a fixed id), its id returned."""
    client = _client()
    plan_id = stripe_plan_id(plan)
    try:
        client.v1.plans.retrieve(plan_id)
        return plan_id
    except stripe.InvalidRequestError as error:
        if error.http_status != 404:
            raise GatewayError(type(error).__name__) from error
    _call(
        client.v1.plans.create,
        params={
            "id": plan_id,
            "product": {"name": f"TSZh Portal: {plan.name}", "id": f"tszh-product-{plan.code}"},
            "amount": to_kopecks(plan.monthly_price),
            "currency": CURRENCY,
            "interval": "month",
        },
        options={"idempotency_key": f"plans-plan-{plan.code}-{to_kopecks(plan.monthly_price)}"},
    )
    return plan_id


def create_customer(association) -> str:
    customer = _call(
        _client().v1.customers.create,
        params={
            "name": association.name,
            "metadata": {"association": str(association.pk), "slug": association.slug},
        },
        options={"idempotency_key": f"plans-customer-{association.pk}"},
    )
    return customer.id


@dataclass(frozen=True)
class StripeSubscription:
    id: str
    status: str
    item_id: str
    current_period_end: int | None


def _read_subscription(found) -> StripeSubscription:
    data = found.to_dict()
    items = data.get("items", {}).get("data", [])
    end = data.get("current_period_end") or (items[0].get("current_period_end") if items else None)
    return StripeSubscription(
        id=data["id"],
        status=data.get("status", ""),
        item_id=items[0]["id"] if items else "",
        current_period_end=end,
    )


def create_subscription(
    *, customer_id: str, plan, association_id, revision: int, trial_days: int
) -> StripeSubscription:
    params = {
        "customer": customer_id,
        "items": [{"plan": ensure_plan(plan)}],
        "metadata": {"association": str(association_id)},
    }
    if trial_days:
        params["trial_period_days"] = trial_days
    found = _call(
        _client().v1.subscriptions.create,
        params=params,
        options={"idempotency_key": f"plans-subscription-{association_id}-{revision}"},
    )
    return _read_subscription(found)


def retrieve_subscription(subscription_id: str) -> StripeSubscription:
    return _read_subscription(_call(_client().v1.subscriptions.retrieve, subscription_id))


def preview_change(*, customer_id: str, subscription_id: str, plan) -> Decimal:
    """What the next invoice will ask after moving to ``plan``, prorated as Stripe computes it."""
    current = retrieve_subscription(subscription_id)
    preview = _call(
        _client().v1.invoices.create_preview,
        params={
            "customer": customer_id,
            "subscription": subscription_id,
            "subscription_details": {
                "items": [{"id": current.item_id, "plan": ensure_plan(plan)}],
            },
        },
    )
    return to_roubles(preview.amount_due)


def change_plan(*, subscription_id: str, plan, association_id, revision: int) -> StripeSubscription:
    """Move the subscription to ``plan``; Stripe prorates (its default behaviour)."""
    current = retrieve_subscription(subscription_id)
    found = _call(
        _client().v1.subscriptions.update,
        subscription_id,
        params={"items": [{"id": current.item_id, "plan": ensure_plan(plan)}]},
        options={"idempotency_key": f"plans-change-{association_id}-{revision}"},
    )
    return _read_subscription(found)


def upcoming_amount(*, customer_id: str, subscription_id: str) -> Decimal | None:
    try:
        preview = _client().v1.invoices.create_preview(
            params={"customer": customer_id, "subscription": subscription_id}
        )
    except stripe.StripeError:
        return None
    return to_roubles(preview.amount_due)


def checkout_session(
    *, customer_id: str, association_id, revision: int, success_url: str, cancel_url: str
) -> str:
    """A Checkout Session in setup mode (the card for the subscription's invoices); its URL.

    The chairman is redirected there (the portal's Content-Security-Policy stays strict: no
    Stripe script runs on our pages). ``checkout.session.completed`` makes the card the
    customer's default for invoices (``services.apply_event``)."""
    base = getattr(settings, "STRIPE_CHECKOUT_API_BASE", "") or None
    session = _call(
        _client(base).v1.checkout.sessions.create,
        params={
            "mode": "setup",
            "customer": customer_id,
            "currency": CURRENCY,
            "payment_method_types": ["card"],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": {"association": str(association_id)},
        },
        options={"idempotency_key": f"plans-checkout-{association_id}-{revision}"},
    )
    return session.url


def set_default_payment_method(*, customer_id: str, setup_intent_id: str) -> None:
    client = _client()
    intent = _call(client.v1.setup_intents.retrieve, setup_intent_id)
    method = intent.to_dict().get("payment_method")
    if method:
        _call(
            client.v1.customers.update,
            customer_id,
            params={"invoice_settings": {"default_payment_method": method}},
            options={"idempotency_key": f"plans-default-card-{setup_intent_id}"},
        )


def verify_event(
    payload: bytes,
    signature: str,
    *,
    secret_setting: str = "STRIPE_WEBHOOK_SECRET",  # noqa: S107 - a setting's name
) -> dict:
    """The event of a webhook whose signature (on the raw body) is good; ``ValueError`` if not.
    ``secret_setting``: the endpoint's own secret (the platform's, or the Connect endpoint's)."""
    secret = getattr(settings, secret_setting, "")
    if not secret:
        raise ValueError("no webhook secret")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature, secret, stripe.Webhook.DEFAULT_TOLERANCE
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as error:
        raise ValueError("bad signature") from error
    import json

    event = json.loads(payload)
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise ValueError("not an event")
    return event


def cancel_subscription(subscription_id: str) -> None:
    _call(_client().v1.subscriptions.cancel, subscription_id)
