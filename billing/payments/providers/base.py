"""The one interface every way to pay online follows (docs/payments.md).

A provider turns an ``OnlinePayment`` into a page the member is sent to (``start``), says where
a payment stands (``state``), gives money back (``refund``), cancels an unpaid one (``cancel``),
reads its own notifications (``events``: the signature checked on the raw body first) and lists
its records for the nightly reconciliation (``records``). Every call that creates a charge or a
refund carries a deterministic idempotency key (the payment's or the refund's id), so a retry
never charges or refunds twice.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Protocol

KOPECKS = Decimal(100)


def to_minor(amount: Decimal) -> int:
    """Roubles → kopecks (the providers' ``Amount``)."""
    return int((Decimal(amount) * KOPECKS).to_integral_value())


def from_minor(value) -> Decimal:
    return (Decimal(int(value)) / KOPECKS).quantize(Decimal("0.01"))


class BadSignature(Exception):
    """A notification whose signature does not match its body: answered 400, nothing stored."""


class ProviderError(Exception):
    """The provider refused or could not be reached; the message is safe to log (no personal
    data) and says what failed."""


# What an event says happened (``Event.kind``).
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
REFUNDED = "refunded"
PENDING = "pending"
OTHER = "other"


@dataclass(frozen=True)
class Event:
    """A provider's notification, read and verified, in the provider's words made common."""

    event_id: str
    kind: str
    provider_ref: str = ""
    #: Our ``OnlinePayment`` id, as we gave it to the provider (metadata, OrderId).
    payment_id: str = ""
    amount: Decimal | None = None
    refund_ref: str = ""
    #: The refund's own amount (this refund, not the total refunded so far).
    refund_amount: Decimal | None = None
    #: Whose money: the Stripe connected account, the T-Bank terminal.
    account_ref: str = ""
    failure_code: str = ""
    raw_type: str = ""

    def as_data(self) -> dict:
        data = asdict(self)
        for name in ("amount", "refund_amount"):
            if data[name] is not None:
                data[name] = str(data[name])
        return data

    @classmethod
    def from_data(cls, data: dict) -> Event:
        values = dict(data)
        for name in ("amount", "refund_amount"):
            if values.get(name) is not None:
                values[name] = Decimal(values[name])
        return cls(**values)


@dataclass(frozen=True)
class Checkout:
    """Where the member goes to pay, and the provider's id of the payment."""

    provider_ref: str
    url: str
    #: An СБП payment link (a QR code's payload) when the provider made one.
    sbp_url: str = ""


@dataclass(frozen=True)
class RemoteState:
    """A payment as the provider's records have it."""

    provider_ref: str
    status: str  # SUCCEEDED, FAILED, CANCELLED, PENDING, REFUNDED
    amount: Decimal
    refunded: Decimal = Decimal("0.00")
    payment_id: str = ""
    refunds: tuple = field(default_factory=tuple)  # ((refund_ref, amount), ...)


@dataclass(frozen=True)
class RemoteRefund:
    provider_ref: str
    status: str  # SUCCEEDED, PENDING, FAILED


class PaymentProvider(Protocol):
    name: str

    def start(self, payment, *, return_url: str, notification_url: str) -> Checkout: ...

    def state(self, provider_ref: str) -> RemoteState: ...

    def cancel(self, payment) -> None: ...

    def refund(self, payment, amount: Decimal, *, idempotency_key: str) -> RemoteRefund: ...

    def events(self, body: bytes, headers) -> list[Event]: ...

    def owns(self, event: Event) -> bool: ...

    def records(
        self, date_from: datetime.date, date_to: datetime.date, payments
    ) -> list[RemoteState]: ...
