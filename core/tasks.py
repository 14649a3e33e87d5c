"""Tenant-aware Celery machinery.

Every task is a ``tenant_schemas_celery`` task: it carries the schema of the connection that sent
it and runs inside that schema. ``fan_out`` is the one way to run a periodic job: beat calls it
in the public schema, and it queues the named job once for every ready association. Arguments are
ids, never personal data.
"""

from __future__ import annotations

from celery import current_app, shared_task
from django_tenants.utils import schema_context

from core import tenancy


@shared_task(name="core.tasks.fan_out")
def fan_out(task_name: str, include_suspended: bool = False) -> list[str]:
    """Queue ``task_name`` inside each ready association's schema; return the schemas.

    ``include_suspended`` also reaches suspended associations: housekeeping that must go on
    while a portal is read-only (pending key destructions, expired sessions).
    """
    schemas = tenancy.association_schemas(include_suspended=include_suspended)
    for schema in schemas:
        with schema_context(schema):
            current_app.send_task(task_name)
    return schemas


@shared_task(name="core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Delete expired sessions of the schema it runs in (sessions live in every schema)."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.filter(expire_date__lt=timezone.now()).delete()


@shared_task(name="core.tasks.current_schema")
def current_schema() -> str:
    """The schema a task runs in (used by the operators' diagnostics and the tests)."""
    from django.db import connection

    return connection.schema_name
