"""Expectations of the register of members and the registered residents (issue 10).

The board's pages and exports are the chairman's and board members'; the version of ЖК РФ
ст. 143.1 is open to owners too (no contacts). Buttons (POST only) answer 405 to the board's GET.
"""

from __future__ import annotations

import datetime

from tests.access_expectations import FORBIDDEN, NOT_ALLOWED, OK, TENANT_URLCONF
from tests.access_expectations.registry import (
    BOARD,
    FIRST_DAY,
    _owner,
    _premises,
    answers,
    board_page,
)


def owner_kwargs(_association):
    return {"pk": _owner().pk}


def link_kwargs(_association):
    from decimal import Decimal

    from tenants.residents import services

    owner = _owner()
    parking = services.create_premises(
        building=owner.ownerships.get().premises.building,
        kind="parking",
        number="М7",
        area=Decimal("14.00"),
        account_number="ACL-0002",
        started_on=FIRST_DAY,
    )
    other = services.add_owner(
        services.current_holding(parking.accounts.get()),
        premises=parking,
        share=1,
        started_on=FIRST_DAY,
        person={"full_name": "Чужой Собственник"},
    )
    return {"pk": owner.pk, "other": other.pk}


def membership_kwargs(_association):
    from tenants.residents.services import members

    owner = _owner()
    return {"pk": members.admit_member(owner, admitted_on=datetime.date(2021, 1, 1), actor=None).pk}


def registered_kwargs(_association):
    from tenants.residents.services import residency

    resident = residency.register_resident(
        _premises(), full_name="Жилец", started_on=datetime.date(2021, 1, 1), actor=None
    )
    return {"pk": resident.pk}


def premises_kwargs(_association):
    return {"pk": _premises().pk}


BUTTON = answers(FORBIDDEN, **dict.fromkeys(BOARD, NOT_ALLOWED))

EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "residents:registry-members"): ({}, board_page()),
    (TENANT_URLCONF, "residents:registry-members-csv"): ({}, board_page()),
    (TENANT_URLCONF, "residents:registry-members-xlsx"): ({}, board_page()),
    (TENANT_URLCONF, "residents:members-register"): ({}, board_page(owner=OK)),
    (TENANT_URLCONF, "residents:registry-owner-membership"): (owner_kwargs, board_page()),
    (TENANT_URLCONF, "residents:registry-owner-link"): (link_kwargs, BUTTON),
    (TENANT_URLCONF, "residents:registry-owner-unlink"): (owner_kwargs, BUTTON),
    (TENANT_URLCONF, "residents:registry-membership-end"): (membership_kwargs, BUTTON),
    (TENANT_URLCONF, "residents:registry-registered"): (premises_kwargs, board_page()),
    (TENANT_URLCONF, "residents:registry-registered-end"): (registered_kwargs, BUTTON),
}
