"""Expectations of the registry's URLs (issue 4): "My home", the board's pages, the REST API.

Object URLs name premises, owners, accounts and holdings made by someone else (the board), so an
owner or resident of ``alpha`` who holds none of it gets 404 where the role opens the kind of
page, and 403 where it does not. Other associations' users are unknown here (login / 401).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from core.access.roles import Role
from tests.access_expectations import (
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    TENANT_URLCONF,
    answers,
    api,
)

BOARD = (Role.CHAIRMAN, Role.BOARD_MEMBER)
FIRST_DAY = datetime.date(2020, 1, 1)


def board_page(**by_role):
    return answers(FORBIDDEN, **dict.fromkeys(BOARD, OK), **by_role)


# -- objects made by the board ------------------------------------------------------------------


def _premises():
    from tenants.residents import services

    building = services.create_building(name="Дом для проверки доступа")
    return services.create_premises(
        building=building,
        kind="flat",
        number="7",
        area=Decimal("48.50"),
        account_number="ACL-0001",
        started_on=FIRST_DAY,
    )


def _owner():
    from tenants.residents import services

    premises = _premises()
    account = premises.accounts.get()
    return services.add_owner(
        services.current_holding(account),
        premises=premises,
        share=1,
        started_on=FIRST_DAY,
        person={"full_name": "Чужой Собственник"},
    )


def premises_kwargs(_association):
    return {"pk": _premises().pk}


def building_kwargs(_association):
    return {"pk": _premises().building_id}


def account_kwargs(_association):
    return {"pk": _premises().accounts.get().pk}


def owner_kwargs(_association):
    return {"pk": _owner().pk}


def ownership_kwargs(_association):
    return {"pk": _owner().ownerships.get().pk}


def former_holding_kwargs(_association):
    from tenants.residents import services

    owner = _owner()
    services.change_holder(
        owner.holding.account, holder={"full_name": "Новый"}, on=datetime.date(2024, 1, 1)
    )
    return {"pk": owner.holding_id}


def residency_kwargs(_association):
    import uuid

    from django.contrib.auth import get_user_model

    from tenants.residents.models import Residency

    lodger = get_user_model().objects.create_user(
        f"lodger-{uuid.uuid4().hex[:8]}@example.test", None, roles=[Role.RESIDENT]
    )
    residency = Residency.objects.create(premises=_premises(), user=lodger, started_on=FIRST_DAY)
    return {"pk": residency.pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    # Pages
    (TENANT_URLCONF, "residents:my-home"): ({}, answers(FORBIDDEN, owner=OK, resident=OK)),
    (TENANT_URLCONF, "residents:registry-index"): ({}, board_page()),
    (TENANT_URLCONF, "residents:registry-building-add"): ({}, board_page()),
    (TENANT_URLCONF, "residents:registry-building-edit"): (building_kwargs, board_page()),
    (TENANT_URLCONF, "residents:registry-premises-add"): ({}, board_page()),
    (TENANT_URLCONF, "residents:registry-premises"): (premises_kwargs, board_page()),
    (TENANT_URLCONF, "residents:registry-premises-edit"): (premises_kwargs, board_page()),
    (TENANT_URLCONF, "residents:registry-account-add"): (premises_kwargs, board_page()),
    (TENANT_URLCONF, "residents:registry-owner-add"): (premises_kwargs, board_page()),
    (TENANT_URLCONF, "residents:registry-owner-edit"): (owner_kwargs, board_page()),
    (TENANT_URLCONF, "residents:registry-ownership-edit"): (ownership_kwargs, board_page()),
    (TENANT_URLCONF, "residents:registry-accounts"): ({}, board_page(accountant=OK)),
    (TENANT_URLCONF, "residents:registry-account"): (account_kwargs, board_page(accountant=OK)),
    (TENANT_URLCONF, "residents:registry-account-renumber"): (account_kwargs, board_page()),
    (TENANT_URLCONF, "residents:registry-holder-change"): (account_kwargs, board_page()),
    (TENANT_URLCONF, "residents:registry-holding-erase"): (former_holding_kwargs, board_page()),
    # POST only: the board gets 405 for a GET; everyone else is stopped before that.
    (TENANT_URLCONF, "residents:registry-residency-end"): (
        residency_kwargs,
        answers(FORBIDDEN, **dict.fromkeys(BOARD, NOT_ALLOWED)),
    ),
    # REST API
    (TENANT_URLCONF, "residents:api-registry-premises-list"): (
        {},
        api(FORBIDDEN, **dict.fromkeys(BOARD, OK), owner=OK, resident=OK),
    ),
    (TENANT_URLCONF, "residents:api-registry-premises-detail"): (
        premises_kwargs,
        api(FORBIDDEN, **dict.fromkeys(BOARD, OK), owner=NOT_FOUND, resident=NOT_FOUND),
    ),
    (TENANT_URLCONF, "residents:api-registry-owners-list"): (
        {},
        api(FORBIDDEN, **dict.fromkeys(BOARD, OK), owner=OK),
    ),
    (TENANT_URLCONF, "residents:api-registry-owners-detail"): (
        owner_kwargs,
        api(FORBIDDEN, **dict.fromkeys(BOARD, OK), owner=NOT_FOUND),
    ),
    (TENANT_URLCONF, "residents:api-registry-accounts-list"): (
        {},
        api(OK, dispatcher=FORBIDDEN),
    ),
    (TENANT_URLCONF, "residents:api-registry-accounts-detail"): (
        account_kwargs,
        api(OK, dispatcher=FORBIDDEN, owner=NOT_FOUND, resident=NOT_FOUND),
    ),
}
