"""The forum's services: posting with quotes and mentions, subscriptions and notifications,
edit history, moderation with reasons, locked topics, refusals that change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.audit.models import AuditEntry
from tenants.forum import services
from tenants.forum.models import Mention, Post, PostVersion, Subscription, Topic
from tenants.notifications.models import InboxItem, Message

pytestmark = pytest.mark.django_db


def kinds_for(user) -> list[str]:
    return sorted(
        Message.objects.filter(
            pk__in=InboxItem.objects.filter(user=user).values("message")
        ).values_list("kind", flat=True)
    )


def test_a_topic_starts_with_its_first_post_stored_encrypted(forum):
    from django.db import connection

    first = forum.topic.posts.get()
    assert (first.number, first.author_id, forum.topic.post_count) == (1, forum.anna.pk, 1)
    assert first.html == "<p>Кто менял <strong>счётчики</strong> воды?</p>"
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, html FROM forum_post WHERE id = %s", [first.pk])
        body, html = cursor.fetchone()
        cursor.execute("SELECT title FROM forum_topic WHERE id = %s", [forum.topic.pk])
        (title,) = cursor.fetchone()
    assert body.startswith("e1.") and html.startswith("e1.") and title.startswith("e1.")
    assert "счётчики" not in body + html + title
    # The author follows their topic.
    assert Subscription.objects.filter(topic=forum.topic, user=forum.anna).exists()


def test_a_reply_quotes_a_post_by_reference_and_tells_followers_and_the_mentioned(forum):
    first = forum.topic.posts.get()
    reply = services.reply(
        actor=forum.boris,
        topic=forum.topic,
        body="Я менял в марте.",
        quote=first,
        mentions=[forum.chairman.pk],
    )
    assert (reply.number, reply.quote_id) == (2, first.pk)
    assert list(Mention.objects.filter(post=reply).values_list("user_id", flat=True)) == [
        forum.chairman.pk
    ]
    assert kinds_for(forum.anna) == ["forum.reply"]  # she follows her topic
    assert kinds_for(forum.chairman) == ["forum.mention"]
    assert kinds_for(forum.boris) == []  # nobody is told of their own post
    topic = Topic.objects.get(pk=forum.topic.pk)
    assert (topic.post_count, topic.last_number) == (2, 2)
    entry = AuditEntry.objects.filter(action="forum.post_written").latest("at")
    assert entry.details == {
        "topic": str(forum.topic.pk),
        "number": 2,
        "mentions": 1,
        "attachments": 0,
    }


def test_a_quote_must_be_of_the_same_topic(forum):
    other = services.start_topic(actor=forum.boris, section=forum.section, title="Другая", body="x")
    with pytest.raises(ValidationError) as refused:
        services.reply(actor=forum.anna, topic=forum.topic, body="ответ", quote=other.posts.get())
    assert "quote" in refused.value.message_dict
    assert Post.objects.filter(topic=forum.topic).count() == 1


def test_only_readers_of_the_forum_can_be_mentioned(forum):
    from tests.factories import UserFactory

    accountant = UserFactory(roles=["accountant"])
    with pytest.raises(ValidationError) as refused:
        services.reply(actor=forum.boris, topic=forum.topic, body="x", mentions=[accountant.pk])
    assert refused.value.message_dict == {
        "mentions": ["Only readers of the forum can be mentioned."]
    }
    assert Post.objects.filter(topic=forum.topic).count() == 1


@pytest.mark.parametrize("body", ["", "   \n  ", "<script>alert(1)</script>"])
def test_an_empty_text_is_refused_and_nothing_is_written(forum, body):
    with pytest.raises(ValidationError) as refused:
        services.reply(actor=forum.boris, topic=forum.topic, body=body)
    assert set(refused.value.message_dict) == {"body"}
    assert Post.objects.filter(topic=forum.topic).count() == 1
    assert Topic.objects.get(pk=forum.topic.pk).post_count == 1


def test_a_locked_topic_refuses_replies_with_the_reason(forum):
    services.lock_topic(actor=forum.chairman, topic=forum.topic, reason="Обсуждение завершено")
    with pytest.raises(ValidationError) as refused:
        services.reply(actor=forum.boris, topic=forum.topic, body="Ещё вопрос")
    assert refused.value.messages == [
        "The topic is locked by the board: no new posts. Reason: Обсуждение завершено"
    ]
    assert Post.objects.filter(topic=forum.topic).count() == 1
    # The author is told why.
    assert kinds_for(forum.anna) == ["forum.moderation"]
    message = Message.objects.get(kind="forum.moderation")
    assert message.body == "Reason: Обсуждение завершено"
    services.unlock_topic(actor=forum.chairman, topic=forum.topic)
    services.reply(actor=forum.boris, topic=forum.topic, body="Ещё вопрос")


def test_editing_keeps_the_earlier_text(forum):
    first = forum.topic.posts.get()
    services.edit_post(actor=forum.anna, post=first, body="Кто менял счётчики горячей воды?")
    services.edit_post(actor=forum.anna, post=first, body="Третий вариант")
    first.refresh_from_db()
    assert (first.body, first.edit_count) == ("Третий вариант", 2)
    assert first.edited_at is not None
    assert [v.body for v in PostVersion.objects.filter(post=first).order_by("written_at")] == [
        "Кто менял **счётчики** воды?",
        "Кто менял счётчики горячей воды?",
    ]


def test_only_the_author_edits(forum):
    first = forum.topic.posts.get()
    for someone in (forum.boris, forum.chairman):
        with pytest.raises(ValidationError):
            services.edit_post(actor=someone, post=first, body="чужая правка")
    first.refresh_from_db()
    assert first.body == "Кто менял **счётчики** воды?" and first.edit_count == 0


def test_the_board_hides_a_post_with_a_reason_the_author_is_told(forum):
    first = forum.topic.posts.get()
    with pytest.raises(ValidationError) as refused:
        services.hide_post(actor=forum.chairman, post=first, reason=" ")
    assert set(refused.value.message_dict) == {"reason"}
    services.hide_post(actor=forum.chairman, post=first, reason="Оскорбления")
    first.refresh_from_db()
    assert first.is_hidden and first.hidden_reason == "Оскорбления"
    assert kinds_for(forum.anna) == ["forum.moderation"]
    with pytest.raises(ValidationError):
        services.hide_post(actor=forum.boris, post=first, reason="мне не нравится")


def test_the_board_moves_a_topic_and_says_why(forum):
    other = services.save_section(actor=forum.chairman, title="Разное")
    services.move_topic(actor=forum.chairman, topic=forum.topic, section=other, reason="Не о доме")
    topic = Topic.objects.get(pk=forum.topic.pk)
    assert topic.section_id == other.pk and topic.moved_reason == "Не о доме"
    with pytest.raises(ValidationError):
        services.move_topic(actor=forum.chairman, topic=topic, section=other, reason="ещё раз")


def test_following_can_be_stopped(forum):
    assert services.set_subscription(actor=forum.anna, topic=forum.topic, follow=False)
    services.reply(actor=forum.boris, topic=forum.topic, body="ответ")
    assert kinds_for(forum.anna) == []
