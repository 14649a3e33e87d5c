"""Tenant routing from process memory and Redis (``associations.routing``): a warm request asks
the database nothing to find its association; a suspension or a domain change reaches this
process at once and every other process within ``LOCAL_TTL`` seconds."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from associations import routing
from associations.models import Association, AssociationStatus, Domain
from core.access.roles import Role
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

NEW_HOST = "custom-alpha.localhost"


def public():
    connection.set_schema_to_public()


def set_status(association, status, reason=""):
    """As the console does (``save``: the signals fire)."""
    public()
    row = Association.objects.get(pk=association.pk)
    row.status = status
    row.suspended_reason = reason
    row.save(update_fields=["status", "suspended_reason"])


def test_a_warm_request_asks_the_database_nothing_to_route(alpha, client_of):
    visitor = client_of(alpha)
    assert visitor.get("/accounts/login/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert visitor.get("/accounts/login/").status_code == 200
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "associations_domain" not in sql
    assert "associations_association" not in sql
    assert "search_path" not in sql  # the connection is in alpha's schema already


def test_the_route_is_kept_in_redis_for_other_processes(alpha, client_of):
    host = host_of(alpha)
    client_of(alpha).get("/accounts/login/")
    routing.forget_local()  # another process: nothing in its memory, Redis has it
    with CaptureQueriesContext(connection) as captured:
        tenant = routing.lookup(host)
    assert tenant.pk == alpha.pk
    assert not any("associations_domain" in q["sql"] for q in captured.captured_queries)
    assert caches[routing.CACHE_ALIAS].get(f"host:{host}").pk == alpha.pk


def test_the_process_that_suspends_routes_the_suspension_at_once(alpha, client_of, make_user):
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    assert "suspension-banner" not in member.get("/").content.decode()
    set_status(alpha, AssociationStatus.SUSPENDED, "Не оплачен тариф")
    page = member.get("/").content.decode()
    assert 'class="suspension-banner"' in page
    assert "Не оплачен тариф" in page
    set_status(alpha, AssociationStatus.ACTIVE)
    assert "suspension-banner" not in member.get("/").content.decode()


def test_another_process_serves_a_suspended_association_no_longer_than_the_bound(
    alpha, client_of, make_user, monkeypatch
):
    host = host_of(alpha)
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    member.get("/")
    stale = routing._local[host]  # what another process holds: the association, still active
    set_status(alpha, AssociationStatus.SUSPENDED, "Не оплачен тариф")
    assert caches[routing.CACHE_ALIAS].get(f"host:{host}") is None  # Redis forgot at once

    now = routing._clock()
    monkeypatch.setitem(routing._local, host, stale)
    monkeypatch.setattr(routing, "_clock", lambda: now + routing.LOCAL_TTL - 0.5)
    assert "suspension-banner" not in member.get("/").content.decode()  # within the bound

    monkeypatch.setattr(routing, "_clock", lambda: now + routing.LOCAL_TTL + 0.5)
    page = member.get("/")
    assert 'class="suspension-banner"' in page.content.decode()
    # ...and a suspended portal changes nothing from then on.
    assert member.post("/home/").status_code == 403


def test_the_bound_is_a_few_seconds():
    assert 0 < routing.LOCAL_TTL <= 10


def test_a_new_renamed_or_removed_domain_routes_anew(alpha):
    visitor = Client(HTTP_HOST=NEW_HOST)
    assert visitor.get("/accounts/login/").status_code == 404  # unknown (and remembered so)

    public()
    domain = Domain.objects.create(domain=NEW_HOST, tenant=alpha, is_primary=False)
    response = visitor.get("/accounts/login/")
    assert response.status_code == 200
    assert response.wsgi_request.tenant.pk == alpha.pk

    public()
    domain.domain = "renamed-alpha.localhost"
    domain.save()
    assert visitor.get("/accounts/login/").status_code == 404
    assert Client(HTTP_HOST="renamed-alpha.localhost").get("/accounts/login/").status_code == 200

    public()
    domain.delete()
    assert Client(HTTP_HOST="renamed-alpha.localhost").get("/accounts/login/").status_code == 404


def test_a_domain_moved_to_another_association_routes_there(alpha, beta):
    public()
    domain = Domain.objects.create(domain=NEW_HOST, tenant=alpha, is_primary=False)
    assert Client(HTTP_HOST=NEW_HOST).get("/accounts/login/").wsgi_request.tenant.pk == alpha.pk
    public()
    domain.tenant = beta
    domain.save()
    assert Client(HTTP_HOST=NEW_HOST).get("/accounts/login/").wsgi_request.tenant.pk == beta.pk


def test_an_unknown_host_answers_404_and_never_the_public_site(db):
    assert Client(HTTP_HOST="nobody-here.localhost").get("/").status_code == 404
    assert Client(HTTP_HOST="nobody-here.localhost").get("/").status_code == 404


def test_without_redis_requests_are_routed_from_the_database(alpha, client_of, monkeypatch):
    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("redis is down")

        set = delete_many = get

    monkeypatch.setattr(routing, "_shared", lambda: Down())
    assert client_of(alpha).get("/accounts/login/").status_code == 200


def test_each_request_gets_its_own_copy(alpha, client_of):
    first = client_of(alpha).get("/accounts/login/").wsgi_request.tenant
    first.name = "changed by a view"
    second = client_of(alpha).get("/accounts/login/").wsgi_request.tenant
    assert second is not first
    assert second.name == alpha.name
