"""Expectations of the forum's pages and API (issue 14).

Readers are the owners and the board (``tenants.forum.access``); residents, the accountant and
the dispatcher get 403. Objects are the board's (a section and a topic made by another
chairman), so a reader opens them, edits none (404: not the author) and only the board
moderates.
"""

from __future__ import annotations

from core.access.roles import Role
from tests.access_expectations import (
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REDIRECT,
    TENANT_URLCONF,
    answers,
    api,
)

BOARD = (Role.CHAIRMAN.value, Role.BOARD_MEMBER.value)
READERS = (*BOARD, Role.OWNER.value)


def readers(answer=OK):
    return answers(FORBIDDEN, **dict.fromkeys(READERS, answer))


def board(answer=OK):
    return answers(FORBIDDEN, **dict.fromkeys(BOARD, answer))


def api_readers(answer=OK):
    return api(FORBIDDEN, **dict.fromkeys(READERS, answer))


def _topic():
    from tests.tenants.forum.support import board_topic

    return board_topic()


def topic_kwargs(_association):
    return {"pk": _topic().pk}


def section_kwargs(_association):
    return {"pk": _topic().section_id}


def post_kwargs(_association):
    return {"pk": _topic().posts.get().pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "forum:index"): ({}, readers()),
    (TENANT_URLCONF, "forum:search"): ({}, readers()),
    (TENANT_URLCONF, "forum:members"): ({}, readers()),
    (TENANT_URLCONF, "forum:section-add"): ({}, board()),
    (TENANT_URLCONF, "forum:section"): (section_kwargs, readers()),
    (TENANT_URLCONF, "forum:section-edit"): (section_kwargs, board()),
    (TENANT_URLCONF, "forum:new-topic"): (section_kwargs, readers()),
    (TENANT_URLCONF, "forum:topic"): (topic_kwargs, readers()),
    (TENANT_URLCONF, "forum:reply"): (topic_kwargs, readers()),
    # POST only: readers get 405 for a GET.
    (TENANT_URLCONF, "forum:follow"): (topic_kwargs, readers(NOT_ALLOWED)),
    (TENANT_URLCONF, "forum:moderate-topic"): (topic_kwargs, board()),
    # A post's address leads to its place in the topic.
    (TENANT_URLCONF, "forum:post"): (post_kwargs, readers(REDIRECT)),
    # Someone else's post: nobody but its author edits it.
    (TENANT_URLCONF, "forum:edit"): (post_kwargs, readers(NOT_FOUND)),
    (TENANT_URLCONF, "forum:history"): (post_kwargs, readers()),
    (TENANT_URLCONF, "forum:moderate-post"): (post_kwargs, board()),
    # No app declares this kind: nothing to discuss.
    (TENANT_URLCONF, "forum:discuss"): (
        {"kind": "nothing.here", "object_id": "1"},
        readers(NOT_FOUND),
    ),
    (TENANT_URLCONF, "forum:api-sections"): ({}, api_readers()),
    (TENANT_URLCONF, "forum:api-topics"): ({}, api_readers()),
    (TENANT_URLCONF, "forum:api-topic"): (topic_kwargs, api_readers()),
    (TENANT_URLCONF, "forum:api-posts"): (topic_kwargs, api_readers()),
    (TENANT_URLCONF, "forum:api-post"): (post_kwargs, api_readers()),
    (TENANT_URLCONF, "forum:api-search"): ({}, api_readers()),
}
