"""Test fixtures shared by the whole suite.

The test database is created once per run (once per pytest-xdist worker, each its own: see
"Tests" in docs/development.md); two associations, ``alpha`` and ``beta``, are created
once per session (their schemas migrated once) and committed. Each test then runs inside a
transaction that is rolled back, so tests see empty tenant schemas and stay fast as the suite
grows. Use ``in_alpha`` / ``in_beta`` to put the connection into a tenant's schema and
``client_of(association)`` for an HTTP client on its subdomain.
"""

from __future__ import annotations

import os

os.environ.setdefault("TSZH_ENV", "test")
# The test run's key store is a temporary directory: see TESTING in config/settings.py.
# Playwright's sync API runs an event loop in the test thread; the ORM is used there too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from tests.factories import TEST_PASSWORD, UserFactory  # noqa: E402


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``make test`` passes ``--dist loadgroup``) the browser tests run one
    after another on one worker: one Chromium and one live server at a time, so two browsers never
    race for the two cores against their 15-second timeouts. Other tests spread freely."""
    group = pytest.mark.xdist_group("browser")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(group)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """The test database, the public tenant and the session's associations, made once.

    Replaces pytest-django's fixture, which sets up no database when no collected test carries
    a ``django_db`` mark (e.g. running only the Celery or pg_dump tests, which commit data).
    """
    from django.test.utils import setup_databases, teardown_databases

    from associations.services import create_association, ensure_public_tenant

    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
        )
        ensure_public_tenant()
        create_association(name="ТСЖ «Альфа»", slug="alpha")
        create_association(
            name="СНТ «Бета»", slug="beta", kind="snt", time_zone="Asia/Yekaterinburg"
        )
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session")
def alpha(django_db_setup, django_db_blocker):
    from associations.models import Association

    with django_db_blocker.unblock():
        return Association.objects.get(slug="alpha")


@pytest.fixture(scope="session")
def beta(django_db_setup, django_db_blocker):
    from associations.models import Association

    with django_db_blocker.unblock():
        return Association.objects.get(slug="beta")


@pytest.fixture(autouse=True)
def _public_schema_after_each_test(request):
    yield
    uses_db = request.node.get_closest_marker("django_db") is not None or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if uses_db:
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Rate-limit counters live in Redis: start each database test with an empty cache. This
    process's memory of routes and of noted activity goes too (a test's rolled-back change to
    an association must not route the next test's requests)."""
    from associations.middleware import forget_noted
    from associations.routing import forget_local

    forget_local()
    forget_noted()
    if "db" in request.fixturenames:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def in_alpha(db, alpha):
    connection.set_tenant(alpha)
    return alpha


@pytest.fixture
def in_beta(db, beta):
    connection.set_tenant(beta)
    return beta


def host_of(association) -> str:
    return association.get_primary_domain().domain


@pytest.fixture
def client_of(db):
    """``client_of(association, user=None)``: a client on the association's subdomain.

    Board members' sessions are marked as having passed the second factor unless
    ``second_factor_verified=False`` (the second-factor tests do it for real).
    """

    def make(association, user=None, second_factor_verified=True) -> Client:
        client = Client(HTTP_HOST=host_of(association))
        if user is not None:
            logged_in = client.login(username=user.email, password=TEST_PASSWORD)
            assert logged_in, "test user could not log in"
            if second_factor_verified:
                verify_second_factor(client, user)
        return client

    return make


def verify_second_factor(client: Client, user) -> None:
    from core.access.twofactor import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = str(user.pk)
    session.save()


@pytest.fixture
def public_client(db) -> Client:
    from django.conf import settings

    return Client(HTTP_HOST=settings.BASE_DOMAIN)


@pytest.fixture
def make_user():
    """``make_user(association, roles=[...], **fields)``: a user in that association's schema."""

    def make(association, roles=(), **fields):
        connection.set_tenant(association)
        return UserFactory(roles=list(roles), **fields)

    return make


__all__ = ["TEST_PASSWORD"]
