"""The letters speak Russian: the term's basis, refusals beside the field, the API's messages.
(Needs the compiled catalogue: ``deploy/compile_messages.py``.)"""

from __future__ import annotations

import pytest

from tenants.letters.models import Application, Question
from tests.tenants.letters.support import member_with_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def russian_member(alpha, client_of, in_alpha):
    member, _premises, account = member_with_home()
    client = client_of(alpha, member)
    client.cookies["django_language"] = "ru"
    return client, account


def test_the_ask_page_says_the_term_and_its_basis_in_russian(russian_member):
    client, _account = russian_member
    html = client.get("/letters/ask/").content.decode()
    assert "Задать вопрос председателю" in html
    assert "Председатель ответит до" in html
    assert "10 рабочих дней" in html and "Правила № 416" in html and "п. 36" in html
    assert "Найти похожие ответы" in html


def test_refusals_are_in_russian_and_write_nothing(russian_member):
    client, account = russian_member
    empty = client.post(
        "/letters/ask/", {"account": account.pk, "subject": "Тема", "text": " ", "action": "send"}
    )
    assert empty.status_code == 400
    assert "Напишите текст: он не может быть пустым." in empty.content.decode()
    long = client.post(
        "/letters/ask/",
        {"account": account.pk, "subject": "Тема", "text": "я" * 5500, "action": "send"},
    )
    assert "Текст слишком длинный: не более 5000 символов, а в этом 5500." in long.content.decode()
    assert Question.objects.count() == 0

    unknown = client.post(
        "/api/v1/letters/applications/",
        {"account": str(account.pk), "template": "nope", "values": {}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert unknown.status_code == 400
    assert unknown.json()["template"] == ["Такого вида заявлений нет."]
    assert Application.objects.count() == 0
