"""Expectations of the voting's pages and API (issue 15).

The meeting a URL names is made by the board of ``alpha`` (an owners' meeting, notice published,
voting open), so an owner or resident who is not on its register reads its notice (the notice is
public to the association) and an empty ballot, but has no entry of their own (their vote
receipts are 404) and no results before the meeting closes (the API's 403); the board's pages
open for the board only; the accountant and the dispatcher have no business with meetings.
Buttons are POST only: a GET is 405 for everyone.
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
    everyone,
)

BOARD = (Role.CHAIRMAN.value, Role.BOARD_MEMBER.value)
MEMBERS = (Role.OWNER.value, Role.RESIDENT.value)
OUTSIDERS = {Role.ACCOUNTANT.value: FORBIDDEN, Role.DISPATCHER.value: FORBIDDEN}


def board_only(answer=OK):
    return answers(FORBIDDEN, **dict.fromkeys(BOARD, answer))


def board_and_members(member_answer=OK, board_answer=OK):
    return board_only(board_answer) | dict.fromkeys(MEMBERS, member_answer)


def api_readers(member_answer=OK, board_answer=OK):
    return api(FORBIDDEN, **dict.fromkeys(BOARD, board_answer)) | dict.fromkeys(
        MEMBERS, member_answer
    )


def _meeting():
    from tests.tenants.voting.support import access_meeting

    return access_meeting()


def meeting_kwargs(_association):
    return {"pk": _meeting().pk}


def question_kwargs(_association):
    meeting = _meeting()
    return {"pk": meeting.pk, "question": meeting.questions.get().pk}


def proxy_kwargs(_association):
    from django.core.files.base import ContentFile

    from tenants.voting import services
    from tests.factories import UserFactory

    meeting = _meeting()
    proxy = services.submit_proxy(
        actor=UserFactory(roles=["chairman"]),
        voter=meeting.voters.first(),
        document_upload=ContentFile(b"%PDF-1.4\nproxy\n", name="proxy.pdf"),
    )
    return {"pk": meeting.pk, "proxy_pk": proxy.pk}


def line_kwargs(_association):
    meeting = _meeting()
    return {"pk": meeting.pk, "voter": meeting.voters.first().pk}


def receipt_kwargs(_association):
    return {"pk": _meeting().pk, "seq": 1}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "voting:index"): ({}, board_and_members()),
    (TENANT_URLCONF, "voting:new"): ({}, board_only()),
    (TENANT_URLCONF, "voting:meeting"): (meeting_kwargs, board_and_members()),
    # The matrix's meeting is voting: only a draft can be changed (404 for the board).
    (TENANT_URLCONF, "voting:edit"): (meeting_kwargs, board_only(NOT_FOUND)),
    (TENANT_URLCONF, "voting:question-add"): (meeting_kwargs, board_only()),
    (TENANT_URLCONF, "voting:question-remove"): (question_kwargs, everyone(NOT_ALLOWED)),
    (TENANT_URLCONF, "voting:publish"): (meeting_kwargs, everyone(NOT_ALLOWED)),
    (TENANT_URLCONF, "voting:open"): (meeting_kwargs, everyone(NOT_ALLOWED)),
    (TENANT_URLCONF, "voting:close"): (meeting_kwargs, everyone(NOT_ALLOWED)),
    (TENANT_URLCONF, "voting:publish-results"): (meeting_kwargs, everyone(NOT_ALLOWED)),
    (TENANT_URLCONF, "voting:ballot"): (meeting_kwargs, board_and_members()),
    (TENANT_URLCONF, "voting:receipt"): (receipt_kwargs, board_and_members(NOT_FOUND, NOT_FOUND)),
    (TENANT_URLCONF, "voting:results"): (meeting_kwargs, board_and_members()),
    # Each premises' decisions once the meeting closed (voting here: 404 for everyone).
    (TENANT_URLCONF, "voting:decisions"): (meeting_kwargs, board_and_members(NOT_FOUND, NOT_FOUND)),
    (TENANT_URLCONF, "voting:register"): (meeting_kwargs, board_only()),
    (TENANT_URLCONF, "voting:paper"): (meeting_kwargs, board_only()),
    (TENANT_URLCONF, "voting:chain"): (meeting_kwargs, board_only()),
    # Members read the protocol once the meeting closed (voting here: not yet).
    (TENANT_URLCONF, "voting:protocol"): (meeting_kwargs, board_and_members(NOT_FOUND)),
    (TENANT_URLCONF, "voting:decision-forms"): (meeting_kwargs, board_only()),
    # The bundle is made once the meeting closed (voting here: 404 for the board).
    (TENANT_URLCONF, "voting:bundle"): (meeting_kwargs, board_only(NOT_FOUND)),
    (TENANT_URLCONF, "voting:proxy"): (meeting_kwargs, board_and_members()),
    (TENANT_URLCONF, "voting:proxies"): (meeting_kwargs, board_only()),
    (TENANT_URLCONF, "voting:represent"): (meeting_kwargs, board_and_members()),
    (TENANT_URLCONF, "voting:proxy-decide"): (proxy_kwargs, everyone(NOT_ALLOWED)),
    (TENANT_URLCONF, "voting:joint-resolve"): (line_kwargs, everyone(NOT_ALLOWED)),
    (TENANT_URLCONF, "voting:api-meetings"): ({}, api_readers()),
    (TENANT_URLCONF, "voting:api-meeting"): (meeting_kwargs, api_readers()),
    (TENANT_URLCONF, "voting:api-questions"): (meeting_kwargs, api_readers()),
    (TENANT_URLCONF, "voting:api-ballots"): (meeting_kwargs, api_readers()),
    (TENANT_URLCONF, "voting:api-receipt"): (receipt_kwargs, api_readers(NOT_FOUND, NOT_FOUND)),
    (TENANT_URLCONF, "voting:api-results"): (meeting_kwargs, api_readers(FORBIDDEN)),
}


def poll_kwargs(_association):
    import datetime

    from django.utils import timezone

    from tenants.voting import services

    poll = services.create_poll(
        actor=None,
        question="Покрасить скамейки?",
        options=["Да", "Нет"],
        closes_at=timezone.now() + datetime.timedelta(days=7),
    )
    return {"pk": poll.pk}


EXPECTATIONS.update(
    {
        (TENANT_URLCONF, "voting:polls"): ({}, board_and_members()),
        (TENANT_URLCONF, "voting:poll-new"): ({}, board_only()),
        (TENANT_URLCONF, "voting:poll"): (poll_kwargs, board_and_members()),
        (TENANT_URLCONF, "voting:poll-close"): (poll_kwargs, everyone(NOT_ALLOWED)),
    }
)


def demand_kwargs(_association):
    """A demand started by an owner of the matrix's building (someone else's for every actor)."""
    from tenants.voting import services
    from tests.factories import UserFactory
    from tests.tenants.residents.factories import make_owner, make_premises

    initiator = UserFactory(roles=["owner"])
    premises = make_premises()
    make_owner(premises, user=initiator)
    demand = services.create_demand(
        actor=initiator, kind="owners", agenda="Установить шлагбаум", building=premises.building
    )
    return {"pk": demand.pk}


EXPECTATIONS.update(
    {
        (TENANT_URLCONF, "voting:demands"): ({}, board_and_members()),
        (TENANT_URLCONF, "voting:demand-new"): ({}, board_and_members()),
        (TENANT_URLCONF, "voting:demand-settings"): ({}, board_only()),
        (TENANT_URLCONF, "voting:demand"): (demand_kwargs, board_and_members()),
        (TENANT_URLCONF, "voting:demand-sign"): (demand_kwargs, everyone(NOT_ALLOWED)),
        (TENANT_URLCONF, "voting:demand-convene"): (demand_kwargs, everyone(NOT_ALLOWED)),
    }
)
