"""The People pages: the list, a refusal in Russian beside the form with nothing changed, and a
successor's page that nobody else opens."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from core.access.roles import Role
from tenants.staff import services

pytestmark = pytest.mark.django_db


def test_the_chairman_sees_every_login_with_its_roles(alpha, board, make_user):
    make_user(alpha, roles=[Role.DISPATCHER], email="disp@example.test")
    page = board.get("/staff/")
    assert page.status_code == 200
    assert "disp@example.test" in page.content.decode()
    assert 'data-role="dispatcher"' in page.content.decode()


def test_a_refusal_is_shown_in_russian_and_nothing_changes(alpha, board, chairman, make_user):
    person = make_user(alpha, roles=[Role.ACCOUNTANT], is_active=False)
    answer = board.post(f"/staff/{person.pk}/", {"roles": [Role.DISPATCHER]})
    assert answer.status_code == 400
    assert "Этот вход отключён" in answer.content.decode()
    assert get_user_model().objects.get(pk=person.pk).roles == [Role.ACCOUNTANT]


def test_only_the_successor_opens_the_hand_over_and_accepts_it(
    alpha, chairman, make_user, client_of
):
    successor = make_user(alpha, roles=[Role.BOARD_MEMBER])
    other = make_user(alpha, roles=[Role.BOARD_MEMBER])
    handover = services.propose_handover(successor=successor, actor=chairman)
    url = f"/staff/chair/{handover.pk}/"
    assert client_of(alpha, other).post(url, {"answer": "accept"}).status_code == 404
    mine = client_of(alpha, successor)
    assert mine.get(url).status_code == 200
    assert mine.post(url, {"answer": "accept"}).status_code == 302
    assert Role.CHAIRMAN in get_user_model().objects.get(pk=successor.pk).roles
    assert Role.CHAIRMAN not in get_user_model().objects.get(pk=chairman.pk).roles
