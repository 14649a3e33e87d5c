"""СБП through T-Bank (Тинькофф) Internet Acquiring, API v2 (developer.tbank.ru, "Интернет-
эквайринг"): ``Init`` → ``GetQr`` (``DataType=PAYLOAD``: the СБП link) → the bank's
notification → ``GetState``; ``Cancel`` for a refund.

* Every request carries ``TerminalKey`` and ``Token``: the SHA-256 (hex) of the values of the
  request's top-level scalar parameters plus ``Password``, sorted by the parameters' names and
  concatenated (nested objects such as ``DATA`` and ``Receipt`` are left out; booleans as
  ``true``/``false``). The bank signs its notifications the same way; the portal answers a
  good one with ``OK``.
* Idempotency: ``OrderId`` is our payment's id (the bank refuses a second ``Init`` of the same
  order on a terminal), ``Cancel`` carries ``ExternalRequestId`` = our refund's id.
* ``Amount`` is in kopecks. Statuses: ``CONFIRMED`` paid; ``REJECTED``, ``AUTH_FAIL`` failed;
  ``CANCELED``, ``DEADLINE_EXPIRED``, ``REVERSED`` cancelled; ``REFUNDED``,
  ``PARTIAL_REFUNDED`` refunded; the rest pending.

The base URL is ``https://securepay.tinkoff.ru/v2/`` (``TBANK_API_BASE`` points it at the
stand-in on loopback in the tests, or the bank's test terminal).
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from decimal import Decimal

from billing.payments.providers.base import (
    CANCELLED,
    FAILED,
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

DEFAULT_BASE = "https://securepay.tinkoff.ru/v2/"
STATUS = {
    "CONFIRMED": SUCCEEDED,
    "AUTHORIZED": PENDING,
    "REJECTED": FAILED,
    "AUTH_FAIL": FAILED,
    "CANCELED": CANCELLED,
    "DEADLINE_EXPIRED": CANCELLED,
    "REVERSED": CANCELLED,
    "REFUNDED": REFUNDED,
    "PARTIAL_REFUNDED": SUCCEEDED,
}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def token(params: dict, password: str) -> str:
    """The ``Token`` of a request or a notification (see the module's docstring)."""
    pairs = {
        key: value
        for key, value in params.items()
        if key != "Token" and not isinstance(value, dict | list) and value is not None
    }
    pairs["Password"] = password
    joined = "".join(_text(pairs[key]) for key in sorted(pairs))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


class _Transient(Exception):
    """A try that may succeed when repeated: no answer in time, a dropped connection, a 5xx."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class TBankGateway:
    """The calls of one terminal."""

    def __init__(
        self,
        *,
        terminal_key: str,
        password: str,
        base_url: str = "",
        timeout: float = 10,
        retries: int = 2,
        backoff: float = 0.5,
    ):
        if not terminal_key or not password:
            raise ProviderError("tbank: no terminal key or password")
        self.terminal_key = terminal_key
        self.password = password
        self.base_url = (base_url or DEFAULT_BASE).rstrip("/") + "/"
        if not self.base_url.startswith(("https://", "http://")):
            raise ProviderError("tbank: the API base is not an HTTP(S) address")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def call(self, method: str, **params) -> dict:
        """One API call. A timeout, a dropped connection or a 5xx is tried again ``retries``
        times, waiting ``backoff`` seconds, then twice that, ...: every call is idempotent
        (``Init`` by ``OrderId``, ``Cancel`` by ``ExternalRequestId``, the rest read), so a
        repeat whose first try did reach the bank makes nothing twice. The bank's refusal is
        not tried again."""
        for attempt in range(self.retries + 1):
            try:
                return self._call_once(method, params)
            except _Transient as error:
                if attempt == self.retries:
                    raise ProviderError(
                        f"tbank: {method} unreachable ({error.kind}, {attempt + 1} tries)"
                    ) from error.__cause__
                time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _call_once(self, method: str, params: dict) -> dict:
        params = {"TerminalKey": self.terminal_key, **params}
        params["Token"] = token(params, self.password)
        request = urllib.request.Request(  # noqa: S310 - the base URL is checked in __init__
            self.base_url + method,
            data=json.dumps(params).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code >= 500:
                raise _Transient(f"HTTP {error.code}") from error
            raise ProviderError(f"tbank: {method} refused (HTTP {error.code})") from error
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise _Transient(type(error).__name__) from error
        if not answer.get("Success") or str(answer.get("ErrorCode", "0")) != "0":
            raise ProviderError(f"tbank: {method} refused (ErrorCode {answer.get('ErrorCode')})")
        return answer


class TBankProvider:
    name = "tbank"

    def __init__(self, *, gateway: TBankGateway | None, terminal_key: str, password: str):
        self.gateway = gateway
        self.terminal_key = terminal_key
        self.password = password

    def _gateway(self) -> TBankGateway:
        if self.gateway is None:
            raise ProviderError("tbank: not configured")
        return self.gateway

    def start(self, payment, *, return_url: str, notification_url: str) -> Checkout:
        gateway = self._gateway()
        init = gateway.call(
            "Init",
            Amount=to_minor(payment.amount),
            OrderId=str(payment.pk),
            Description=f"Лицевой счёт {payment.account.number}"[:140],
            NotificationURL=notification_url,
            SuccessURL=return_url,
            FailURL=return_url,
        )
        ref = str(init["PaymentId"])
        sbp = ""
        try:
            sbp = str(gateway.call("GetQr", PaymentId=ref, DataType="PAYLOAD").get("Data") or "")
        except ProviderError:
            sbp = ""  # the terminal has no СБП: the bank's own page still offers cards
        return Checkout(ref, sbp or str(init.get("PaymentURL") or ""), sbp_url=sbp)

    def state(self, provider_ref: str) -> RemoteState:
        answer = self._gateway().call("GetState", PaymentId=provider_ref)
        status = STATUS.get(str(answer.get("Status")), PENDING)
        amount = from_minor(answer.get("Amount") or 0)
        refunded = Decimal(0)
        if answer.get("Status") == "REFUNDED":
            refunded = amount
        elif answer.get("Status") == "PARTIAL_REFUNDED":
            refunded = (
                amount - from_minor(answer.get("NewAmount") or 0)
                if answer.get("NewAmount") is not None
                else Decimal(0)
            )
        return RemoteState(provider_ref, status, amount, refunded, str(answer.get("OrderId", "")))

    def cancel(self, payment) -> None:
        self._gateway().call("Cancel", PaymentId=payment.provider_ref)

    def refund(self, payment, amount: Decimal, *, idempotency_key: str) -> RemoteRefund:
        answer = self._gateway().call(
            "Cancel",
            PaymentId=payment.provider_ref,
            Amount=to_minor(amount),
            ExternalRequestId=idempotency_key,
        )
        status = {"REFUNDED": SUCCEEDED, "PARTIAL_REFUNDED": SUCCEEDED, "REVERSED": SUCCEEDED}
        return RemoteRefund(idempotency_key, status.get(str(answer.get("Status")), PENDING))

    def events(self, body: bytes, headers) -> list[Event]:
        try:
            data = json.loads(body)
        except ValueError as error:
            raise BadSignature("tbank: not JSON") from error
        if not isinstance(data, dict) or not data.get("Token") or not self.password:
            raise BadSignature("tbank: no token")
        if data["Token"] != token(data, self.password):
            raise BadSignature("tbank: token does not match")
        status = str(data.get("Status", ""))
        kind = STATUS.get(status, PENDING)
        ref = str(data.get("PaymentId", ""))
        amount = from_minor(data.get("Amount") or 0)
        refund_ref = refund_amount = None
        if status in ("REFUNDED", "PARTIAL_REFUNDED"):
            kind = REFUNDED
            # A refund's notification names the amount refunded by this operation.
            refund_amount = amount
            refund_ref = f"{ref}:{status}:{data.get('Amount')}"
        return [
            Event(
                # The bank sends no event id: the payment, its status and amount make one.
                event_id=f"{ref}:{status}:{data.get('Amount')}",
                kind=kind,
                provider_ref=ref,
                payment_id=str(data.get("OrderId", "")),
                amount=None if kind == REFUNDED else amount,
                refund_ref=refund_ref or "",
                refund_amount=refund_amount,
                account_ref=str(data.get("TerminalKey", "")),
                failure_code=str(data.get("ErrorCode", ""))[:40] if kind == FAILED else "",
                raw_type=status,
            )
        ]

    def owns(self, event: Event) -> bool:
        return event.account_ref == self.terminal_key

    def records(self, date_from, date_to, payments) -> list[RemoteState]:
        # The API has no listing of payments: each payment of the period is asked for.
        return [self.state(p.provider_ref) for p in payments if p.provider_ref]
