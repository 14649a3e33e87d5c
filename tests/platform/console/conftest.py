"""Fixtures of the console's tests: operators, their console client, a little registry."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from core.access.roles import Role
from tests.conftest import verify_second_factor
from tests.factories import TEST_PASSWORD, UserFactory

HOLDER_NAME = "Зинаида Аркадьевна Полуэктова"
HOLDER_EMAIL = "zinaida.holder@example.test"


@pytest.fixture
def operator(db):
    connection.set_schema_to_public()
    return UserFactory(roles=[], is_staff=True, email="operator@console.test")


@pytest.fixture
def console(operator) -> Client:
    """A client on the public site, signed in as an operator who passed the second factor."""
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    assert client.login(username=operator.email, password=TEST_PASSWORD)
    verify_second_factor(client, operator)
    connection.set_schema_to_public()
    return client


def fill_registry(association, *, premises: int = 3) -> dict:
    """Premises, one personal account with a holder (personal data encrypted) and members.

    Returns what was made: counts and the users, for the tests to compare.
    """
    from tenants.residents.models import Building, Premises
    from tenants.residents.services import open_account

    connection.set_tenant(association)
    building = Building.objects.create(name="Корпус 1", address="ул. Лесная, 5")
    flats = [
        Premises.objects.create(building=building, number=str(n), area=Decimal("42.50"))
        for n in range(1, premises + 1)
    ]
    open_account(
        number="000101",
        holder={"full_name": HOLDER_NAME, "emails": [HOLDER_EMAIL], "phones": ["+79990001122"]},
        started_on=datetime.date(2020, 1, 1),
        premises=flats[0],
    )
    chairman = UserFactory(roles=[Role.CHAIRMAN, Role.OWNER], full_name="Председатель Тестов")
    owners = [UserFactory(roles=[Role.OWNER]) for _ in range(2)]
    UserFactory(roles=[])  # signed up but holding no role: not a member
    UserFactory(roles=[Role.OWNER], is_active=False)  # switched off: not counted
    connection.set_schema_to_public()
    return {"premises": premises, "chairman": chairman, "owners": owners}
