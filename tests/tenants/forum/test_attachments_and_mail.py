"""Attachments (private files, the post's readers only; wrong types and oversized bodies refused
with nothing written), the letters followers and the mentioned get, and the demo forum."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.files.models import StoredFile
from tenants.forum import services, views
from tenants.forum.models import Attachment, Post, Section, Topic
from tests.factories import UserFactory
from tests.tenants.files.images import jpeg_with_location

pytestmark = pytest.mark.django_db


def test_a_photo_attached_in_the_page_is_read_by_readers_only(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    photo = SimpleUploadedFile("двор.jpg", jpeg_with_location(), content_type="image/jpeg")
    response = client.post(
        f"/forum/topics/{forum.topic.pk}/reply/", {"body": "Вот фото двора", "attachments": [photo]}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.select_related("file").get()
    assert attachment.file.purpose == "forum.attachment" and attachment.file.holding_id is None
    url = f"/files/{attachment.file_id}/"
    page = client.get(f"/forum/topics/{forum.topic.pk}/").content.decode()
    assert url in page and "двор.jpg" in page
    image = client_of(alpha, forum.anna).get(url)
    assert image.status_code == 200 and b"SecretCam" not in b"".join(image.streaming_content)
    resident = UserFactory(roles=["resident"])
    assert client_of(alpha, resident).get(url).status_code in (403, 404)
    # Hidden by the board: the file goes with the text.
    services.hide_post(actor=forum.chairman, post=attachment.post, reason="Чужое лицо")
    assert client_of(alpha, forum.anna).get(url).status_code in (403, 404)
    assert client_of(alpha, forum.boris).get(url).status_code == 200  # its author


def test_a_file_of_a_wrong_type_is_refused_and_nothing_written(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    script = SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="text/html")
    response = client.post(
        f"/forum/topics/{forum.topic.pk}/reply/", {"body": "Файл", "attachments": [script]}
    )
    assert response.status_code == 400
    assert "This type of file is not accepted here" in response.content.decode()
    assert Post.objects.filter(topic=forum.topic).count() == 1
    assert not StoredFile.objects.exists()


def test_an_oversized_body_is_refused_before_it_is_read(forum, alpha, client_of, monkeypatch):
    monkeypatch.setattr(views, "UPLOAD_LIMIT", 1024)
    client = client_of(alpha, forum.boris)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 200_000)
    response = client.post(
        f"/forum/topics/{forum.topic.pk}/reply/", {"body": "Большой", "attachments": [big]}
    )
    assert response.status_code == 413
    assert "The files are too large" in response.content.decode()
    assert Post.objects.filter(topic=forum.topic).count() == 1


def test_followers_and_the_mentioned_get_a_letter(forum, alpha):
    from tenants.notifications.services import deliver_pending

    services.reply(actor=forum.boris, topic=forum.topic, body="Ответ", mentions=[forum.chairman.pk])
    mail.outbox.clear()
    deliver_pending()
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {forum.anna.email, forum.chairman.email}
    letter = sent[forum.anna.email]
    assert "/forum/posts/" in letter.body
    # No member's text or name leaves the portal (nor outlives an erasure in an inbox).
    for text in ("Ответ", "Счётчики воды", "Борис"):
        assert text not in letter.subject + letter.body


def test_the_demo_forum(in_alpha):
    from tenants.forum.demo import seed_demo

    UserFactory(roles=["chairman", "board_member", "owner"])
    UserFactory(roles=["owner"])
    assert seed_demo() == "2 forum sections, 3 topics with posts"
    assert Section.objects.count() == 2 and Topic.objects.count() == 3
    first = Post.objects.get(edit_count=1)
    assert first.number == 1 and first.versions.count() == 1
    assert Post.objects.filter(topic=first.topic, quote__isnull=False).count() == 2
    assert seed_demo() == ""  # once
