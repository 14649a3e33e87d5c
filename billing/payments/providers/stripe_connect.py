"""Stripe Connect, direct charges: the member pays the association's connected account, the
platform takes its application fee (Stripe's "Create direct charges" guide).

* ``start``: a Checkout Session created **on the connected account** (``Stripe-Account``
  header) in ``payment`` mode; its PaymentIntent carries ``application_fee_amount`` and our
  payment's id in ``metadata``; the member is redirected to the session's ``url`` (a redirect
  keeps the portal's Content-Security-Policy strict: no Stripe.js on our pages).
* Every call that creates something carries an ``Idempotency-Key`` made from our own ids.
* Notifications: ``stripe.Webhook.construct_event`` checks the ``Stripe-Signature`` header on the
  raw body with the endpoint's own secret. Events used: ``payment_intent.succeeded``,
  ``payment_intent.payment_failed``, ``payment_intent.canceled``, ``checkout.session.expired``,
  ``refund.created`` / ``refund.updated`` (a refund counts once it is ``succeeded``). A Connect
  event names the connected account in ``account``: one that is not the association's is
  flagged, never posted.

The gateway talks to ``api_base`` (Stripe, or the stand-in on loopback in the tests:
``tests/billing/payments/standins.py``); the same contract tests run against Stripe test mode
when ``STRIPE_SECRET_KEY`` and ``STRIPE_TEST_CONNECTED_ACCOUNT`` are set.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import stripe

from billing.payments.providers.base import (
    CANCELLED,
    FAILED,
    OTHER,
    PENDING,
    REFUNDED,
    SUCCEEDED,
    BadSignature,
    Checkout,
    Event,
    ProviderError,
    RemoteRefund,
    RemoteState,
    from_minor,
    to_minor,
)

SIGNATURE_HEADER = "Stripe-Signature"
_PI_STATUS = {
    "succeeded": SUCCEEDED,
    "canceled": CANCELLED,
    "requires_payment_method": PENDING,
    "requires_confirmation": PENDING,
    "requires_action": PENDING,
    "processing": PENDING,
    "requires_capture": PENDING,
}


def application_fee(amount: Decimal, percent: Decimal) -> int:
    """The platform's fee in kopecks: ``percent`` of the amount, rounded half up."""
    return to_minor(
        (Decimal(amount) * Decimal(percent) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    )


class StripeConnectGateway:
    """The calls to Stripe's API for one connected account."""

    def __init__(
        self,
        *,
        api_key: str,
        account: str,
        api_base: str = "",
        currency: str = "rub",
        timeout: float = 10,
        retries: int = 2,
    ):
        if not api_key or not account:
            raise ProviderError("stripe: no platform key or connected account")
        bases = {"api": api_base} if api_base else None
        # A timeout or a dropped connection is retried by the library with backoff (0.5 s,
        # doubling) under the same Idempotency-Key: a retry whose first try reached Stripe gets
        # the first answer again, never a second Checkout Session. Without a timeout of our own
        # a member would wait the library's 80 seconds.
        self.client = stripe.StripeClient(
            api_key,
            base_addresses=bases,
            max_network_retries=retries,
            http_client=stripe.RequestsClient(timeout=timeout),
        )
        self.account = account
        self.currency = currency

    def _options(self, idempotency_key: str | None = None) -> dict:
        options = {"stripe_account": self.account}
        if idempotency_key:
            options["idempotency_key"] = idempotency_key
        return options

    def create_checkout(
        self,
        *,
        payment_id: str,
        amount: int,
        fee: int,
        description: str,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
    ):
        try:
            return _plain(
                self.client.v1.checkout.sessions.create(
                    {
                        "mode": "payment",
                        "line_items": [
                            {
                                "quantity": 1,
                                "price_data": {
                                    "currency": self.currency,
                                    "unit_amount": amount,
                                    "product_data": {"name": description},
                                },
                            }
                        ],
                        "payment_intent_data": {
                            "application_fee_amount": fee,
                            "metadata": {"tszh_payment": payment_id},
                        },
                        "metadata": {"tszh_payment": payment_id},
                        "client_reference_id": payment_id,
                        "success_url": success_url,
                        "cancel_url": cancel_url,
                    },
                    options=self._options(idempotency_key),
                )
            )
        except stripe.StripeError as error:
            raise ProviderError(f"stripe: checkout refused ({type(error).__name__})") from error

    def payment_intent(self, ref: str):
        try:
            return _plain(
                self.client.v1.payment_intents.retrieve(
                    ref, {"expand": ["latest_charge"]}, options=self._options()
                )
            )
        except stripe.StripeError as error:
            raise ProviderError(
                f"stripe: payment intent unreadable ({type(error).__name__})"
            ) from error

    def cancel_intent(self, ref: str, idempotency_key: str):
        try:
            return _plain(
                self.client.v1.payment_intents.cancel(ref, options=self._options(idempotency_key))
            )
        except stripe.StripeError as error:
            raise ProviderError(f"stripe: cancel refused ({type(error).__name__})") from error

    def create_refund(self, *, ref: str, amount: int, idempotency_key: str):
        try:
            return _plain(
                self.client.v1.refunds.create(
                    {"payment_intent": ref, "amount": amount, "refund_application_fee": True},
                    options=self._options(idempotency_key),
                )
            )
        except stripe.StripeError as error:
            raise ProviderError(f"stripe: refund refused ({type(error).__name__})") from error

    def list_intents(self, created_from: int, created_to: int):
        try:
            page = self.client.v1.payment_intents.list(
                {
                    "created": {"gte": created_from, "lt": created_to},
                    "limit": 100,
                    "expand": ["data.latest_charge"],
                },
                options=self._options(),
            )
            return [_plain(intent) for intent in page.auto_paging_iter()]
        except stripe.StripeError as error:
            raise ProviderError(f"stripe: list refused ({type(error).__name__})") from error


def parse_event(event: dict) -> list[Event]:
    """A verified Stripe event (plain dicts) in the providers' common words. The same for the
    association's own endpoint and the platform's Connect endpoint (which trims the event to
    ids, amounts and statuses before it hands it on)."""
    kind_name = event["type"]
    obj = event["data"]["object"]
    account = event.get("account") or ""
    common = {"event_id": event["id"], "account_ref": account, "raw_type": kind_name}
    if kind_name.startswith("payment_intent."):
        kind = {
            "payment_intent.succeeded": SUCCEEDED,
            "payment_intent.payment_failed": FAILED,
            "payment_intent.canceled": CANCELLED,
        }.get(kind_name, OTHER)
        error = obj.get("last_payment_error") or {}
        return [
            Event(
                kind=kind,
                provider_ref=obj["id"],
                payment_id=_metadata(obj).get("tszh_payment", ""),
                amount=from_minor(obj.get("amount_received") or obj.get("amount") or 0),
                failure_code=str(error.get("code") or error.get("decline_code") or "")[:40],
                **common,
            )
        ]
    if kind_name == "checkout.session.expired":
        ref = obj.get("payment_intent") or ""
        return [
            Event(
                kind=CANCELLED,
                provider_ref=ref if isinstance(ref, str) else ref.get("id", ""),
                payment_id=_metadata(obj).get("tszh_payment", ""),
                **common,
            )
        ]
    if kind_name in ("refund.created", "refund.updated") and obj.get("status") == "succeeded":
        ref = obj.get("payment_intent") or ""
        return [
            Event(
                kind=REFUNDED,
                provider_ref=ref if isinstance(ref, str) else ref.get("id", ""),
                payment_id=_metadata(obj).get("tszh_payment", ""),
                refund_ref=obj["id"],
                refund_amount=from_minor(obj.get("amount") or 0),
                **common,
            )
        ]
    return [Event(kind=OTHER, **common)]


def _plain(obj) -> dict:
    """A Stripe object as plain dicts and lists (the library's objects are not dicts)."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _metadata(obj) -> dict:
    value = obj.get("metadata") if hasattr(obj, "get") else None
    return dict(value or {})


def _state(intent) -> RemoteState:
    charge = intent.get("latest_charge")
    refunded = Decimal(0)
    if charge is not None and not isinstance(charge, str):
        refunded = from_minor(charge.get("amount_refunded") or 0)
    status = _PI_STATUS.get(intent.get("status"), PENDING)
    amount = from_minor(intent.get("amount") or 0)
    if status == SUCCEEDED and refunded >= amount > 0:
        status = REFUNDED
    return RemoteState(
        intent["id"], status, amount, refunded, _metadata(intent).get("tszh_payment", "")
    )


class StripePlatformGateway:
    """The platform's own calls to Connect (no ``Stripe-Account`` header): onboarding an
    association's connected account through Stripe-hosted Account Links."""

    def __init__(self, *, api_key: str, api_base: str = ""):
        if not api_key:
            raise ProviderError("stripe: no platform key")
        bases = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(api_key, base_addresses=bases, max_network_retries=0)

    def create_account(self, *, kind: str, country: str, reference: str, idempotency_key: str):
        """``POST /v1/accounts``: an Express (or Standard) account, card payments requested."""
        params: dict = {
            "type": kind,
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
            "metadata": {"tszh_association": reference},
        }
        if country:
            params["country"] = country
        if kind == "standard":
            params.pop("capabilities")
        try:
            return _plain(
                self.client.v1.accounts.create(params, options={"idempotency_key": idempotency_key})
            )
        except stripe.StripeError as error:
            raise ProviderError(f"stripe: account refused ({type(error).__name__})") from error

    def create_account_link(self, *, account: str, refresh_url: str, return_url: str):
        """``POST /v1/account_links`` (``account_onboarding``): a single-use onboarding URL."""
        try:
            return _plain(
                self.client.v1.account_links.create(
                    {
                        "account": account,
                        "refresh_url": refresh_url,
                        "return_url": return_url,
                        "type": "account_onboarding",
                    }
                )
            )
        except stripe.StripeError as error:
            raise ProviderError(f"stripe: account link refused ({type(error).__name__})") from error


class StripeConnectProvider:
    name = "stripe_connect"

    def __init__(
        self,
        *,
        gateway: StripeConnectGateway | None,
        webhook_secret: str,
        account: str,
        fee_percent: Decimal,
    ):
        self.gateway = gateway
        self.webhook_secret = webhook_secret
        self.account = account
        self.fee_percent = fee_percent

    def _gateway(self) -> StripeConnectGateway:
        if self.gateway is None:
            raise ProviderError("stripe: not configured")
        return self.gateway

    def start(self, payment, *, return_url: str, notification_url: str) -> Checkout:
        session = self._gateway().create_checkout(
            payment_id=str(payment.pk),
            amount=to_minor(payment.amount),
            fee=application_fee(payment.amount, self.fee_percent),
            description=f"Лицевой счёт {payment.account.number}",
            success_url=return_url,
            cancel_url=return_url,
            idempotency_key=payment.idempotency_key,
        )
        ref = session.get("payment_intent") or session["id"]
        if not isinstance(ref, str):
            ref = ref["id"]
        return Checkout(ref, session["url"])

    def state(self, provider_ref: str) -> RemoteState:
        return _state(self._gateway().payment_intent(provider_ref))

    def cancel(self, payment) -> None:
        self._gateway().cancel_intent(payment.provider_ref, f"{payment.idempotency_key}-cancel")

    def refund(self, payment, amount: Decimal, *, idempotency_key: str) -> RemoteRefund:
        refund = self._gateway().create_refund(
            ref=payment.provider_ref, amount=to_minor(amount), idempotency_key=idempotency_key
        )
        status = {"succeeded": SUCCEEDED, "failed": FAILED, "canceled": FAILED}.get(
            refund.get("status"), PENDING
        )
        return RemoteRefund(refund["id"], status)

    def events(self, body: bytes, headers) -> list[Event]:
        if not self.webhook_secret:
            raise BadSignature("stripe: no webhook secret set")
        try:
            event = stripe.Webhook.construct_event(
                body.decode("utf-8"), headers.get(SIGNATURE_HEADER, ""), self.webhook_secret
            )
        except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as error:
            raise BadSignature("stripe: signature does not match") from error
        return parse_event(_plain(event))

    def owns(self, event: Event) -> bool:
        return not event.account_ref or event.account_ref == self.account

    def records(
        self, date_from: datetime.date, date_to: datetime.date, payments
    ) -> list[RemoteState]:
        start = datetime.datetime.combine(date_from, datetime.time(), datetime.UTC)
        end = datetime.datetime.combine(
            date_to + datetime.timedelta(days=1), datetime.time(), datetime.UTC
        )
        intents = self._gateway().list_intents(int(start.timestamp()), int(end.timestamp()))
        return [_state(intent) for intent in intents if _metadata(intent).get("tszh_payment")]
