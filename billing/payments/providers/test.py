"""The test provider: no money moves (the demo and the browser tests).

``start`` sends the member to the portal's own checkout page (``payments:test-checkout``),
where buttons say what the "bank" answers. The page sends the answer as a notification signed
like a real one (HMAC-SHA256 of the raw body with the association's test secret, header
``X-Test-Signature``), through the same receiving and processing as the real providers'.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

from django.urls import reverse

from billing.payments.providers.base import (
    CANCELLED,
    FAILED,
    PENDING,
    REFUNDED,
    SUCCEEDED,
    BadSignature,
    Checkout,
    Event,
    RemoteRefund,
    RemoteState,
)

HEADER = "X-Test-Signature"


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class TestProvider:
    name = "test"

    def __init__(self, secret: str):
        self.secret = secret

    def start(self, payment, *, return_url: str, notification_url: str) -> Checkout:
        ref = f"test_{payment.pk.hex}"
        return Checkout(ref, reverse("payments:test-checkout", args=[payment.pk]))

    def state(self, provider_ref: str) -> RemoteState:
        from billing.payments.models import OnlinePayment

        payment = OnlinePayment.objects.get(provider="test", provider_ref=provider_ref)
        status = {
            "succeeded": SUCCEEDED,
            "refunded": REFUNDED,
            "partially_refunded": SUCCEEDED,
            "failed": FAILED,
            "cancelled": CANCELLED,
        }.get(payment.status, PENDING)
        return RemoteState(provider_ref, status, payment.amount, payment.refunded, str(payment.pk))

    def cancel(self, payment) -> None:
        return None

    def refund(self, payment, amount: Decimal, *, idempotency_key: str) -> RemoteRefund:
        return RemoteRefund(f"test_re_{idempotency_key}", SUCCEEDED)

    def body(self, payment, kind: str, *, event_id: str) -> bytes:
        """A notification's raw body (what the test checkout page sends)."""
        return json.dumps(
            {
                "id": event_id,
                "type": kind,
                "payment": str(payment.pk),
                "ref": payment.provider_ref,
                "amount": str(payment.amount),
            },
            sort_keys=True,
        ).encode()

    def events(self, body: bytes, headers) -> list[Event]:
        given = headers.get(HEADER, "")
        if not given or not hmac.compare_digest(given, sign(body, self.secret)):
            raise BadSignature("test provider: signature does not match")
        data = json.loads(body)
        return [
            Event(
                event_id=str(data["id"]),
                kind=str(data["type"]),
                provider_ref=str(data.get("ref", "")),
                payment_id=str(data.get("payment", "")),
                amount=Decimal(str(data["amount"])) if data.get("amount") else None,
                raw_type=str(data["type"]),
            )
        ]

    def owns(self, event: Event) -> bool:
        return True

    def records(self, date_from, date_to, payments) -> list[RemoteState]:
        return [self.state(p.provider_ref) for p in payments if p.provider_ref]
