"""Expectations of the dispatch desk's pages and API (issue 13).

Objects are made by someone else (a member's request, a supplier), so an owner or resident of
``alpha`` who holds none of it gets 404 where their role opens that kind of page and 403 where
it does not. The desk (the dispatcher and the board) opens every request and supplier; the
accountant has no part in it.
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

DESK = (Role.CHAIRMAN.value, Role.BOARD_MEMBER.value, Role.DISPATCHER.value)
MEMBERS = (Role.OWNER.value, Role.RESIDENT.value)


def desk_only(answer=OK):
    return answers(FORBIDDEN, **dict.fromkeys(DESK, answer))


def members_only(answer=OK):
    return answers(FORBIDDEN, **dict.fromkeys(MEMBERS, answer))


def desk_and_members(desk_answer, member_answer):
    return answers(
        FORBIDDEN, **dict.fromkeys(DESK, desk_answer), **dict.fromkeys(MEMBERS, member_answer)
    )


def _desk_and_members(desk_answer, member_answer) -> dict:
    return dict.fromkeys(DESK, desk_answer) | dict.fromkeys(MEMBERS, member_answer)


def request_kwargs(_association):
    from tests.tenants.dispatch.support import file_request, member

    user, premises = member()
    return {"pk": file_request(user, premises).pk}


def supplier_kwargs(_association):
    from tests.tenants.dispatch.support import supplier

    return {"pk": supplier().pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "dispatch:mine"): ({}, members_only()),
    (TENANT_URLCONF, "dispatch:new"): ({}, members_only()),
    (TENANT_URLCONF, "dispatch:request"): (request_kwargs, desk_and_members(OK, NOT_FOUND)),
    # POST only: those whose role opens it get 405 for a GET; someone else's request is then a 404.
    (TENANT_URLCONF, "dispatch:comment"): (
        request_kwargs,
        desk_and_members(NOT_ALLOWED, NOT_ALLOWED),
    ),
    (TENANT_URLCONF, "dispatch:photos"): (request_kwargs, members_only(NOT_FOUND)),
    (TENANT_URLCONF, "dispatch:rate"): (request_kwargs, members_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "dispatch:reopen"): (request_kwargs, members_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "dispatch:cancel"): (request_kwargs, members_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "dispatch:assign"): (request_kwargs, desk_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "dispatch:status"): (request_kwargs, desk_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "dispatch:classify"): (request_kwargs, desk_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "dispatch:work-order"): (request_kwargs, desk_only()),
    (TENANT_URLCONF, "dispatch:queue"): ({}, desk_only()),
    (TENANT_URLCONF, "dispatch:merge"): ({}, desk_only()),
    (TENANT_URLCONF, "dispatch:sla"): ({}, desk_only()),
    (TENANT_URLCONF, "dispatch:suppliers"): ({}, desk_only()),
    (TENANT_URLCONF, "dispatch:supplier-new"): ({}, desk_only()),
    (TENANT_URLCONF, "dispatch:supplier"): (supplier_kwargs, desk_only()),
    (TENANT_URLCONF, "dispatch:supplier-edit"): (supplier_kwargs, desk_only()),
    (TENANT_URLCONF, "dispatch:analytics"): ({}, desk_only()),
    # API: anonymous 401, the accountant 403, members only their own (none here: 404 / empty).
    (TENANT_URLCONF, "dispatch:api-requests"): ({}, api(FORBIDDEN, **_desk_and_members(OK, OK))),
    (TENANT_URLCONF, "dispatch:api-request"): (
        request_kwargs,
        api(FORBIDDEN, **_desk_and_members(OK, NOT_FOUND)),
    ),
    (TENANT_URLCONF, "dispatch:api-comments"): (
        request_kwargs,
        api(FORBIDDEN, **_desk_and_members(OK, NOT_FOUND)),
    ),
    (TENANT_URLCONF, "dispatch:api-photos"): (
        request_kwargs,
        api(FORBIDDEN, **_desk_and_members(OK, NOT_FOUND)),
    ),
    (TENANT_URLCONF, "dispatch:api-suppliers"): ({}, api(FORBIDDEN, **dict.fromkeys(DESK, OK))),
}
