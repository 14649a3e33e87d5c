"""The letters' REST API: the pages' access rules (a member their own, the board all), refusals
as 400s naming the field with nothing written, the schema."""

from __future__ import annotations

import pytest

from tenants.letters.models import Application, Question
from tests.tenants.letters.support import (
    ask,
    board_user,
    file_application,
    member_with_home,
)

pytestmark = pytest.mark.django_db


def test_a_member_asks_and_reads_only_their_own(alpha, client_of, in_alpha):
    member, _premises, account = member_with_home()
    other = ask()  # someone else's
    client = client_of(alpha, member)
    response = client.post(
        "/api/v1/letters/questions/",
        {"account": str(account.pk), "subject": "Лифт", "text": "Лифт стоит второй день."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "Лифт" and body["status"] == "waiting"
    assert [m["text"] for m in body["messages"]] == ["Лифт стоит второй день."]
    listed = client.get("/api/v1/letters/questions/").json()["results"]
    assert [q["id"] for q in listed] == [body["id"]]
    assert client.get(f"/api/v1/letters/questions/{other.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/letters/questions/{other.pk}/messages/",
            {"text": "чужое"},
            content_type="application/json",
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"subject": "Тема", "text": ""}, "text", "Write the text: it cannot be empty."),
        ({"subject": "Тема", "text": "я" * 5001}, "text", "The text is too long"),
        ({"subject": "", "text": "Вопрос"}, "subject", "Write the text"),
    ],
)
def test_bad_questions_are_400s_with_nothing_written(
    alpha, client_of, in_alpha, payload, field, message
):
    member, _premises, account = member_with_home()
    client = client_of(alpha, member)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/api/v1/letters/questions/",
        {"account": str(account.pk), **payload},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert Question.objects.count() == 0


def test_someone_elses_account_is_refused(alpha, client_of, in_alpha):
    member, _premises, _account = member_with_home()
    _other, _premises2, elsewhere = member_with_home()
    response = client_of(alpha, member).post(
        "/api/v1/letters/questions/",
        {"account": str(elsewhere.pk), "subject": "Т", "text": "В"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "account" in response.json()
    assert Question.objects.count() == 0


def test_the_board_answers_through_the_api(alpha, client_of, in_alpha):
    question = ask()
    client = client_of(alpha, board_user())
    assert client.get("/api/v1/letters/questions/?status=waiting").json()["count"] == 1
    response = client.post(
        f"/api/v1/letters/questions/{question.pk}/messages/",
        {"text": "Ответ правления."},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "answered"
    assert [m["from_board"] for m in body["messages"]] == [False, True]


def test_applications_through_the_api(alpha, client_of, in_alpha):
    member, _premises, account = member_with_home()
    other = file_application()
    client = client_of(alpha, member)
    templates = client.get("/api/v1/letters/templates/").json()
    assert "free-form" in [t["code"] for t in templates]
    response = client.post(
        "/api/v1/letters/applications/",
        {"account": str(account.pk), "template": "free-form", "values": {"f1": "Т", "f2": "Х"}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    mine = response.json()
    assert mine["journal_number"] == f"{other.number + 1}/{other.year}"
    listed = client.get("/api/v1/letters/applications/").json()["results"]
    assert [a["id"] for a in listed] == [mine["id"]]
    assert client.get(f"/api/v1/letters/applications/{other.pk}/").status_code == 404

    unknown = client.post(
        "/api/v1/letters/applications/",
        {"account": str(account.pk), "template": "no-such", "values": {}},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "template" in unknown.json()
    assert Application.objects.count() == 2

    # Members cannot answer; the board can.
    answer = {"text": "Готово."}
    path = f"/api/v1/letters/applications/{mine['id']}/answer/"
    assert client.post(path, answer, content_type="application/json").status_code == 403
    board = client_of(alpha, board_user())
    done = board.post(path, answer, content_type="application/json")
    assert done.status_code == 200 and done.json()["answer"] == "Готово."


def test_the_schema_names_the_letters_endpoints(alpha, client_of, in_alpha):
    client = client_of(alpha, board_user())
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/v1/letters/questions/",
        "/api/v1/letters/applications/{id}/answer/",
        "/api/v1/letters/public/",
    ):
        assert path in text
