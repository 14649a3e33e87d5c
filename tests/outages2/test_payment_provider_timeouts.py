"""The payment provider timing out or dropping the connection (the stand-ins of Stripe Connect and
T-Bank on loopback, made slow or rude for a number of requests): the gateway retries with backoff
under the same idempotency key, the provider makes one payment whatever the number of tries,
the member is told to try later while it keeps failing, the accountant sees it, and the ledger
gets one entry when the money comes."""

from __future__ import annotations

import json
import time

import pytest
from django.test import override_settings

from billing.payments import services
from billing.payments.models import OnlinePayment, Status
from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.ledger.payments.models import Payment, PaymentSource
from tests.billing.payments.standins import StripeStandIn, TBankStandIn

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("outages2")]

#: The client gives up on an answer after this long; a slow stand-in answers after SLOW.
TIMEOUT = 1.0
SLOW = 2.0


class Faulty:
    """A stand-in that, for its next requests, does the work and then answers too late
    (``"slow"``) or closes the connection without an answer (``"drop"``): the worst case, where
    the provider did act and the portal never heard."""

    def __init__(self, *args, **kwargs):
        self.faults: list[str] = []
        super().__init__(*args, **kwargs)
        self.server.handle_error = lambda request, address: None  # the dropped ones: quiet

    def handle(self, method, path, headers, body):
        answer = super().handle(method, path, headers, body)
        with self.lock:
            fault = self.faults.pop(0) if self.faults else None
        if fault == "slow":
            time.sleep(SLOW)
        elif fault == "drop":
            raise ConnectionAbortedError("the stand-in drops the connection")
        return answer


class FaultyTBank(Faulty, TBankStandIn):
    pass


class FaultyStripe(Faulty, StripeStandIn):
    pass


def network(backoff: float = 0.1):
    return override_settings(
        TSZH_PAYMENTS_TIMEOUT=TIMEOUT, TSZH_PAYMENTS_RETRIES=2, TSZH_PAYMENTS_BACKOFF=backoff
    )


@pytest.fixture
def faulty_tbank(in_alpha):
    standin = FaultyTBank()
    with override_settings(TBANK_API_BASE=standin.url + "/v2/"), network():
        services.save_settings(
            actor=None,
            provider="tbank",
            tbank_terminal_key=standin.terminal_key,
            tbank_password=standin.password,
        )
        yield standin
    standin.close()


@pytest.fixture
def faulty_stripe(in_alpha):
    from tests.billing.payments.conftest import STRIPE_WEBHOOK_SECRET

    standin = FaultyStripe()
    with (
        override_settings(STRIPE_SECRET_KEY=standin.API_KEY, STRIPE_API_BASE=standin.url),
        network(),
    ):
        services.save_settings(
            actor=None,
            provider="stripe_connect",
            stripe_account="acct_standin",
            stripe_webhook_secret=STRIPE_WEBHOOK_SECRET,
        )
        yield standin
    standin.close()


def _confirm(user, payment):
    return services.checkout(
        actor=user, payment=payment, return_url="http://x/", notification_url="http://x/hook"
    )


def _posts(standin, path: str) -> int:
    return sum(1 for method, called in standin.calls if method == "POST" and path in called)


def test_tbank_timeouts_are_retried_under_the_same_order_and_post_once(member, faulty_tbank):
    user, account = member
    payment = services.start_payment(actor=user, account_id=account.pk, amount="1500.00")
    faulty_tbank.faults = ["slow", "drop"]  # the first two Init calls: done, never answered

    started = time.monotonic()
    url = _confirm(user, payment)
    took = time.monotonic() - started

    assert url, "the third try answered"
    assert _posts(faulty_tbank, "/Init") == 3, "tried three times"
    assert took >= TIMEOUT + 0.1 + 0.2, "waited for the timeout and backed off between tries"
    assert len(faulty_tbank.payments) == 1, "one payment at the bank: the same OrderId"
    payment.refresh_from_db()
    assert payment.status == Status.PENDING and payment.failure_code == ""
    assert faulty_tbank.orders == {str(payment.pk): payment.provider_ref}

    # The bank confirms, and says so twice: one entry in the ledger.
    body = json.dumps(faulty_tbank.notification(payment.provider_ref, "CONFIRMED")).encode()
    for _ in range(2):
        events, _new = services.receive("tbank", body, {})
        for event in events:
            services.process_event(event.pk)
    online = Payment.objects.filter(source=PaymentSource.ONLINE, account=account)
    assert online.count() == 1 and online.get().amount == payment.amount


def test_tbank_down_for_long_leaves_the_payment_waiting_for_the_member_and_the_accountant(
    member, faulty_tbank, alpha, make_user, client_of
):
    user, account = member
    payment = services.start_payment(actor=user, account_id=account.pk, amount="700.00")
    faulty_tbank.faults = ["slow"] * 3  # every try of this confirmation times out

    member_client = client_of(alpha, user)
    answer = member_client.post(f"/money/online/{payment.pk}/confirm/", follow=True)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "did not answer in time" in text or "не ответил вовремя" in text
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == (Status.CREATED, "provider_unreachable")
    assert AuditEntry.objects.filter(
        action="payments.provider_unreachable", target_id=str(payment.pk)
    ).exists()

    accountant = make_user(alpha, roles=[Role.ACCOUNTANT])
    board = client_of(alpha, accountant).get("/ledger/online/")
    assert board.status_code == 200
    row = board.content.decode().split(f'data-payment="{payment.pk}"')[1].split("</tr>")[0]
    assert "data-unreachable" in row

    # The bank is back; the member presses again: the same order, still one payment there.
    url = _confirm(user, OnlinePayment.objects.get(pk=payment.pk))
    assert url and len(faulty_tbank.payments) == 1
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == (Status.PENDING, "")
    assert not Payment.objects.filter(source=PaymentSource.ONLINE, account=account).exists()


def test_stripe_timeouts_are_retried_under_the_same_idempotency_key(member, faulty_stripe):
    user, account = member
    payment = services.start_payment(actor=user, account_id=account.pk, amount="1500.00")
    faulty_stripe.faults = ["drop", "slow"]

    url = _confirm(user, payment)

    assert url, "the third try answered"
    assert _posts(faulty_stripe, "/v1/checkout/sessions") == 3
    assert len(faulty_stripe.sessions) == 1 and len(faulty_stripe.intents) == 1, "one charge"
    assert list(faulty_stripe.replays) == [("acct_standin", payment.idempotency_key)]
    payment.refresh_from_db()
    assert payment.status == Status.PENDING
    assert payment.provider_ref == next(iter(faulty_stripe.intents))


def test_stripe_down_for_long_charges_nothing_twice_when_it_returns(member, faulty_stripe):
    user, account = member
    payment = services.start_payment(actor=user, account_id=account.pk, amount="300.00")
    faulty_stripe.faults = ["slow"] * 3

    assert _confirm(user, payment) is None, "the member is told to try later"
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == (Status.CREATED, "provider_unreachable")
    assert len(faulty_stripe.intents) == 1, "Stripe made it before the answers were lost"

    assert _confirm(user, payment)
    assert len(faulty_stripe.intents) == 1, "the retry got the first answer again"
    payment.refresh_from_db()
    assert payment.status == Status.PENDING
