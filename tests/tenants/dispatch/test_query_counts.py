"""Pinned query counts (tests/query_counts.py): the desk's queue costs the same for one request
and for many, a request's page the same for few comments and photos and for many, and so do a
member's list and the analytics."""

from __future__ import annotations

import pytest

from tenants.dispatch import services
from tenants.dispatch.models import Request
from tests.query_counts import counts_at, queries_text, query_count
from tests.tenants.dispatch.support import a_png, desk, file_request, member, supplier
from tests.tenants.residents.factories import BuildingFactory, make_premises

pytestmark = pytest.mark.django_db


def test_the_desks_queue(in_alpha, alpha, client_of):
    dispatcher = desk()
    client = client_of(alpha, dispatcher)
    fixer = supplier()
    building = BuildingFactory()

    def grow_to(size):
        for index in range(Request.objects.count(), size):
            user, premises = member(premises=make_premises(building))
            request = file_request(user, premises)
            if index % 2:
                services.assign(request, actor=dispatcher, supplier=fixer)

    path = f"/dispatch/desk/?building={building.pk}"
    found = counts_at((1, 30), grow_to, lambda: query_count(client, path))
    # The signed-in base of 2, the buildings, the page's count and rows, the headline counts.
    assert found == {1: 6, 30: 6}, queries_text(client, path)
    # Unfiltered, the headline's count of open requests is the page's count too.
    assert query_count(client, "/dispatch/desk/") == 5, queries_text(client, "/dispatch/desk/")


def test_a_requests_page(in_alpha, alpha, client_of):
    user, premises = member()
    dispatcher = desk()
    request = file_request(user, premises)
    member_client = client_of(alpha, user)
    desk_client = client_of(alpha, dispatcher)
    path = f"/dispatch/requests/{request.pk}/"

    def grow_to(size):
        while request.comments.count() < size:
            services.add_comment(request, actor=user, text="Ещё один вопрос", by_desk=False)
            services.add_comment(request, actor=dispatcher, text="Ответ", by_desk=True)
        while request.photos.count() < min(size, 10):
            services.add_photos(request, actor=user, photos=[a_png()])

    found = counts_at((1, 10), grow_to, lambda: query_count(member_client, path))
    assert found == {1: 6, 10: 6}, queries_text(member_client, path)
    found = counts_at((10, 20), grow_to, lambda: query_count(desk_client, path))
    assert found == {10: 7, 20: 7}, queries_text(desk_client, path)


def test_a_members_list(in_alpha, alpha, client_of):
    user, premises = member()
    client = client_of(alpha, user)

    def grow_to(size):
        while Request.objects.filter(author=user).count() < size:
            file_request(user, premises)

    found = counts_at((1, 15), grow_to, lambda: query_count(client, "/dispatch/"))
    assert found == {1: 4, 15: 4}, queries_text(client, "/dispatch/")


def test_the_analytics(in_alpha, alpha, client_of):
    client = client_of(alpha, desk())

    def grow_to(size):
        while Request.objects.count() < size:
            user, premises = member()
            file_request(user, premises)

    found = counts_at((1, 12), grow_to, lambda: query_count(client, "/dispatch/analytics/"))
    assert found[1] == found[12], queries_text(client, "/dispatch/analytics/")
