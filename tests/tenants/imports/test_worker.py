"""A confirmed import runs in a real Celery worker, in the association's schema.

The worker (a thread of this process) consumes from the real Redis broker and uses its own
database connection, so the data it reads must be committed: this test runs outside the usual
rolled-back transaction and deletes what it committed at the end.
"""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import app
from core.access.roles import Role
from core.audit.models import AuditEntry
from core.crypto.models import WrappedDataKey
from tenants.imports import services
from tenants.imports.models import ImportJob, ImportRow, JobStatus
from tenants.imports.selectors import job_progress
from tenants.residents.models import (
    Building,
    Holding,
    Owner,
    Ownership,
    PersonalAccount,
    Premises,
)
from tests.factories import UserFactory
from tests.tenants.imports.conftest import owner_row, upload, xlsx


@pytest.fixture
def worker(alpha, django_db_blocker):
    with django_db_blocker.unblock():
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            yield
        connection.set_schema_to_public()


@pytest.fixture
def committed(alpha, django_db_blocker):
    """Everything made in alpha's schema during the test is deleted afterwards."""
    started = timezone.now()
    with django_db_blocker.unblock():
        yield
        with schema_context("alpha"):
            for model in (Ownership, Owner, Holding, PersonalAccount, Premises, Building):
                model.objects.all().delete()
            ImportRow.objects.all().delete()
            ImportJob.objects.all().delete()
            WrappedDataKey.objects.filter(created_at__gte=started).delete()
            with connection.cursor() as cursor:  # the audit log refuses deletes through the ORM
                cursor.execute("DELETE FROM audit_auditentry WHERE at >= %s", [started])
            UserFactory._meta.model.objects.filter(date_joined__gte=started).delete()
        connection.set_schema_to_public()


def wait_for(job_id, timeout: float = 60) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if not job.in_progress:
            return job
        time.sleep(0.2)
    raise AssertionError(f"the import is still {job.status} after {timeout} s")


def test_a_confirmed_import_runs_in_the_worker_and_writes_the_registry(committed, worker):
    with schema_context("alpha"):
        board = UserFactory(roles=[Role.CHAIRMAN])
        content = xlsx([owner_row(n) for n in range(1, 21)])
        job = services.create_preview(upload=upload(content), file_name="r.xlsx", actor=board)
        assert Premises.objects.count() == 0, "nothing before the confirmation"

        services.confirm_import(job.pk, actor=board)  # commits, then queues the task
        job = wait_for(job.pk)

        assert job.status == JobStatus.DONE, job.notice
        assert job.result["premises_created"] == 20
        assert Owner.objects.count() == 20 and Holding.objects.count() == 20
        assert (
            Owner.objects.filter(phone_index__isnull=False, email_index__isnull=False).count() == 20
        )
        assert not ImportRow.objects.filter(job=job).exists()
        assert job_progress(job)["percent"] == 100
        applied = AuditEntry.objects.get(action="imports.import_applied")
        assert applied.actor_id == board.pk and applied.target_id == str(job.pk)

        again = services.create_preview(upload=upload(content), file_name="r.xlsx", actor=board)
        assert again.unchanged_rows == 20
        services.confirm_import(again.pk, actor=board)
        assert wait_for(again.pk).status == JobStatus.DONE
        assert Owner.objects.count() == 20, "the same file twice changes nothing"
