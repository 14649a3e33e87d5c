"""The forum's pages: reading, replying with a quote and a mention, editing, moderating; a
hidden post shows its reason to its author only; refusals answer 400 with the message."""

from __future__ import annotations

import pytest

from tenants.forum import services
from tenants.forum.models import Post, Topic

pytestmark = pytest.mark.django_db


def test_the_index_section_and_topic_pages(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    index = client.get("/forum/").content.decode()
    assert "Дом" in index and "1 topic" in index
    section = client.get(f"/forum/sections/{forum.section.pk}/").content.decode()
    assert "Счётчики воды" in section and "Анна Соседова" in section
    page = client.get(f"/forum/topics/{forum.topic.pk}/").content.decode()
    assert "<strong>счётчики</strong>" in page and 'id="post-1"' in page
    assert 'id="reply"' in page and "Follow by email" in page


def test_a_member_replies_with_a_quote_and_a_mention(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    first = forum.topic.posts.get()
    form = client.get(f"/forum/topics/{forum.topic.pk}/reply/?quote={first.pk}")
    assert "You quote" in form.content.decode()
    response = client.post(
        f"/forum/topics/{forum.topic.pk}/reply/",
        {"body": "Менял в марте", "quote": str(first.pk), "mentions": [str(forum.chairman.pk)]},
    )
    reply = Post.objects.get(topic=forum.topic, number=2)
    assert response.status_code == 302
    assert response["Location"] == f"/forum/topics/{forum.topic.pk}/#post-2"
    assert reply.quote_id == first.pk
    page = client.get(f"/forum/topics/{forum.topic.pk}/").content.decode()
    assert 'class="forum-quote"' in page and "Менял в марте" in page
    assert "@Председатель Пётр" in page


def test_an_empty_reply_is_refused_in_the_page(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    response = client.post(f"/forum/topics/{forum.topic.pk}/reply/", {"body": "  "})
    assert response.status_code == 400
    assert "Write the text of the post." in response.content.decode()
    assert Post.objects.filter(topic=forum.topic).count() == 1


def test_a_reply_to_a_locked_topic_is_refused_in_the_page(forum, alpha, client_of):
    services.lock_topic(actor=forum.chairman, topic=forum.topic, reason="Хватит")
    client = client_of(alpha, forum.boris)
    page = client.get(f"/forum/topics/{forum.topic.pk}/").content.decode()
    assert "The board locked this topic" in page and "Хватит" in page
    assert 'id="reply"' not in page
    response = client.post(f"/forum/topics/{forum.topic.pk}/reply/", {"body": "Ещё"})
    assert response.status_code == 400
    assert "The topic is locked by the board" in response.content.decode()
    assert Post.objects.filter(topic=forum.topic).count() == 1


def test_the_edited_mark_and_the_history(forum, alpha, client_of):
    client = client_of(alpha, forum.anna)
    first = forum.topic.posts.get()
    response = client.post(f"/forum/posts/{first.pk}/edit/", {"body": "Новый текст"})
    assert response.status_code == 302
    page = client_of(alpha, forum.boris).get(f"/forum/topics/{forum.topic.pk}/").content.decode()
    assert "edited" in page and "Новый текст" in page
    history = client_of(alpha, forum.boris).get(f"/forum/posts/{first.pk}/history/")
    assert "<strong>счётчики</strong>" in history.content.decode()
    # Someone else cannot edit it.
    assert client_of(alpha, forum.boris).get(f"/forum/posts/{first.pk}/edit/").status_code == 404


def test_a_hidden_post_shows_its_reason_to_its_author_only(forum, alpha, client_of):
    first = forum.topic.posts.get()
    board = client_of(alpha, forum.chairman)
    response = board.post(
        f"/forum/posts/{first.pk}/moderate/", {"action": "hide", "reason": "Не по теме"}
    )
    assert response.status_code == 302
    mine = client_of(alpha, forum.anna).get(f"/forum/topics/{forum.topic.pk}/").content.decode()
    assert "Hidden by the board." in mine and "Не по теме" in mine and "счётчики" in mine
    theirs = client_of(alpha, forum.boris).get(f"/forum/topics/{forum.topic.pk}/").content.decode()
    assert "Hidden by the board." in theirs
    assert "Не по теме" not in theirs and "<strong>счётчики</strong>" not in theirs


def test_the_board_locks_hides_and_moves_through_the_page(forum, alpha, client_of):
    board = client_of(alpha, forum.chairman)
    url = f"/forum/topics/{forum.topic.pk}/moderate/"
    refused = board.post(url, {"action": "lock", "reason": ""})
    assert refused.status_code == 400
    assert "Say why: the author will see the reason." in refused.content.decode()
    assert board.post(url, {"action": "lock", "reason": "Итоги подведены"}).status_code == 302
    assert Topic.objects.get(pk=forum.topic.pk).is_locked
    assert board.post(url, {"action": "hide", "reason": "Спам"}).status_code == 302
    # Hidden: its author still opens it (and sees why), others get 404.
    assert client_of(alpha, forum.boris).get(f"/forum/topics/{forum.topic.pk}/").status_code == 404
    mine = client_of(alpha, forum.anna).get(f"/forum/topics/{forum.topic.pk}/")
    assert "Спам" in mine.content.decode()


def test_the_board_adds_a_section(forum, alpha, client_of):
    board = client_of(alpha, forum.chairman)
    response = board.post("/forum/sections/add/", {"title": "Парковка", "description": ""})
    assert response.status_code == 302
    assert "Парковка" in board.get("/forum/").content.decode()
    assert client_of(alpha, forum.boris).get("/forum/sections/add/").status_code == 403


def test_the_mention_picker_finds_readers_by_name(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    found = client.get("/forum/members/", {"who": "анна"}).content.decode()
    assert "Анна Соседова" in found and str(forum.anna.pk) in found
    assert "Борис" not in found  # not oneself


def test_a_member_starts_a_topic(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    response = client.post(
        f"/forum/sections/{forum.section.pk}/new/", {"title": "Лифт", "body": "Лифт стоит"}
    )
    topic = Topic.objects.exclude(pk=forum.topic.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/forum/topics/{topic.pk}/"
    refused = client.post(f"/forum/sections/{forum.section.pk}/new/", {"title": "", "body": "x"})
    assert refused.status_code == 400 and "Give the topic a title." in refused.content.decode()
