"""Expectations of the documents' and news pages and API (issue 14).

The document the object URLs name is published by someone else for the board only, so every
role outside the board gets 404 where its role opens documents at all (pages and files: it looks
like no document), and 403 on the board's own pages. News is read by everyone signed in.
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
    signed_in,
)

BOARD = (Role.CHAIRMAN.value, Role.BOARD_MEMBER.value)
OUTSIDE_BOARD = (
    Role.OWNER.value,
    Role.RESIDENT.value,
    Role.ACCOUNTANT.value,
    Role.DISPATCHER.value,
)


def board_only(answer=OK, **others):
    return answers(FORBIDDEN, **dict.fromkeys(BOARD, answer), **others)


def owners_and_board(answer=OK):
    return answers(FORBIDDEN, **dict.fromkeys(BOARD, answer), owner=answer)


def document_kwargs(_association):
    from tests.tenants.documents.support import board_document

    return {"pk": board_document().pk}


def file_kwargs(_association):
    from tests.tenants.documents.support import board_document

    document = board_document()
    return {"pk": document.pk, "version": document.current_id}


def news_kwargs(_association):
    from tests.tenants.documents.support import news_item

    return {"pk": news_item().pk}


NOT_THEIRS = dict.fromkeys(OUTSIDE_BOARD, NOT_FOUND)

EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "documents:index"): ({}, signed_in(OK)),
    (TENANT_URLCONF, "documents:new"): ({}, board_only()),
    (TENANT_URLCONF, "documents:disclosure"): ({}, owners_and_board()),
    (TENANT_URLCONF, "documents:register"): ({}, owners_and_board()),
    (TENANT_URLCONF, "documents:register-pdf"): ({}, owners_and_board()),
    (TENANT_URLCONF, "documents:detail"): (document_kwargs, signed_in(OK) | NOT_THEIRS),
    (TENANT_URLCONF, "documents:edit"): (document_kwargs, board_only()),
    (TENANT_URLCONF, "documents:version-new"): (document_kwargs, board_only()),
    (TENANT_URLCONF, "documents:file"): (file_kwargs, signed_in(OK) | NOT_THEIRS),
    (TENANT_URLCONF, "documents:news"): ({}, signed_in(OK)),
    (TENANT_URLCONF, "documents:news-new"): ({}, board_only()),
    (TENANT_URLCONF, "documents:news-detail"): (news_kwargs, signed_in(OK)),
    (TENANT_URLCONF, "documents:news-edit"): (news_kwargs, board_only()),
    # POST only: the board gets 405 for a GET, everyone else 403 first.
    (TENANT_URLCONF, "documents:news-end"): (news_kwargs, board_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "documents:news-delete"): (news_kwargs, board_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "documents:withdraw"): (document_kwargs, board_only(NOT_ALLOWED)),
    # API: anonymous 401.
    (TENANT_URLCONF, "documents:api-documents"): ({}, api(OK)),
    (TENANT_URLCONF, "documents:api-disclosure"): (
        {},
        api(FORBIDDEN, **dict.fromkeys(BOARD, OK), owner=OK),
    ),
    (TENANT_URLCONF, "documents:api-news"): ({}, api(OK)),
    (TENANT_URLCONF, "documents:api-news-item"): (news_kwargs, api(OK)),
    (TENANT_URLCONF, "documents:api-document"): (document_kwargs, api(OK) | NOT_THEIRS),
    (TENANT_URLCONF, "documents:api-versions"): (
        document_kwargs,
        api(FORBIDDEN, **dict.fromkeys(BOARD, NOT_ALLOWED)),
    ),
}
