"""Members' online payments against the real database: starting, bad input, the test
provider's whole way, refunds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.payments import services
from billing.payments.models import OnlinePayment, Refund, Status, WebhookEvent
from billing.payments.providers import provider_for
from billing.payments.providers.test import HEADER, sign
from tenants.ledger.models import Balance, Entry
from tenants.ledger.payments.models import Allocation, Payment, PaymentSource
from tests.billing.payments.conftest import FEB, JAN


def _balance(account) -> Decimal:
    return Balance.objects.get(account=account).amount


def _paid_by_test_provider(payment, kind="succeeded", event_id=None):
    from billing.payments.selectors import settings_row

    provider = provider_for(settings_row(), "test")
    body = provider.body(payment, kind, event_id=event_id or f"evt-{payment.pk}-{kind}")
    events, _new = services.receive("test", body, {HEADER: sign(body, provider.secret)})
    for event in events:
        services.process_event(event.pk)
    payment.refresh_from_db()
    return payment


def _sent(user, account, amount="1500.00", period=None):
    payment = services.start_payment(
        actor=user, account_id=account.pk, amount=amount, named_period=period
    )
    services.checkout(
        actor=user, payment=payment, return_url="http://x/", notification_url="http://x/hook"
    )
    payment.refresh_from_db()
    return payment


@pytest.mark.parametrize("amount", ["0", "-10", "abc", "10.001", "", "NaN", "1e9"])
def test_an_amount_of_zero_or_below_or_not_in_kopecks_is_refused(member, test_provider, amount):
    user, account = member
    with pytest.raises(ValidationError) as refused:
        services.start_payment(actor=user, account_id=account.pk, amount=amount)
    assert "amount" in refused.value.message_dict
    assert not OnlinePayment.objects.exists()


def test_someone_elses_account_is_refused_plainly(member, stranger_account, test_provider):
    user, _account = member
    with pytest.raises(ValidationError) as refused:
        services.start_payment(actor=user, account_id=stranger_account.pk, amount="10")
    assert "только свой лицевой счёт" in " ".join(refused.value.messages)
    assert not OnlinePayment.objects.exists()


def test_online_payment_off_is_said(member):
    user, account = member
    with pytest.raises(ValidationError, match="QR-коду"):
        services.start_payment(actor=user, account_id=account.pk, amount="10")


def test_a_month_never_charged_is_refused(member, test_provider):
    import datetime

    user, account = member
    with pytest.raises(ValidationError) as refused:
        services.start_payment(
            actor=user, account_id=account.pk, amount="10", named_period=datetime.date(2024, 6, 1)
        )
    assert "period" in refused.value.message_dict


def test_the_test_provider_pays_and_the_balance_changes(member, test_provider):
    user, account = member
    assert _balance(account) == Decimal("1500.00")
    payment = _sent(user, account, "1600.00", period=FEB)
    assert payment.status == Status.PENDING and payment.pay_url.endswith("/test-checkout/")
    assert _balance(account) == Decimal("1500.00")  # nothing before the provider confirms

    _paid_by_test_provider(payment)

    assert payment.status == Status.SUCCEEDED
    assert _balance(account) == Decimal("-100.00")  # overpayment stays as credit
    ledger = Payment.objects.get(pk=payment.ledger_payment_id)
    assert ledger.source == PaymentSource.ONLINE and ledger.amount == Decimal("1600.00")
    shares = {(a.target, a.period): a.amount for a in Allocation.objects.filter(payment=ledger)}
    # The named month first, then the oldest debt, the rest as credit (ГК ст. 319.1).
    assert shares == {
        ("charge", FEB): Decimal("500.00"),
        ("charge", JAN): Decimal("1000.00"),
        ("credit", None): Decimal("100.00"),
    }


def test_a_failed_or_cancelled_payment_posts_nothing_and_says_so(member, test_provider):
    user, account = member
    failed = _paid_by_test_provider(_sent(user, account), "failed")
    cancelled = _paid_by_test_provider(_sent(user, account), "cancelled")
    assert failed.status == Status.FAILED and cancelled.status == Status.CANCELLED
    assert not Payment.objects.filter(source=PaymentSource.ONLINE).exists()
    assert _balance(account) == Decimal("1500.00")


def test_a_failure_after_the_success_does_not_undo_it(member, test_provider):
    user, account = member
    payment = _paid_by_test_provider(_sent(user, account))
    _paid_by_test_provider(payment, "failed")
    _paid_by_test_provider(payment, "cancelled")
    assert payment.status == Status.SUCCEEDED
    assert _balance(account) == Decimal("0.00")


def test_confirming_twice_sends_the_member_to_the_same_page(member, test_provider):
    user, account = member
    payment = _sent(user, account)
    again = services.checkout(
        actor=user, payment=payment, return_url="http://x/", notification_url="http://x/hook"
    )
    assert again == payment.pay_url


def test_only_the_payer_confirms(member, test_provider, make_user, alpha):
    user, account = member
    payment = services.start_payment(actor=user, account_id=account.pk, amount="5")
    other = make_user(alpha, roles=["owner"])
    with pytest.raises(ValidationError):
        services.checkout(actor=other, payment=payment, return_url="x", notification_url="y")
    payment.refresh_from_db()
    assert payment.status == Status.CREATED


def test_a_refund_reverses_the_ledger_entry_with_its_reason(member, test_provider):
    user, account = member
    payment = _paid_by_test_provider(_sent(user, account, "1500.00"))
    assert _balance(account) == Decimal("0.00")

    refund = services.refund(actor=None, payment=payment, amount="400.00", reason="Ошибка суммы")

    payment.refresh_from_db()
    assert refund.status == "succeeded" and payment.status == Status.PARTIALLY_REFUNDED
    assert payment.refunded == Decimal("400.00")
    entry = Entry.objects.get(pk=refund.entry_id)
    assert entry.amount == Decimal("400.00") and entry.reason == "Ошибка суммы"
    assert _balance(account) == Decimal("400.00")
    ledger = Payment.objects.get(pk=payment.ledger_payment_id)
    # What the refund undid: the latest month's charge first (no credit was left).
    undone = Allocation.objects.filter(payment=ledger, amount__lt=0)
    assert [(a.period, a.amount) for a in undone] == [(FEB, Decimal("-400.00"))]

    with pytest.raises(ValidationError, match="1100"):
        services.refund(actor=None, payment=payment, amount="1200", reason="x")
    with pytest.raises(ValidationError):
        services.refund(actor=None, payment=payment, amount="100", reason="  ")
    services.refund(actor=None, payment=payment, amount="1100.00", reason="Возврат")
    payment.refresh_from_db()
    assert payment.status == Status.REFUNDED
    assert _balance(account) == Decimal("1500.00")
    assert Refund.objects.filter(online_payment=payment).count() == 2


def test_an_unpaid_payment_is_not_refunded(member, test_provider):
    user, account = member
    payment = _sent(user, account)
    with pytest.raises(ValidationError):
        services.refund(actor=None, payment=payment, amount="1", reason="x")
    assert not Refund.objects.exists()


def test_a_bad_signature_stores_nothing(member, test_provider):
    from billing.payments.providers.base import BadSignature

    user, account = member
    payment = _sent(user, account)
    provider = provider_for(test_provider, "test")
    body = provider.body(payment, "succeeded", event_id="evt-1")
    with pytest.raises(BadSignature):
        services.receive("test", body, {HEADER: sign(body, "wrong-secret")})
    with pytest.raises(BadSignature):
        services.receive("test", body + b" ", {HEADER: sign(body, provider.secret)})
    with pytest.raises(BadSignature):
        services.receive("test", body, {})
    assert not WebhookEvent.objects.exists()


def test_the_demo_chooses_the_test_provider(in_alpha):
    from billing.payments.demo import seed_demo
    from billing.payments.selectors import active_provider

    assert seed_demo()
    assert active_provider() == "test"
    assert seed_demo() == ""
