"""End to end with a real Celery worker: an operator asks for an export in the console, the worker
builds it inside the association's schema, the chairman downloads it, the operator cannot.

The worker runs in a thread with its own connection, so this module commits its data: a
throwaway association is made (and deleted at the end, which exercises deletion too).
"""

from __future__ import annotations

import json
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client

from associations.services import create_association
from config.celery import app
from console import bundle, services
from console.models import AssociationExport, ExportStatus
from core.access.roles import Role
from tests.conftest import verify_second_factor
from tests.factories import TEST_PASSWORD, UserFactory
from tests.platform.console.conftest import HOLDER_NAME, fill_registry

SLUG = "export-worker"


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """A committed association with a registry, a chairman and an operator; removed after."""
    with django_db_blocker.unblock():
        cache.clear()
        connection.set_schema_to_public()
        association = create_association(name="ТСЖ «Экспорт»", slug=SLUG)
        made = fill_registry(association)
        connection.set_schema_to_public()
        operator = UserFactory(roles=[], is_staff=True)
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        try:
            yield {"association": association, "operator": operator, **made}
        finally:
            connection.set_schema_to_public()
            association.refresh_from_db()
            if association.status != "suspended":
                services.suspend_association(association, reason="cleanup", actor=operator)
            services.delete_association(association, confirmation=SLUG, actor=operator)
            connection.set_schema_to_public()
            Session.objects.exclude(session_key__in=sessions_before).delete()
            with connection.cursor() as cursor:
                # Not the ORM: its cascade would look for tenant-only tables (residencies) here.
                cursor.execute("DELETE FROM access_user WHERE id = %s", [operator.pk])
            cache.clear()


@pytest.fixture
def worker(committed, django_db_blocker):
    with django_db_blocker.unblock():
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            yield
        connection.set_schema_to_public()


def signed_in(host: str, user, *, verified: bool = True) -> Client:
    client = Client(HTTP_HOST=host)
    assert client.login(username=user.email, password=TEST_PASSWORD)
    if verified:
        verify_second_factor(client, user)
    return client


def wait_for(export_pk, timeout: float = 30) -> AssociationExport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection.set_schema_to_public()
        export = AssociationExport.objects.get(pk=export_pk)
        if not export.in_progress:
            return export
        time.sleep(0.2)
    raise AssertionError("the export was not built in time")


def test_the_worker_builds_the_export_and_only_the_chairman_downloads_it(committed, worker):
    association = committed["association"]
    host = association.get_primary_domain().domain
    console = signed_in(settings.BASE_DOMAIN, committed["operator"])
    response = console.post(f"/console/associations/{association.pk}/export/")
    assert response.status_code == 302

    export = wait_for(AssociationExport.objects.get(association=association).pk)
    assert export.status == ExportStatus.READY, export.error_code
    assert export.rows_count > 0 and export.size_bytes > 0

    # The operator's console shows the status only.
    status = console.get(f"/console/associations/{association.pk}/export/status/")
    assert 'data-export-status="ready"' in status.content.decode()
    assert HOLDER_NAME not in status.content.decode()
    console.defaults["HTTP_HOST"] = host
    refused = console.get(f"/export/{export.pk}/download/")
    assert refused.status_code == 302 and "/accounts/login/" in refused["Location"]

    connection.set_tenant(association)
    chairman = signed_in(host, committed["chairman"])
    owner = signed_in(host, committed["owners"][0])
    assert owner.get(f"/export/{export.pk}/download/").status_code == 403
    page = chairman.get("/export/")
    assert f"/export/{export.pk}/download/" in page.content.decode()
    response = chairman.get(f"/export/{export.pk}/download/")
    assert response.status_code == 200
    archive = bundle.read_bundle(b"".join(response.streaming_content))
    holding = json.loads(archive.read("tables/residents_holding.json"))["rows"][0]
    assert holding["full_name"] == HOLDER_NAME
    emails = {row["email"] for row in json.loads(archive.read("tables/access_user.json"))["rows"]}
    assert committed["chairman"].email in emails
    assert Role.CHAIRMAN in json.dumps(json.loads(archive.read("tables/access_user.json")))
