"""Search in Russian over keyed hashes of word forms: «счётчик» finds «счётчики»; nothing of
what members wrote is stored in plaintext; hidden posts only for the board."""

from __future__ import annotations

import pytest
from django.db import connection

from tenants.forum import search, selectors, services
from tenants.forum.models import Post

pytestmark = pytest.mark.django_db


def found(user, query) -> list[int]:
    return sorted(post.number for post in selectors.search_posts(user, query))


def test_normal_forms():
    assert search.normalise("Счётчики") == search.normalise("счетчик") == "счетчик"
    assert search.normalise("счётчиков") == "счетчик"
    assert search.forms("Кто менял счётчики? Счетчик — новый, а") == [
        "кто",
        "меня",
        "счетчик",
        "нов",
    ]
    assert search.normalise("Meters") == search.normalise("meter")


def test_a_word_is_found_in_another_form(forum):
    services.reply(actor=forum.boris, topic=forum.topic, body="Поменял счетчиков три штуки")
    services.reply(actor=forum.boris, topic=forum.topic, body="Про лифт")
    assert found(forum.boris, "счётчик") == [1, 2]
    assert found(forum.boris, "СЧЕТЧИКАМИ") == [1, 2]
    assert found(forum.boris, "лифта") == [3]
    # Every word of the query must be there.
    assert found(forum.boris, "счётчик воды") == [1]
    assert found(forum.boris, "счётчик лифт") == []
    assert found(forum.boris, "!!!") == []


def test_the_topic_title_finds_its_first_post(forum):
    services.reply(actor=forum.boris, topic=forum.topic, body="ответ")
    assert found(forum.boris, "воды") == [1]


def test_an_edit_changes_what_is_found(forum):
    first = forum.topic.posts.get()
    services.edit_post(actor=forum.anna, post=first, body="Теперь про крышу")
    assert found(forum.boris, "крыша") == [1]
    assert found(forum.boris, "менял") == []


def test_hidden_posts_are_found_by_the_board_only(forum):
    post = services.reply(actor=forum.boris, topic=forum.topic, body="Грубое слово")
    services.hide_post(actor=forum.chairman, post=post, reason="Грубость")
    assert found(forum.anna, "грубое") == []
    assert found(forum.chairman, "грубое") == [2]


def test_no_word_is_stored_in_plaintext_and_the_hashes_are_keyed(forum, beta):
    first = forum.topic.posts.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT words::text FROM forum_post WHERE id = %s", [first.pk])
        (words,) = cursor.fetchone()
    assert "счет" not in words and "воды" not in words
    alpha_hashes = search.hashes("счётчик")
    assert alpha_hashes and set(alpha_hashes) <= set(Post.objects.get(pk=first.pk).words)
    connection.set_tenant(beta)
    assert search.hashes("счётчик") != alpha_hashes  # another association, another key


def test_search_is_a_gin_index_lookup(forum):
    sql = str(selectors.search_posts(forum.boris, "счётчик").query)
    assert '"forum_post"."words" @>' in sql
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'forum_post_words' "
            "AND schemaname = current_schema()"
        )
        (definition,) = cursor.fetchone()
    assert "USING gin (words)" in definition


def test_the_search_page(forum, alpha, client_of):
    services.reply(actor=forum.boris, topic=forum.topic, body="Счетчиков у меня два")
    page = client_of(alpha, forum.boris).get("/forum/search/", {"q": "счётчик"})
    html = page.content.decode()
    assert "2 posts found" in html and "Счетчиков у меня два" in html
    assert f"/forum/topics/{forum.topic.pk}/#post-2" in html


def test_the_word_hashes_are_the_key_rings_blind_indexes(in_alpha):
    from core.crypto import keyring

    forms = search.forms("Счётчики воды")
    assert keyring.blind_indexes(forms, field=search.FIELD) == [
        keyring.blind_index(form, field=search.FIELD) for form in forms
    ]
    expected = sorted(
        int.from_bytes(
            bytes.fromhex(keyring.blind_index(f, field="forum.word")[:16]), "big", signed=True
        )
        for f in forms
    )
    assert search.hashes("Счётчики воды") == expected
