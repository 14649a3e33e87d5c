"""Contract tests of the gateway modules: the same tests run against the stand-ins on loopback
(always) and against the real sandboxes when their credentials are set:

* Stripe test mode: ``STRIPE_SECRET_KEY`` (``sk_test_…``) and ``STRIPE_TEST_CONNECTED_ACCOUNT``
  (``acct_…`` connected to that platform);
* T-Bank's test terminal: ``TBANK_TEST_TERMINAL_KEY`` and ``TBANK_TEST_PASSWORD`` (optionally
  ``TBANK_TEST_API_BASE``, by default the bank's ``https://securepay.tinkoff.ru/v2/``).

Assertions that need the payer's part (completing a payment) run only on the stand-ins.
"""

from __future__ import annotations

import os
import uuid
from decimal import Decimal

import pytest

from billing.payments.providers import base
from billing.payments.providers.stripe_connect import (
    StripeConnectGateway,
    StripeConnectProvider,
    application_fee,
)
from billing.payments.providers.tbank import TBankGateway, TBankProvider, token
from tests.billing.payments.standins import StripeStandIn, TBankStandIn


class _Account:
    number = "T-00001"


class _Payment:
    """What a provider reads of an ``OnlinePayment``."""

    def __init__(self, amount="123.45"):
        self.pk = uuid.uuid4()
        self.amount = Decimal(amount)
        self.account = _Account()
        self.provider_ref = ""

    @property
    def idempotency_key(self):
        return f"tszh-pay-{self.pk}"


def _stripe_targets():
    targets = ["standin"]
    if os.environ.get("STRIPE_SECRET_KEY", "").startswith("sk_test_") and os.environ.get(
        "STRIPE_TEST_CONNECTED_ACCOUNT"
    ):
        targets.append("stripe-test-mode")
    return targets


def _tbank_targets():
    targets = ["standin"]
    if os.environ.get("TBANK_TEST_TERMINAL_KEY") and os.environ.get("TBANK_TEST_PASSWORD"):
        targets.append("tbank-test-terminal")
    return targets


@pytest.fixture(params=_stripe_targets())
def stripe_target(request):
    if request.param == "standin":
        standin = StripeStandIn()
        provider = StripeConnectProvider(
            gateway=StripeConnectGateway(
                api_key=standin.API_KEY, account="acct_standin", api_base=standin.url
            ),
            webhook_secret="whsec_x",
            account="acct_standin",
            fee_percent=Decimal("1.5"),
        )
        yield provider, standin
        standin.close()
        return
    account = os.environ["STRIPE_TEST_CONNECTED_ACCOUNT"]
    provider = StripeConnectProvider(
        gateway=StripeConnectGateway(api_key=os.environ["STRIPE_SECRET_KEY"], account=account),
        webhook_secret="whsec_x",
        account=account,
        fee_percent=Decimal("1.5"),
    )
    yield provider, None


@pytest.fixture(params=_tbank_targets())
def tbank_target(request):
    if request.param == "standin":
        standin = TBankStandIn()
        gateway = TBankGateway(
            terminal_key=standin.terminal_key, password=standin.password, base_url=standin.url
        )
        yield (
            TBankProvider(
                gateway=gateway, terminal_key=standin.terminal_key, password=standin.password
            ),
            standin,
        )
        standin.close()
        return
    key, password = os.environ["TBANK_TEST_TERMINAL_KEY"], os.environ["TBANK_TEST_PASSWORD"]
    gateway = TBankGateway(
        terminal_key=key, password=password, base_url=os.environ.get("TBANK_TEST_API_BASE", "")
    )
    yield TBankProvider(gateway=gateway, terminal_key=key, password=password), None


# -- Stripe Connect -----------------------------------------------------------------------------


def test_application_fee_is_a_percent_in_kopecks():
    assert application_fee(Decimal("1500.00"), Decimal("1")) == 1500
    assert application_fee(Decimal("123.45"), Decimal("1.5")) == 185  # 1.85175 ₽, half up


def test_stripe_direct_charge_on_the_connected_account(stripe_target):
    provider, standin = stripe_target
    payment = _Payment()
    started = provider.start(payment, return_url="https://example.test/r", notification_url="")
    assert started.url.startswith("http") and started.provider_ref
    payment.provider_ref = started.provider_ref
    state = provider.state(started.provider_ref)
    assert state.status == base.PENDING and state.amount == Decimal("123.45")
    assert state.payment_id == str(payment.pk)
    if standin is not None:
        intent = standin.intents[started.provider_ref]
        assert intent["application_fee_amount"] == 185
        assert intent["account"] == "acct_standin"  # made with the Stripe-Account header
        assert intent["currency"] == "rub"


def test_stripe_the_same_idempotency_key_makes_one_charge(stripe_target):
    provider, standin = stripe_target
    payment = _Payment()
    first = provider.start(payment, return_url="https://example.test/r", notification_url="")
    again = provider.start(payment, return_url="https://example.test/r", notification_url="")
    assert first.provider_ref == again.provider_ref
    if standin is not None:
        assert len(standin.intents) == 1


def test_stripe_refund_and_records(stripe_target):
    provider, standin = stripe_target
    if standin is None:
        pytest.skip("completing a payment needs the payer: stand-in only")
    payment = _Payment("100.00")
    payment.provider_ref = provider.start(
        payment, return_url="https://e/r", notification_url=""
    ).provider_ref
    standin.complete(payment.provider_ref)
    refund = provider.refund(payment, Decimal("40.00"), idempotency_key="tszh-refund-x-1")
    again = provider.refund(payment, Decimal("40.00"), idempotency_key="tszh-refund-x-1")
    assert refund == again and refund.status == base.SUCCEEDED
    import datetime

    today = datetime.date.today()
    (record,) = provider.records(today - datetime.timedelta(days=1), today, [])
    assert record.status == base.SUCCEEDED and record.refunded == Decimal("40.00")


def test_stripe_refuses_an_unknown_connected_account():
    standin = StripeStandIn()
    try:
        gateway = StripeConnectGateway(
            api_key=standin.API_KEY, account="acct_other", api_base=standin.url
        )
        provider = StripeConnectProvider(
            gateway=gateway, webhook_secret="w", account="acct_other", fee_percent=Decimal(1)
        )
        with pytest.raises(base.ProviderError):
            provider.start(_Payment(), return_url="https://e/r", notification_url="")
    finally:
        standin.close()


# -- T-Bank ---------------------------------------------------------------------------------------


def test_tbank_token_follows_the_published_rule():
    # The documented rule on an example shaped like the documentation's: top-level scalars
    # plus Password, sorted by name, values concatenated (DATA and Receipt left out).
    params = {
        "TerminalKey": "MerchantTerminalKey",
        "Amount": 19200,
        "OrderId": "00000",
        "Description": "Подарочная карта на 1000 рублей",
        "DATA": {"Phone": "+71234567890"},
        "Receipt": {"Items": []},
    }
    expected = (
        __import__("hashlib")
        .sha256(
            (
                "19200"
                + "Подарочная карта на 1000 рублей"
                + "00000"
                + "11111111111111"
                + "MerchantTerminalKey"
            ).encode()
        )
        .hexdigest()
    )
    assert token(params, "11111111111111") == expected
    assert token({"Success": True, "Token": "x"}, "p") == token({"Success": True}, "p")


def test_tbank_init_and_sbp_link(tbank_target):
    provider, standin = tbank_target
    payment = _Payment("10.00")
    started = provider.start(
        payment, return_url="https://example.test/r", notification_url="https://example.test/n"
    )
    assert started.provider_ref and started.url.startswith("https://")
    state = provider.state(started.provider_ref)
    assert state.status == base.PENDING and state.amount == Decimal("10.00")
    if standin is not None:
        assert started.sbp_url.startswith("https://qr.nspk.ru/")
        assert standin.payments[started.provider_ref]["NotificationURL"] == "https://example.test/n"
        # The same OrderId again: the same payment, never a second one.
        assert provider.start(payment, return_url="x", notification_url="y").provider_ref == (
            started.provider_ref
        )
        assert len(standin.payments) == 1
    payment.provider_ref = started.provider_ref
    provider.cancel(payment)
    assert provider.state(started.provider_ref).status == base.CANCELLED


def test_tbank_refund_is_idempotent_and_notifications_are_checked(tbank_target):
    provider, standin = tbank_target
    if standin is None:
        pytest.skip("completing a payment needs the payer: stand-in only")
    payment = _Payment("10.00")
    payment.provider_ref = provider.start(
        payment, return_url="x", notification_url="y"
    ).provider_ref
    standin.set_status(payment.provider_ref, "CONFIRMED")
    first = provider.refund(payment, Decimal("4.00"), idempotency_key="k1")
    assert first.status == base.SUCCEEDED
    provider.refund(payment, Decimal("4.00"), idempotency_key="k1")
    assert standin.payments[payment.provider_ref]["Refunded"] == 400
    import json

    good = standin.notification(payment.provider_ref, "CONFIRMED")
    (event,) = provider.events(json.dumps(good).encode(), {})
    assert event.kind == base.SUCCEEDED and event.payment_id == str(payment.pk)
    assert event.amount == Decimal("10.00") and event.account_ref == standin.terminal_key
    bad = dict(good, Amount=1)
    with pytest.raises(base.BadSignature):
        provider.events(json.dumps(bad).encode(), {})


def test_tbank_wrong_password_is_refused_by_the_bank():
    standin = TBankStandIn()
    try:
        gateway = TBankGateway(
            terminal_key=standin.terminal_key, password="wrong", base_url=standin.url
        )
        provider = TBankProvider(
            gateway=gateway, terminal_key=standin.terminal_key, password="wrong"
        )
        with pytest.raises(base.ProviderError, match="204"):
            provider.start(_Payment(), return_url="x", notification_url="y")
    finally:
        standin.close()
