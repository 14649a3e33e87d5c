"""News and emergency notices: the banner on every page, the letters, the digest."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.audit.models import AuditEntry
from tenants.documents import selectors, services
from tenants.documents.models import DigestRun, News
from tenants.notifications import services as notifications
from tenants.notifications.models import InboxItem, Message, Preference
from tests.query_counts import query_count

pytestmark = pytest.mark.django_db

EMERGENCY = "notifications.emergency"


def emergency(people, **fields):
    fields.setdefault("title", "Отключение холодной воды в доме 1")
    fields.setdefault("body", "Меняем задвижку в подвале.")
    fields.setdefault("ends_at", timezone.now() + datetime.timedelta(hours=4))
    return services.publish_news(actor=people.chairman, kind="emergency", **fields)


def test_an_emergency_is_on_top_of_every_page_until_it_ends(
    people, django_capture_on_commit_callbacks
):
    pages = [
        "/",
        reverse("documents:index"),
        reverse("notifications:inbox"),
        reverse("documents:news"),
    ]
    for path in pages:
        assert "emergency-banner" not in people.member_client.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        item = emergency(people)
    for client in (people.member_client, people.resident_client, people.accountant_client):
        for path in pages:
            html = client.get(path).content.decode()
            assert "emergency-banner" in html, path
            top = html.index("emergency-banner")
            assert (
                top < html.index('class="breadcrumbs"') if 'class="breadcrumbs"' in html else True
            )
            assert "Отключение холодной воды в доме 1" in html
    with django_capture_on_commit_callbacks(execute=True):
        services.end_emergency(actor=people.chairman, item=item)
    assert "emergency-banner" not in people.member_client.get("/").content.decode()


def test_the_banner_leaves_by_itself_at_the_end(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = emergency(people)
    assert [b.id for b in selectors.active_emergencies()] == [str(item.pk)]
    later = item.ends_at + datetime.timedelta(seconds=1)
    assert selectors.active_emergencies(now=later) == []


def test_the_banner_costs_no_query_on_a_warm_page(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        emergency(people)
    # The portal's base page stays at its 2 queries with a notice shown (from the cache).
    assert query_count(people.member_client, "/") == 2
    assert "emergency-banner" in people.member_client.get("/").content.decode()
    # A cold cache costs one query, once.
    selectors.forget_emergencies()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        people.member_client.get("/")
    assert len(captured) == 3


def test_an_emergency_is_sent_at_once_to_everyone_and_cannot_be_switched_off(people):
    # Someone who had somehow switched it off still gets it: the kind ignores preferences.
    Preference.objects.create(user=people.owner, kind=EMERGENCY, enabled=False)
    item = emergency(people)
    message = Message.objects.get(kind=EMERGENCY)
    assert message.subject == "Аварийное объявление: Отключение холодной воды в доме 1"
    assert message.path == reverse("documents:news-detail", kwargs={"pk": item.pk})
    everyone = {people.chairman.pk, people.member.pk, people.owner.pk, people.resident.pk}
    everyone.add(people.accountant.pk)
    assert everyone <= set(
        InboxItem.objects.filter(message=message).values_list("user_id", flat=True)
    )
    run = notifications.deliver_pending()
    assert run.sent >= 5
    letters = [m for m in mail.outbox if "Отключение холодной воды" in m.subject]
    assert len(letters) >= 5
    assert "Меняем задвижку" in letters[0].body
    with pytest.raises(ValidationError):
        notifications.set_preference(
            actor=people.owner, user=people.owner, kind=EMERGENCY, enabled=False
        )


def test_ordinary_news_is_not_sent_and_not_on_top(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_news(actor=people.chairman, kind="news", title="Субботник")
    assert not Message.objects.exists()
    assert "emergency-banner" not in people.member_client.get("/").content.decode()
    assert "Субботник" in people.member_client.get(reverse("documents:news")).content.decode()


def test_the_chairman_publishes_an_emergency_on_the_page(
    people, django_capture_on_commit_callbacks
):
    start = timezone.localtime() + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = people.chairman_client.post(
            reverse("documents:news-new"),
            {
                "kind": "emergency",
                "title": "Остановлен лифт в подъезде 2",
                "body": "Ждём мастера.",
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
    assert response.status_code == 302
    item = News.objects.get(title="Остановлен лифт в подъезде 2")
    assert item.is_emergency and item.active()
    assert "Остановлен лифт" in people.owner_client.get("/").content.decode()
    assert AuditEntry.objects.filter(action="documents.news_published").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"kind": "rumour"}, "kind"),
        ({"ends_in": -2}, "ends_at"),
        ({"starts_in": 3, "ends_in": 2}, "ends_at"),
    ],
)
def test_bad_news_is_refused_with_nothing_written(people, fields, field):
    now = timezone.localtime()
    data = {"kind": "emergency", "title": "Авария", "body": ""}
    if "ends_in" in fields:
        data["ends_at"] = (now + datetime.timedelta(hours=fields.pop("ends_in"))).strftime(
            "%Y-%m-%dT%H:%M"
        )
    if "starts_in" in fields:
        data["starts_at"] = (now + datetime.timedelta(hours=fields.pop("starts_in"))).strftime(
            "%Y-%m-%dT%H:%M"
        )
    data.update(fields)
    response = people.chairman_client.post(
        reverse("documents:news-new"), data, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert not News.objects.exists() and not Message.objects.exists()
    api = people.chairman_client.post(
        reverse("documents:api-news"), data, content_type="application/json"
    )
    assert api.status_code == 400 and field in api.json()
    assert not News.objects.exists()


def test_only_the_board_publishes(people):
    data = {"kind": "emergency", "title": "Авария"}
    assert people.owner_client.post(reverse("documents:news-new"), data).status_code == 403
    api = people.owner_client.post(
        reverse("documents:api-news"), data, content_type="application/json"
    )
    assert api.status_code == 403
    assert not News.objects.exists()


def test_the_weekly_digest_goes_to_those_who_asked_once_a_week(people):
    notifications.set_preference(
        actor=people.member, user=people.member, kind=services.NEWS_DIGEST, enabled=True
    )
    now = timezone.now()
    services.publish_news(actor=people.chairman, kind="news", title="Субботник во дворе")
    services.publish_news(actor=people.chairman, kind="news", title="Новые урны у подъездов")
    emergency(people)  # not in the digest: it was sent at once
    assert services.send_news_digest(now=now + datetime.timedelta(minutes=1)) == 2
    digest = Message.objects.get(kind=services.NEWS_DIGEST)
    assert "Субботник во дворе" in digest.body and "Новые урны" in digest.body
    assert "Отключение" not in digest.body
    assert list(InboxItem.objects.filter(message=digest).values_list("user_id", flat=True)) == [
        people.member.pk
    ]
    # Run again the same week: nothing. A week later with no news: recorded, nothing sent.
    assert services.send_news_digest(now=now + datetime.timedelta(days=1)) == 0
    assert services.send_news_digest(now=now + datetime.timedelta(days=8)) == 0
    assert Message.objects.filter(kind=services.NEWS_DIGEST).count() == 1
    assert DigestRun.objects.count() == 2


def test_news_search_finds_another_word_form(people):
    services.publish_news(actor=people.chairman, kind="news", title="Поверка счётчиков воды")
    services.publish_news(actor=people.chairman, kind="news", title="Субботник")
    html = people.owner_client.get(reverse("documents:news"), {"q": "счётчик"}).content.decode()
    assert "Поверка счётчиков воды" in html and "Субботник" not in html


def test_news_pages_read_in_a_constant_number_of_queries(people):
    from tests.query_counts import counts_at

    def grow_to(size):
        for n in range(News.objects.count(), size):
            services.publish_news(actor=people.chairman, kind="news", title=f"Новость {n}")

    found = counts_at(
        (1, 15), grow_to, lambda: query_count(people.member_client, reverse("documents:news"))
    )
    assert found == {1: found[1], 15: found[1]}


def test_the_board_corrects_ends_and_withdraws_on_the_pages(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = emergency(people)
    edit = reverse("documents:news-edit", kwargs={"pk": item.pk})
    later = timezone.localtime(item.ends_at) + datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = people.chairman_client.post(
            edit,
            {
                "title": "Отключение воды продлено",
                "body": "Ждём деталь.",
                "starts_at": timezone.localtime(item.starts_at).strftime("%Y-%m-%dT%H:%M"),
                "ends_at": later.strftime("%Y-%m-%dT%H:%M"),
            },
        )
    assert response.status_code == 302
    assert "Отключение воды продлено" in people.member_client.get("/").content.decode()
    assert Message.objects.filter(kind=EMERGENCY).count() == 1  # a correction is not resent
    end = reverse("documents:news-end", kwargs={"pk": item.pk})
    assert people.member_client.post(end).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert people.chairman_client.post(end).status_code == 302
    assert "emergency-banner" not in people.member_client.get("/").content.decode()
    # Ending it twice says so and changes nothing.
    again = people.chairman_client.post(end, follow=True, HTTP_ACCEPT_LANGUAGE="ru")
    assert "уже завершено" in again.content.decode()
    delete = reverse("documents:news-delete", kwargs={"pk": item.pk})
    assert people.chairman_client.post(delete).status_code == 302
    assert not News.objects.filter(pk=item.pk).exists()
    assert AuditEntry.objects.filter(action="documents.news_deleted").exists()
