"""Fixtures of the plans' tests: localstripe on a free loopback port (started once a session),
the Checkout stand-in, Stripe switched on or off, the chairman's and the operator's clients."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from core.access.roles import Role
from tests.billing.plans import support
from tests.conftest import verify_second_factor
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture(scope="session")
def localstripe():
    process, base = support.start_localstripe()
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def checkout_standin():
    server, base = support.start_checkout_standin()
    try:
        yield base
    finally:
        server.shutdown()


@pytest.fixture
def stripe_on(settings, localstripe, checkout_standin):
    settings.STRIPE_SECRET_KEY = "sk_test_plans"
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_CHECKOUT_API_BASE = checkout_standin
    settings.STRIPE_WEBHOOK_SECRET = support.WEBHOOK_SECRET
    return localstripe


@pytest.fixture
def stripe_off(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = support.WEBHOOK_SECRET


@pytest.fixture
def chairman(alpha, make_user):
    return make_user(alpha, roles=[Role.CHAIRMAN, Role.OWNER])


@pytest.fixture
def chairman_client(alpha, chairman, client_of):
    return client_of(alpha, chairman)


@pytest.fixture
def operator(db):
    connection.set_schema_to_public()
    return UserFactory(roles=[], is_staff=True, email="operator@plans.test")


@pytest.fixture
def console(operator) -> Client:
    client = Client(HTTP_HOST=django_settings.BASE_DOMAIN)
    assert client.login(username=operator.email, password=TEST_PASSWORD)
    verify_second_factor(client, operator)
    connection.set_schema_to_public()
    return client


def add_premises(association, count: int) -> None:
    from decimal import Decimal

    from tenants.residents.models import Building, Premises

    connection.set_tenant(association)
    building = Building.objects.create(name="Корпус Т", address="ул. Тарифная, 1")
    Premises.objects.bulk_create(
        [Premises(building=building, number=f"T{n}", area=Decimal("40.00")) for n in range(count)]
    )
