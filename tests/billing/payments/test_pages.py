"""The online payment pages through HTTP, as a member, the accountant and the board use them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.payments.models import OnlinePayment, ProviderSettings, Status
from tenants.ledger.models import Balance


@pytest.fixture
def owner_client(member, alpha, client_of):
    user, _account = member
    return client_of(alpha, user)


def test_the_account_page_offers_online_payment_only_when_it_is_on(member, owner_client):
    _user, account = member
    page = owner_client.get(f"/money/accounts/{account.pk}/")
    assert f"/money/accounts/{account.pk}/pay/" not in page.content.decode()
    from billing.payments import services

    services.save_settings(actor=None, provider="test")
    page = owner_client.get(f"/money/accounts/{account.pk}/")
    assert f"/money/accounts/{account.pk}/pay/" in page.content.decode()


def test_a_member_pays_through_the_pages(member, owner_client, test_provider):
    _user, account = member
    form = owner_client.get(f"/money/accounts/{account.pk}/pay/")
    assert form.status_code == 200
    assert 'value="1500.00"' in form.content.decode()  # the amount due, prefilled

    refused = owner_client.post(f"/money/accounts/{account.pk}/pay/", {"amount": "-5"})
    assert refused.status_code == 400
    assert "больше нуля" in refused.content.decode() or "above zero" in refused.content.decode()
    assert not OnlinePayment.objects.exists()

    started = owner_client.post(
        f"/money/accounts/{account.pk}/pay/", {"amount": "2000", "period": "2025-01-01"}
    )
    payment = OnlinePayment.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/money/online/{payment.pk}/"
    assert payment.status == Status.CREATED and payment.amount == Decimal("2000.00")
    confirm_page = owner_client.get(started["Location"])
    assert f"/money/online/{payment.pk}/confirm/" in confirm_page.content.decode()

    sent = owner_client.post(f"/money/online/{payment.pk}/confirm/")
    assert sent.status_code == 302 and sent["Location"].endswith("/test-checkout/")
    paid = owner_client.post(sent["Location"], {"action": "pay"})
    assert paid.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Status.SUCCEEDED
    assert Balance.objects.get(account=account).amount == Decimal("-500.00")
    # Pressing "pay" again on the provider's page posts nothing twice.
    owner_client.post(sent["Location"], {"action": "pay"})
    assert Balance.objects.get(account=account).amount == Decimal("-500.00")


def test_the_board_chooses_the_provider_and_secrets_are_never_shown(
    member, alpha, make_user, client_of
):
    chairman = make_user(alpha, roles=["chairman"])
    client = client_of(alpha, chairman)
    refused = client.post("/settings/online-payments/", {"provider": "stripe_connect"})
    assert refused.status_code == 200 and not ProviderSettings.objects.exists()
    saved = client.post(
        "/settings/online-payments/",
        {"provider": "tbank", "tbank_terminal_key": "Term1", "tbank_password": "sekret-pass-123"},
    )
    assert saved.status_code == 302
    row = ProviderSettings.objects.get()
    assert row.provider == "tbank" and row.tbank_password == "sekret-pass-123"
    page = client.get("/settings/online-payments/").content.decode()
    assert "sekret-pass-123" not in page and "Term1" in page
    # A blank password keeps the saved one.
    client.post("/settings/online-payments/", {"provider": "tbank", "tbank_terminal_key": "Term1"})
    row = ProviderSettings.objects.get()
    assert row.tbank_password == "sekret-pass-123"


def test_the_accountant_refunds_and_reconciles(member, alpha, make_user, client_of, test_provider):
    from tests.billing.payments.test_services import _paid_by_test_provider, _sent

    user, account = member
    payment = _paid_by_test_provider(_sent(user, account, "1500.00"))
    accountant = make_user(alpha, roles=["accountant"])
    client = client_of(alpha, accountant)
    board = client.get("/ledger/online/").content.decode()
    assert f"/ledger/online/{payment.pk}/refund/" in board

    refused = client.post(f"/ledger/online/{payment.pk}/refund/", {"amount": "0", "reason": "x"})
    assert refused.status_code == 200
    done = client.post(
        f"/ledger/online/{payment.pk}/refund/", {"amount": "100", "reason": "Переплата"}
    )
    assert done.status_code == 302
    assert Balance.objects.get(account=account).amount == Decimal("100.00")

    assert client.post("/ledger/online/reconcile/").status_code == 302
    board = client.get("/ledger/online/").content.decode()
    assert "data-kind" not in board  # the test provider agrees with the ledger
