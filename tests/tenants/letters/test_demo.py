"""The demo association's letters: made once, through the services."""

from __future__ import annotations

import pytest

from tenants.letters import selectors
from tenants.letters.demo import seed_demo
from tenants.letters.models import Application, PublicEntry, Question, QuestionStatus
from tenants.portal.demo_registry import CHAIRMAN_EMAIL, DEMO_OWNER_EMAIL
from tests.factories import UserFactory
from tests.tenants.residents.factories import make_owner, make_premises

pytestmark = pytest.mark.django_db


def test_the_demo_fills_questions_answers_and_applications(in_alpha):
    owner = UserFactory(email=DEMO_OWNER_EMAIL, roles=["owner"])
    UserFactory(email=CHAIRMAN_EMAIL, roles=["chairman", "board_member"])
    make_owner(make_premises(number="15"), user=owner)

    assert seed_demo().startswith("letters: 4 questions")
    questions = Question.objects.filter(author=owner)
    assert questions.count() == 4
    assert questions.filter(status=QuestionStatus.ANSWERED).count() == 1
    assert questions.filter(status=QuestionStatus.WAITING).count() == 3
    assert selectors.overdue_count() == 1
    assert PublicEntry.objects.count() == 4
    assert [e.title for e in selectors.search_public(owner, "почтовые ящики")] == [
        "Когда заменят почтовые ящики"
    ]
    assert sorted(Application.objects.values_list("number", flat=True)) == [1, 2]
    assert seed_demo() == ""  # once
