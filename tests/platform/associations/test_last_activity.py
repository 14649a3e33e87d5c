"""The console's "last activity": noted by a small middleware, at most once per five minutes per
association, for signed-in members only (probes, bots and the login page are not activity)."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from associations import middleware
from associations.middleware import forget_noted
from associations.models import Association
from core.access.roles import Role

pytestmark = pytest.mark.django_db

MIDDLEWARE = "associations.middleware.LastActivityMiddleware"


@pytest.fixture(autouse=True)
def _with_the_middleware(settings):
    """The middleware in the stack (after authentication), whether or not settings have it."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]


LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def last_activity(association) -> datetime.datetime | None:
    connection.set_schema_to_public()
    return Association.objects.get(pk=association.pk).last_activity_at


def set_last_activity(association, when) -> None:
    connection.set_schema_to_public()
    Association.objects.filter(pk=association.pk).update(last_activity_at=when)


def test_a_signed_in_members_request_notes_the_association_activity(alpha, client_of, make_user):
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    set_last_activity(alpha, None)
    before = timezone.now()

    assert member.get("/").status_code == 200

    noted = last_activity(alpha)
    assert noted is not None and noted >= before


def test_it_is_noted_at_most_once_per_five_minutes(alpha, client_of, make_user):
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    member.get("/")
    set_last_activity(alpha, LONG_AGO)

    member.get("/")
    member.get("/")

    assert last_activity(alpha) == LONG_AGO  # throttled: no UPDATE within the five minutes
    cache.clear()  # the five minutes are over: in Redis and in this process's memory
    forget_noted()
    member.get("/")
    assert last_activity(alpha) > LONG_AGO


def test_within_the_window_a_request_asks_neither_redis_nor_the_database(
    alpha, client_of, make_user, monkeypatch
):
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    member.get("/")  # noted: the window starts in Redis and in this process
    set_last_activity(alpha, LONG_AGO)
    cache.clear()  # Redis forgot; this process still knows the window is open

    asked = []
    add = middleware.cache.add  # the shared cache: other parts (the user's row) add keys too

    def noting_add(key, *args, **kwargs):
        if key.startswith("activity:"):
            asked.append(key)
            return True
        return add(key, *args, **kwargs)

    monkeypatch.setattr(middleware.cache, "add", noting_add)
    member.get("/")
    assert asked == []
    assert last_activity(alpha) == LONG_AGO

    # Once this process's window is over, the cache decides again, and a write follows.
    monkeypatch.setattr(middleware, "_noted_until", {alpha.schema_name: time.monotonic() - 1})
    member.get("/")
    assert len(asked) == 1
    assert last_activity(alpha) > LONG_AGO


def test_anonymous_requests_are_not_activity(alpha, client_of):
    set_last_activity(alpha, None)
    visitor = client_of(alpha)
    visitor.get("/accounts/login/")
    visitor.post("/accounts/login/", {"username": "nobody@example.test", "password": "wrong"})
    assert last_activity(alpha) is None


def test_each_association_is_noted_on_its_own(alpha, beta, client_of, make_user):
    set_last_activity(alpha, None)
    set_last_activity(beta, None)
    client_of(beta, make_user(beta, roles=[Role.OWNER])).get("/")
    assert last_activity(alpha) is None
    assert last_activity(beta) is not None


def test_the_public_site_is_not_an_association(db):
    from django.conf import settings
    from django.test import Client

    from tests.conftest import verify_second_factor
    from tests.factories import TEST_PASSWORD, UserFactory

    connection.set_schema_to_public()
    operator = UserFactory(roles=[], is_staff=True, email="operator@activity.test")
    public = Association.objects.get(schema_name="public")
    Association.objects.filter(pk=public.pk).update(last_activity_at=None)
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    assert client.login(username=operator.email, password=TEST_PASSWORD)
    verify_second_factor(client, operator)

    assert client.get("/console/").status_code == 200

    connection.set_schema_to_public()
    assert Association.objects.get(pk=public.pk).last_activity_at is None
