"""Expectations of the voting's pages and API (issue 15).

The meeting a URL names is made by the board of ``alpha`` (notice published, voting open), so an
owner or resident who is not on its register reads its notice (the notice is public to the
association) but has no decision of their own; the board's pages open for the board only; the
accountant and the dispatcher have no business with meetings.
"""

from __future__ import annotations

from core.access.roles import Role
from tests.access_expectations import FORBIDDEN, OK, TENANT_URLCONF, answers

BOARD = (Role.CHAIRMAN.value, Role.BOARD_MEMBER.value)
MEMBERS = (Role.OWNER.value, Role.RESIDENT.value)


def board_only(answer=OK):
    return answers(FORBIDDEN, **dict.fromkeys(BOARD, answer))


def board_and_members(member_answer=OK, board_answer=OK):
    return board_only(board_answer) | dict.fromkeys(MEMBERS, member_answer)


def meeting_kwargs(_association):
    from tests.tenants.voting.support import access_meeting

    return {"pk": access_meeting().pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "voting:index"): ({}, board_and_members()),
    (TENANT_URLCONF, "voting:meeting"): (meeting_kwargs, board_and_members()),
}
