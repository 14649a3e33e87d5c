"""Pinned query counts of the documents' and news pages (tests/query_counts.py): the same with
one document (or news item) and with twenty."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tenants.documents import services
from tenants.documents.models import Document, News
from tenants.documents.sections import ReaderGroup, Section
from tests.query_counts import counts_at, queries_text, query_count
from tests.tenants.documents.support import publish

pytestmark = pytest.mark.django_db

SECTIONS = list(Section)


def _grow_documents(people):
    def grow_to(size):
        for n in range(Document.objects.count(), size):
            publish(
                actor=people.chairman,
                section=SECTIONS[n % len(SECTIONS)],
                readers=ReaderGroup.OWNERS,
                title=f"Документ {n}",
            )

    return grow_to


@pytest.mark.parametrize(
    ("who", "pinned"),
    [
        # 8 + the reader's groups (an owner's membership is read from the register: their
        # shares, the owner records, the shares on the day, the membership flags) + the
        # documents; the board and a resident need no register.
        ("owner", 7),
        ("member", 7),
        ("chairman", 3),
        ("resident", 3),
    ],
)
def test_the_documents_list(people, who, pinned):
    client = getattr(people, f"{who}_client")
    url = reverse("documents:index")
    found = counts_at((1, 20), _grow_documents(people), lambda: query_count(client, url))
    assert found == {1: pinned, 20: pinned}, queries_text(client, url)


def test_a_document_with_its_history(people):
    document = publish(actor=people.chairman, readers=ReaderGroup.OWNERS)
    url = reverse("documents:detail", kwargs={"pk": document.pk})

    def grow_to(size):
        for _n in range(document.versions.count(), size):
            services.add_version(actor=people.chairman, document=document, upload=_pdf())

    for who, pinned in (("owner", 8), ("chairman", 6)):
        client = getattr(people, f"{who}_client")
        document.versions.filter(number__gt=1).delete()
        Document.objects.filter(pk=document.pk).update(current=document.versions.get(number=1))
        found = counts_at((1, 20), grow_to, lambda client=client: query_count(client, url))
        assert found == {1: pinned, 20: pinned}, (who, queries_text(client, url))


def _pdf():
    from tests.tenants.documents.support import pdf

    return pdf()


def test_the_news(people):
    url = reverse("documents:news")

    def grow_to(size):
        for n in range(News.objects.count(), size):
            services.publish_news(actor=people.chairman, kind="news", title=f"Новость {n}")

    found = counts_at((1, 20), grow_to, lambda: query_count(people.member_client, url))
    assert found == {1: 5, 20: 5}, queries_text(people.member_client, url)


def test_the_143_1_page(people):
    url = reverse("documents:disclosure")
    found = counts_at(
        (1, 20), _grow_documents(people), lambda: query_count(people.owner_client, url)
    )
    assert found == {1: 4, 20: 4}, queries_text(people.owner_client, url)
