"""Pinned query counts (tests/query_counts.py): the letters' pages cost the same for one letter
and for many, one message and many."""

from __future__ import annotations

import pytest

from tenants.letters import services
from tests.query_counts import counts_at, queries_text, query_count
from tests.tenants.letters.support import (
    answered_question,
    ask,
    board_user,
    file_application,
    member_with_home,
    published_entry,
)

pytestmark = pytest.mark.django_db


def test_a_members_letters(in_alpha, alpha, client_of):
    member, _premises, account = member_with_home()
    client = client_of(alpha, member)
    made = []

    def grow_to(size):
        while len(made) < size:
            made.append(ask(member, account=account))
            file_application(member, account=account)

    found = counts_at((1, 12), grow_to, lambda: query_count(client, "/letters/"))
    # The signed-in base of 2; the questions with their accounts; the applications with
    # theirs; whether the member has an account to write for (the keys are warm: cached).
    assert found == {1: 5, 12: 5}, queries_text(client, "/letters/")


def test_the_boards_questions(in_alpha, alpha, client_of):
    client = client_of(alpha, board_user())
    made = []

    def grow_to(size):
        while len(made) < size:
            made.append(ask())

    found = counts_at((1, 15), grow_to, lambda: query_count(client, "/letters/board/"))
    # Base 8; the page's count and rows; overdue and waiting counts.
    assert found == {1: 6, 15: 6}, queries_text(client, "/letters/board/")


def test_a_questions_thread(in_alpha, alpha, client_of):
    member, _premises, account = member_with_home()
    question = ask(member, account=account)
    chairman = board_user()
    client = client_of(alpha, chairman)
    path = f"/letters/questions/{question.pk}/"
    replies = [0]

    def grow_to(size):
        while 1 + 2 * replies[0] < size:
            services.answer(actor=chairman, question=question, text="Ответ.")
            services.reply(actor=member, question=question, text="Ещё вопрос.")
            replies[0] += 1

    found = counts_at((1, 11), grow_to, lambda: query_count(client, path))
    # Base 8; the question with its account and author; its messages with their authors; the
    # public entry (the keys are warm: cached).
    assert found == {1: 5, 11: 5}, queries_text(client, path)


def test_the_public_qa(in_alpha, alpha, client_of):
    member, _premises, _account = member_with_home()
    client = client_of(alpha, member)
    made = []

    def grow_to(size):
        while len(made) < size:
            made.append(published_entry())

    listing = counts_at((1, 10), grow_to, lambda: query_count(client, "/letters/qa/"))
    assert listing == {1: 4, 10: 4}, queries_text(client, "/letters/qa/")
    searched = query_count(client, "/letters/qa/?q=трубу")
    # The stems of the words, then the same two queries as the list.
    assert searched == 5, queries_text(client, "/letters/qa/?q=трубу")


def test_the_journal(in_alpha, alpha, client_of):
    client = client_of(alpha, board_user())
    made = []

    def grow_to(size):
        while len(made) < size:
            made.append(file_application())

    found = counts_at((1, 12), grow_to, lambda: query_count(client, "/letters/board/journal/"))
    assert found == {1: 5, 12: 5}, queries_text(client, "/letters/board/journal/")


def test_answered_question_fixture_is_cheap(in_alpha):
    assert answered_question().answered_at is not None
