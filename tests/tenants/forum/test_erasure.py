"""Erasing a former holder (152-ФЗ) replaces their posts by a notice, quotes of them included:
gone from the pages, the API and the search; what others wrote stays."""

from __future__ import annotations

import datetime

import pytest

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.files.models import StoredFile
from tenants.forum import services
from tenants.forum.models import Attachment, Post, PostVersion, Topic
from tenants.residents import services as residents
from tenants.residents.models import Owner
from tests.factories import UserFactory
from tests.tenants.residents.factories import make_owner, make_premises

pytestmark = pytest.mark.django_db

SALE = datetime.date(2024, 6, 1)


@pytest.fixture
def erased(forum, alpha):
    """Olga, a former owner, wrote a topic and a post (quoted by Boris), then sold and was
    erased by the board."""
    premises = make_premises(account="F-1")
    seller = make_owner(premises, name="Продавцова Ольга", email="olga@example.test")
    olga = UserFactory(roles=[Role.OWNER], email="olga@example.test", full_name="Ольга Продавцова")
    Owner.objects.filter(pk=seller.pk).update(user=olga)
    own_topic = services.start_topic(
        actor=olga, section=forum.section, title="Ольгина тема про счётчики", body="Первый"
    )
    post = services.reply(actor=olga, topic=forum.topic, body="Секретный счётчик Ольги: **тайна**")
    services.edit_post(actor=olga, post=post, body="Секретный счётчик Ольги: **тайна!**")
    quoting = services.reply(
        actor=forum.boris, topic=forum.topic, body="Согласен с соседкой", quote=post
    )
    services.reply(actor=forum.boris, topic=own_topic, body="Ответ в теме Ольги")
    residents.change_holder(seller.holding.account, holder={"full_name": "Новый"}, on=SALE)
    seller.holding.refresh_from_db()
    residents.erase_holder(seller.holding, actor=forum.chairman)
    return olga, own_topic, post, quoting


def test_the_posts_become_a_notice_and_their_traces_go(erased):
    olga, own_topic, post, quoting = erased
    post.refresh_from_db()
    assert post.is_erased and post.body is None and post.html is None and post.words == []
    assert not PostVersion.objects.filter(post=post).exists()
    assert Topic.objects.get(pk=own_topic.pk).title is None
    # Others' posts stay, and so does the quote's reference (rendered as a notice).
    quoting.refresh_from_db()
    assert quoting.body == "Согласен с соседкой" and quoting.quote_id == post.pk
    entry = AuditEntry.objects.get(action="residents.holder_erased")
    assert entry.details["forum_posts_erased"] == 2 and entry.details["forum_topics_erased"] == 1


def test_pages_show_the_notice_instead_of_the_post_and_its_quotes(erased, forum, alpha, client_of):
    _olga, own_topic, _post, _quoting = erased
    client = client_of(alpha, forum.boris)
    page = client.get(f"/forum/topics/{forum.topic.pk}/").content.decode()
    assert "тайна" not in page and "Ольг" not in page
    assert "This post was removed: its author's personal data was erased." in page
    assert "The quoted post is not available." in page
    assert "Согласен с соседкой" in page
    theirs = client.get(f"/forum/topics/{own_topic.pk}/").content.decode()
    assert "Ольгина" not in theirs and "Ответ в теме Ольги" in theirs
    assert "(title removed: its author's data was erased)" in theirs
    section = client.get(f"/forum/sections/{forum.section.pk}/").content.decode()
    assert "Ольг" not in section


def test_the_api_gives_no_text_of_the_erased(erased, forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    body = client.get(f"/api/v1/forum/topics/{forum.topic.pk}/posts/").json()
    text = str(body)
    assert "тайна" not in text and "Ольг" not in text
    erased_post, quoting = body["results"][1], body["results"][2]
    assert erased_post["erased"] is True and erased_post["body"] is None
    assert erased_post["author"] is None
    assert quoting["quote"]["html"] is None and quoting["quote"]["author"] is None


def test_search_no_longer_finds_the_erased(erased, forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    found = client.get("/api/v1/forum/search/", {"q": "тайна"}).json()
    assert found["count"] == 0
    found = client.get("/api/v1/forum/search/", {"q": "Ольгина"}).json()
    assert found["count"] == 0
    page = client.get("/forum/search/", {"q": "секретный счётчик"}).content.decode()
    assert "0 posts found" in page


def test_attachments_of_the_erased_are_deleted(forum, alpha):
    from django.core.files.uploadedfile import SimpleUploadedFile

    olga = UserFactory(roles=[Role.OWNER])
    pdf = SimpleUploadedFile("протокол.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    post = services.reply(actor=olga, topic=forum.topic, body="Файл", attachments=[pdf])
    stored = Attachment.objects.get(post=post).file_id
    counts = services.erase_authors([olga.pk])
    assert counts == {"forum_posts_erased": 1, "forum_topics_erased": 0}
    assert not StoredFile.objects.filter(pk=stored).exists()
    assert Post.objects.get(pk=post.pk).is_erased
