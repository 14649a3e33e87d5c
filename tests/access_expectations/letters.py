"""Expectations of the letters' pages and API (issue 13: questions and applications).

Objects are made by someone else (another member's question and application), so an owner or
resident of ``alpha`` gets 404 where their role opens that kind of page; the board reads them
all; the accountant and the dispatcher have no part in letters (403). Published Q&A entries are
for every member and the board.
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


def members_only(answer=OK):
    return answers(FORBIDDEN, **dict.fromkeys(MEMBERS, answer))


def readers(board_answer=OK, member_answer=OK):
    return board_only(board_answer) | dict.fromkeys(MEMBERS, member_answer)


def api_readers(board_answer=OK, member_answer=OK):
    return api(FORBIDDEN, **dict.fromkeys(BOARD, board_answer)) | dict.fromkeys(
        MEMBERS, member_answer
    )


def question_kwargs(_association):
    from tests.tenants.letters.support import answered_question

    return {"pk": answered_question().pk}


def application_kwargs(_association):
    from tests.tenants.letters.support import file_application

    return {"pk": file_application().pk}


def entry_kwargs(_association):
    from tests.tenants.letters.support import published_entry

    return {"pk": published_entry().pk}


def template_kwargs(_association):
    from tests.tenants.letters.support import free_form

    return {"pk": free_form().pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "letters:mine"): ({}, members_only()),
    (TENANT_URLCONF, "letters:ask"): ({}, members_only()),
    # POST only (the draft never goes into a URL).
    (TENANT_URLCONF, "letters:suggest"): ({}, members_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "letters:question"): (question_kwargs, readers(OK, NOT_FOUND)),
    (TENANT_URLCONF, "letters:question-close"): (
        question_kwargs,
        readers(NOT_ALLOWED, NOT_ALLOWED),
    ),
    (TENANT_URLCONF, "letters:publish"): (question_kwargs, board_only()),
    (TENANT_URLCONF, "letters:qa"): ({}, readers()),
    (TENANT_URLCONF, "letters:qa-entry"): (entry_kwargs, readers()),
    (TENANT_URLCONF, "letters:qa-withdraw"): (entry_kwargs, board_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "letters:board"): ({}, board_only()),
    (TENANT_URLCONF, "letters:term"): ({}, board_only()),
    (TENANT_URLCONF, "letters:apply"): ({}, members_only()),
    (TENANT_URLCONF, "letters:apply-form"): ({"code": "free-form"}, members_only()),
    (TENANT_URLCONF, "letters:application"): (application_kwargs, readers(OK, NOT_FOUND)),
    (TENANT_URLCONF, "letters:application-pdf"): (application_kwargs, readers(OK, NOT_FOUND)),
    (TENANT_URLCONF, "letters:journal"): ({}, board_only()),
    (TENANT_URLCONF, "letters:templates"): ({}, board_only()),
    (TENANT_URLCONF, "letters:template-new"): ({}, board_only()),
    (TENANT_URLCONF, "letters:template-edit"): (template_kwargs, board_only()),
    # API: anonymous 401; the accountant and the dispatcher 403; members only their own.
    (TENANT_URLCONF, "letters:api-questions"): ({}, api_readers()),
    (TENANT_URLCONF, "letters:api-question"): (question_kwargs, api_readers(OK, NOT_FOUND)),
    (TENANT_URLCONF, "letters:api-question-messages"): (
        question_kwargs,
        api_readers(NOT_ALLOWED, NOT_ALLOWED),
    ),
    (TENANT_URLCONF, "letters:api-public"): ({}, api_readers()),
    (TENANT_URLCONF, "letters:api-templates"): ({}, api_readers()),
    (TENANT_URLCONF, "letters:api-applications"): ({}, api_readers()),
    (TENANT_URLCONF, "letters:api-application"): (
        application_kwargs,
        api_readers(OK, NOT_FOUND),
    ),
    (TENANT_URLCONF, "letters:api-application-answer"): (
        application_kwargs,
        api(FORBIDDEN, **dict.fromkeys(BOARD, NOT_ALLOWED)),
    ),
}


#: The free-form template is seeded with the same id in every association: beta's id names
#: alpha's own copy (the board opens it; an empty POST is a 400 beside the fields).
FOREIGN_IDS = {(TENANT_URLCONF, "letters:template-edit"): {OK, 400}}
