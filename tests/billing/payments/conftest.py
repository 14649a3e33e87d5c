"""Fixtures of the online payment tests: a member with an account owing two months, the
association's provider settings, and the stand-ins of the providers on loopback."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings

from tests.billing.payments.standins import StripeStandIn, TBankStandIn

D = datetime.date
JAN, FEB = D(2025, 1, 1), D(2025, 2, 1)


@pytest.fixture
def member(in_alpha):
    """``(owner user, account)``: the account owes 1000 for January and 500 for February."""
    from tenants.ledger.services import post_entry
    from tests.factories import UserFactory
    from tests.tenants.ledger.accruals.support import add_service
    from tests.tenants.residents.factories import make_owner, make_premises

    user = UserFactory(roles=["owner"])
    premises = make_premises()
    make_owner(premises, user=user)
    account = premises.accounts.get()
    service = add_service()
    for month, amount in ((JAN, "1000.00"), (FEB, "500.00")):
        post_entry(
            actor=None,
            account=account,
            kind="charge",
            period=month,
            amount=Decimal(amount),
            service=service,
        )
    return user, account


@pytest.fixture
def stranger_account(in_alpha):
    from tests.tenants.residents.factories import make_premises

    return make_premises().accounts.get()


@pytest.fixture
def tbank():
    standin = TBankStandIn()
    with override_settings(TBANK_API_BASE=standin.url + "/v2/"):
        yield standin
    standin.close()


@pytest.fixture
def stripe_standin():
    standin = StripeStandIn()
    with override_settings(STRIPE_SECRET_KEY=standin.API_KEY, STRIPE_API_BASE=standin.url):
        yield standin
    standin.close()


@pytest.fixture
def test_provider(in_alpha):
    from billing.payments import services

    return services.save_settings(actor=None, provider="test")


@pytest.fixture
def tbank_provider(in_alpha, tbank):
    from billing.payments import services

    return services.save_settings(
        actor=None,
        provider="tbank",
        tbank_terminal_key=tbank.terminal_key,
        tbank_password=tbank.password,
    )


STRIPE_WEBHOOK_SECRET = "whsec_standin_secret"


@pytest.fixture
def stripe_provider(in_alpha, stripe_standin):
    from billing.payments import services

    return services.save_settings(
        actor=None,
        provider="stripe_connect",
        stripe_account="acct_standin",
        stripe_webhook_secret=STRIPE_WEBHOOK_SECRET,
    )
