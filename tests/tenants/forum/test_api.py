"""The forum's REST API: the pages' access, the same services and refusals (400, in Russian
for a Russian reader, nothing written)."""

from __future__ import annotations

import pytest

from tenants.forum import services
from tenants.forum.models import Post, Topic

pytestmark = pytest.mark.django_db


def test_sections_topics_and_posts(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    sections = client.get("/api/v1/forum/sections/").json()
    assert [(s["title"], s["topic_count"]) for s in sections] == [("Дом", 1)]
    topics = client.get("/api/v1/forum/topics/", {"section": str(forum.section.pk)}).json()
    assert [t["title"] for t in topics["results"]] == ["Счётчики воды"]
    assert topics["results"][0]["author"]["name"] == "Анна Соседова"
    posts = client.get(f"/api/v1/forum/topics/{forum.topic.pk}/posts/").json()
    first = posts["results"][0]
    assert first["body"] == "Кто менял **счётчики** воды?"
    assert first["html"] == "<p>Кто менял <strong>счётчики</strong> воды?</p>"


def test_starting_replying_and_editing(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    made = client.post(
        "/api/v1/forum/topics/",
        {"section": str(forum.section.pk), "title": "Лифт", "body": "Лифт стоит"},
        content_type="application/json",
    )
    assert made.status_code == 201
    topic = Topic.objects.get(pk=made.json()["id"])
    first = topic.posts.get()
    reply = client_of(alpha, forum.anna).post(
        f"/api/v1/forum/topics/{topic.pk}/posts/",
        {"body": "Уже вызвали", "quote": str(first.pk), "mentions": [str(forum.boris.pk)]},
        content_type="application/json",
    )
    assert reply.status_code == 201
    body = reply.json()
    assert body["quote"]["html"] == "<p>Лифт стоит</p>" and body["number"] == 2
    assert body["mentions"] == [{"id": str(forum.boris.pk), "name": "Борис Жильцов"}]
    edited = client.patch(
        f"/api/v1/forum/posts/{first.pk}/",
        {"body": "Лифт снова стоит"},
        content_type="application/json",
    )
    assert edited.status_code == 200 and edited.json()["edit_count"] == 1
    # Someone else's post: no.
    refused = client_of(alpha, forum.anna).patch(
        f"/api/v1/forum/posts/{first.pk}/", {"body": "чужое"}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_bad_input_is_a_clear_russian_message_and_nothing_changes(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    client.cookies["django_language"] = "ru"
    url = f"/api/v1/forum/topics/{forum.topic.pk}/posts/"
    empty = client.post(url, {"body": "   "}, content_type="application/json")
    assert empty.status_code == 400
    assert empty.json() == {"body": ["Напишите текст сообщения."]}
    services.lock_topic(actor=forum.chairman, topic=forum.topic, reason="Итоги подведены")
    locked = client.post(url, {"body": "Ещё вопрос"}, content_type="application/json")
    assert locked.status_code == 400
    assert locked.json() == {
        "non_field_errors": [
            "Тема закрыта правлением: новые сообщения не принимаются. Причина: Итоги подведены"
        ]
    }
    assert Post.objects.filter(topic=forum.topic).count() == 1


def test_a_hidden_post_in_the_api(forum, alpha, client_of):
    first = forum.topic.posts.get()
    services.hide_post(actor=forum.chairman, post=first, reason="Не по теме")
    url = f"/api/v1/forum/posts/{first.pk}/"
    theirs = client_of(alpha, forum.boris).get(url).json()
    assert theirs["hidden"] and theirs["body"] is None and theirs["hidden_reason"] is None
    mine = client_of(alpha, forum.anna).get(url).json()
    assert mine["body"] and mine["hidden_reason"] == "Не по теме"


def test_search(forum, alpha, client_of):
    services.reply(actor=forum.boris, topic=forum.topic, body="Счетчиков два")
    found = client_of(alpha, forum.boris).get("/api/v1/forum/search/", {"q": "счётчики"}).json()
    assert sorted(p["number"] for p in found["results"]) == [1, 2]
