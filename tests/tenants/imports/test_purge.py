"""Nothing of a file is kept for ever: previews nobody imported or discarded and failed imports
are discarded after a week (their rows hold personal data, 152-ФЗ ст. 5 ч. 7), and the file
names of finished imports are forgotten then too. Hourly, in every association."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from core.audit.models import AuditEntry
from tenants.imports import services, tasks
from tenants.imports.models import ImportJob, ImportRow, JobStatus
from tests.tenants.imports.conftest import in_english, owner_row, xlsx

pytestmark = pytest.mark.django_db

TASK = "tenants.imports.tasks.purge_stale_jobs"


def age(job: ImportJob, days: int) -> None:
    """Make everything that happened to ``job`` ``days`` old."""
    when = timezone.now() - datetime.timedelta(days=days)
    ImportJob.objects.filter(pk=job.pk).update(created_at=when)
    ImportJob.objects.filter(pk=job.pk, confirmed_at__isnull=False).update(confirmed_at=when)
    ImportJob.objects.filter(pk=job.pk, finished_at__isnull=False).update(finished_at=when)


def stored(job: ImportJob) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT file_name FROM imports_importjob WHERE id = %s", [job.pk])
        (file_name,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM imports_importrow WHERE job_id = %s", [job.pk])
        (rows,) = cursor.fetchone()
    return file_name, rows


def failed(preview, board, content) -> ImportJob:
    job = preview(content)
    services.confirm_import(job.pk, actor=board)
    with mock.patch(
        "tenants.imports.services.running.registry_snapshot", side_effect=RuntimeError("a bug")
    ):
        assert services.apply_import(job.pk) == JobStatus.FAILED
    return job


def test_week_old_previews_and_failed_imports_are_discarded_with_their_rows(
    preview, imported, board
):
    abandoned = preview(xlsx([owner_row(1), owner_row(2)]), "Иванов.xlsx")
    broken = failed(preview, board, xlsx([owner_row(3)]))
    lost = preview(xlsx([owner_row(4)]))
    services.confirm_import(lost.pk, actor=board)  # its task never ran
    recent = preview(xlsx([owner_row(5)]))
    done = imported(xlsx([owner_row(6)]), "Петров.xlsx")
    for job in (abandoned, broken, lost, done):
        age(job, 8)

    result = tasks.purge_stale_jobs()

    assert result == {"discarded": 3, "rows": 4, "names_cleared": 1}
    for job in (abandoned, broken, lost):
        job.refresh_from_db()
        assert (job.status, job.notice) == (JobStatus.DISCARDED, "expired")
        assert stored(job) == (None, 0)
        assert job.ignored_columns is None
        assert not job.can_confirm, "nothing left to import"
    assert stored(recent)[1] == 1 and stored(recent)[0].startswith("e1.")
    assert ImportJob.objects.get(pk=recent.pk).status == JobStatus.PREVIEW
    done.refresh_from_db()
    assert done.status == JobStatus.DONE and done.result["premises_created"] == 1
    assert stored(done) == (None, 0)
    entries = AuditEntry.objects.filter(action="imports.preview_expired")
    assert entries.count() == 3
    assert "Иванов" not in str(list(entries.values_list("details", flat=True)))


def test_a_job_with_something_recent_is_kept(preview, imported, board):
    preview_job = preview(xlsx([owner_row(1)]))
    age(preview_job, 6)
    checked_again = failed(preview, board, xlsx([owner_row(2)]))
    age(checked_again, 8)
    ImportJob.objects.filter(pk=checked_again.pk).update(finished_at=timezone.now())
    done = imported(xlsx([owner_row(3)]), "Петров.xlsx")
    ImportJob.objects.filter(pk=done.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=9)
    )

    assert tasks.purge_stale_jobs() == {"discarded": 0, "rows": 0, "names_cleared": 0}
    assert ImportRow.objects.filter(job__in=[preview_job, checked_again]).count() == 2
    assert ImportJob.objects.get(pk=done.pk).file_name == "Петров.xlsx"


def test_an_expired_preview_says_why_its_rows_are_gone(alpha, client_of, board, preview):
    job = preview(xlsx([owner_row(1)]))
    age(job, 8)
    tasks.purge_stale_jobs()

    html = in_english(client_of(alpha, board)).get(f"/registry/import/{job.pk}/").content
    assert "kept for 7 days without being imported" in html.decode()


def test_the_purge_runs_hourly_in_every_association_suspended_ones_too(settings):
    from config.celery import app

    entries = [
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry.get("args") == (TASK,)
    ]
    assert entries == [
        {
            "task": "core.tasks.fan_out",
            "schedule": 3600.0,
            "args": (TASK,),
            "kwargs": {"include_suspended": True},
        }
    ]
    assert TASK in app.tasks
