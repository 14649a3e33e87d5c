"""Pinned query counts (tests/query_counts.py): a topic's page costs the same with one post and
with a full page of posts with quotes, mentions and attachments, and so does the API's page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.forum import services
from tenants.forum.models import Post
from tests.query_counts import counts_at, queries_text, query_count

pytestmark = pytest.mark.django_db


def _grow(forum):
    def grow_to(size):
        last = Post.objects.filter(topic=forum.topic).order_by("-number").first()
        for index in range(Post.objects.filter(topic=forum.topic).count(), size):
            pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
            last = services.reply(
                actor=forum.boris if index % 2 else forum.anna,
                topic=forum.topic,
                body=f"Сообщение {index}",
                quote=last,
                mentions=[forum.chairman.pk],
                attachments=[pdf] if index % 3 == 0 else [],
            )

    return grow_to


def test_the_topic_page(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    path = f"/forum/topics/{forum.topic.pk}/"
    found = counts_at((1, 50, 120), _grow(forum), lambda: query_count(client, path))
    # The signed-in base of 2; the topic; the page's count and posts (with authors and quotes);
    # their attachments and mentions; whether the reader follows.
    assert found == {1: 8, 50: 8, 120: 8}, queries_text(client, path)


def test_the_posts_api(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    path = f"/api/v1/forum/topics/{forum.topic.pk}/posts/"
    found = counts_at((1, 50), _grow(forum), lambda: query_count(client, path))
    assert found == {1: 7, 50: 7}, queries_text(client, path)


def test_the_section_page(forum, alpha, client_of):
    from tenants.forum.models import Topic

    client = client_of(alpha, forum.boris)
    path = f"/forum/sections/{forum.section.pk}/"

    def grow_to(size):
        for index in range(Topic.objects.count(), size):
            services.start_topic(
                actor=forum.anna, section=forum.section, title=f"Тема {index}", body="текст"
            )

    found = counts_at((1, 20), grow_to, lambda: query_count(client, path))
    assert found == {1: 6, 20: 6}, queries_text(client, path)
