"""Celery tasks carry their schema and run inside it; periodic jobs fan out per association.

A real worker (in a thread of this process) consumes from the real Redis broker.
"""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django_tenants.utils import schema_context

from associations.models import Association, AssociationStatus
from config.celery import app
from core.tasks import current_schema, fan_out


@pytest.fixture
def worker(alpha, beta, django_db_blocker):
    with django_db_blocker.unblock():
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            yield
        connection.set_schema_to_public()


def test_a_task_runs_in_the_schema_it_was_sent_from(worker):
    with schema_context("alpha"):
        sent_from_alpha = current_schema.delay()
    with schema_context("beta"):
        sent_from_beta = current_schema.delay()
    assert sent_from_alpha.get(timeout=20) == "alpha"
    assert sent_from_beta.get(timeout=20) == "beta"


def test_fan_out_queues_the_job_for_every_ready_association_only(worker, beta):
    Association.objects.filter(pk=beta.pk).update(status=AssociationStatus.SUSPENDED)
    try:
        schemas = fan_out.delay("tenants.portal.tasks.collect_usage").get(timeout=20)
    finally:
        Association.objects.filter(pk=beta.pk).update(status=AssociationStatus.ACTIVE)
    assert "alpha" in schemas
    assert "beta" not in schemas
    assert "public" not in schemas


def test_housekeeping_reaches_suspended_associations_too(worker, beta):
    Association.objects.filter(pk=beta.pk).update(status=AssociationStatus.SUSPENDED)
    try:
        schemas = fan_out.delay("core.tasks.clear_expired_sessions", include_suspended=True).get(
            timeout=20
        )
    finally:
        Association.objects.filter(pk=beta.pk).update(status=AssociationStatus.ACTIVE)
    assert {"alpha", "beta"} <= set(schemas)
