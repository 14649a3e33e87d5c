"""People of ``alpha`` as the documents see them: the board, a member, an owner who is not a
member, a resident, the accountant."""

from __future__ import annotations

import datetime

import pytest

from core.access.roles import Role
from tests.tenants.residents.factories import make_owner, make_premises

MEMBER_SINCE = datetime.date(2021, 1, 1)


@pytest.fixture
def people(in_alpha, alpha, make_user, client_of):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN, Role.OWNER])
    member = make_user(alpha, roles=[Role.OWNER])
    make_owner(
        make_premises(),
        user=member,
        name="Соколова Анна Петровна",
        email="anna@example.test",
        phone="+79001234567",
        membership={"is_member": True, "member_since": MEMBER_SINCE},
    )
    owner = make_user(alpha, roles=[Role.OWNER])
    make_owner(make_premises(), user=owner, name="Иванов Пётр Сергеевич")
    resident = make_user(alpha, roles=[Role.RESIDENT])
    accountant = make_user(alpha, roles=[Role.ACCOUNTANT])

    class People:
        pass

    found = People()
    for name, user in {
        "chairman": chairman,
        "member": member,
        "owner": owner,
        "resident": resident,
        "accountant": accountant,
    }.items():
        setattr(found, name, user)
        setattr(found, f"{name}_client", client_of(alpha, user))
    return found


@pytest.fixture(autouse=True)
def _no_cached_emergencies(in_alpha):
    """The banner's cache outlives a test's rolled-back transaction: empty it before and after,
    so no test sees another's notices (nor any later test of the suite)."""
    from tenants.documents import selectors

    selectors.forget_emergencies()
    yield
    from django.db import connection

    connection.set_tenant(in_alpha)
    selectors.forget_emergencies()
