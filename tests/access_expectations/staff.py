"""Expectations of the People pages (the chairman's) and of a successor's hand-over page."""

from __future__ import annotations

from core.access.roles import Role
from tests.access_expectations import (
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    TENANT_ACTORS,
    TENANT_URLCONF,
    signed_in,
)


def chairman_only(answer=OK):
    result = dict.fromkeys(TENANT_ACTORS, FORBIDDEN)
    result["anonymous"] = result["other_association"] = LOGIN
    result[Role.CHAIRMAN.value] = answer
    return result


def _someone(roles=(Role.OWNER,)):
    from tests.factories import UserFactory

    return UserFactory(roles=list(roles))


def person_kwargs(_association) -> dict:
    return {"pk": _someone().pk}


def _handover():
    """A pending hand-over naming someone else (made without a chairman: the operators' way)."""
    from tenants.staff.models import ChairHandover, HandoverStatus

    ChairHandover.objects.filter(status=HandoverStatus.PENDING).update(
        status=HandoverStatus.REPLACED
    )
    return ChairHandover.objects.create(successor=_someone((Role.BOARD_MEMBER,)), by_operator=True)


def handover_kwargs(_association) -> dict:
    return {"pk": _handover().pk}


EXPECTATIONS: dict[tuple[str, str], tuple[object, dict]] = {
    (TENANT_URLCONF, "staff:people"): ({}, chairman_only()),
    (TENANT_URLCONF, "staff:appoint"): ({}, chairman_only()),
    (TENANT_URLCONF, "staff:person"): (person_kwargs, chairman_only()),
    (TENANT_URLCONF, "staff:handover"): ({}, chairman_only()),
    # POST only: the chairman gets 405 for a GET; everyone else is stopped before that.
    (TENANT_URLCONF, "staff:handover-withdraw"): (handover_kwargs, chairman_only(NOT_ALLOWED)),
    # Only the named successor opens it (tests/tenants/staff); anyone else signed in: 404.
    (TENANT_URLCONF, "staff:handover-answer"): (handover_kwargs, signed_in(NOT_FOUND)),
}
