"""Expectations of the meters' pages and API (issue 11).

Objects are made by someone else (a premises and meter of the board's), so an owner or resident
of ``alpha`` who holds none of it gets 404 where their role opens that kind of page and 403 where
it does not. The submission page opens for members (their own meters: none here); the board's
pages for the board and the accountant (reading), their changes for the board only.
"""

from __future__ import annotations

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

BOARD = (Role.CHAIRMAN.value, Role.BOARD_MEMBER.value)
MEMBERS = (Role.OWNER.value, Role.RESIDENT.value)


def board_only(answer=OK):
    return answers(FORBIDDEN, **dict.fromkeys(BOARD, answer))


def readers(answer=OK):
    return board_only(answer) | {Role.ACCOUNTANT.value: answer}


def readers_and_members(member_answer):
    return readers() | dict.fromkeys(MEMBERS, member_answer)


def _meter():
    from tests.tenants.meters.support import board_meter

    return board_meter()


def premises_kwargs(_association):
    return {"pk": _meter().premises_id}


def building_kwargs(_association):
    return {"pk": _meter().premises.building_id}


def meter_kwargs(_association):
    return {"pk": _meter().pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "meters:submit"): ({}, answers(FORBIDDEN, owner=OK, resident=OK)),
    (TENANT_URLCONF, "meters:meter"): (meter_kwargs, readers_and_members(NOT_FOUND)),
    (TENANT_URLCONF, "meters:board"): ({}, readers()),
    (TENANT_URLCONF, "meters:board-premises"): (premises_kwargs, readers()),
    (TENANT_URLCONF, "meters:board-building"): (building_kwargs, readers()),
    (TENANT_URLCONF, "meters:add"): (premises_kwargs, board_only()),
    (TENANT_URLCONF, "meters:add-common"): (building_kwargs, board_only()),
    (TENANT_URLCONF, "meters:enter"): (premises_kwargs, board_only()),
    (TENANT_URLCONF, "meters:enter-common"): (building_kwargs, board_only()),
    (TENANT_URLCONF, "meters:edit"): (meter_kwargs, board_only()),
    (TENANT_URLCONF, "meters:replace"): (meter_kwargs, board_only()),
    (TENANT_URLCONF, "meters:close"): (meter_kwargs, board_only()),
    # API: anonymous 401, the dispatcher 403, members only their own (none here: 404 / empty).
    (TENANT_URLCONF, "meters:api-meters"): ({}, api(OK, dispatcher=FORBIDDEN)),
    (TENANT_URLCONF, "meters:api-status"): ({}, api(OK, dispatcher=FORBIDDEN)),
    (TENANT_URLCONF, "meters:api-meter"): (
        meter_kwargs,
        api(OK, dispatcher=FORBIDDEN, owner=NOT_FOUND, resident=NOT_FOUND),
    ),
    (TENANT_URLCONF, "meters:api-readings"): (
        meter_kwargs,
        api(OK, dispatcher=FORBIDDEN, owner=NOT_FOUND, resident=NOT_FOUND),
    ),
    # POST only: those who may read get 405 for a GET.
    (TENANT_URLCONF, "meters:api-submit"): ({}, api(NOT_ALLOWED, dispatcher=FORBIDDEN)),
}
