"""Tasks while the broker is down: queue a Celery task, or keep it until the broker is back.

The project queues its tasks after the commit, with ids only (docs/architecture.md). Redis
unreachable, queueing fails within a second; ``send`` then records the job in the public
schema (``DeferredTask``: the schema it was sent from, the task's name, its ids) instead of
raising, so the request that queued it answers as usual and the work it started stays
accepted. ``relay`` (the every-minute beat job ``relay-deferred-tasks``, and once when a worker
starts) sends the recorded jobs again, each in the schema it came from, and deletes them once
the broker took them.

A job may so reach a worker twice (a send that failed after the broker had it; two relays
racing past a lost commit): every task queued through here must be idempotent, as every task
of the project already is for a worker killed mid-task (docs/operations.md, "Retries and
idempotency").

    from core import relay
    relay.on_commit(tasks.build_batch, batch.pk)
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F

logger = logging.getLogger(__name__)

#: Jobs sent per relay run (the rest wait for the next minute).
BATCH = 500


def _plain(value):
    """Ids as the tasks take them: a UUID as its string, numbers and strings as they are."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str | int) and not isinstance(value, bool):
        return value
    raise TypeError(f"task arguments are ids (str, int, UUID), not {type(value).__name__}")


def on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once this transaction commits (at once outside one)."""
    args = tuple(_plain(value) for value in args)
    transaction.on_commit(lambda: send(task, *args))


def send(task, *args) -> bool:
    """Queue ``task(*args)`` now, in this connection's schema. True when the broker took it;
    False when it refused and the job is kept for the relay (never raises for the broker)."""
    args = tuple(_plain(value) for value in args)
    try:
        task.delay(*args)
    except TypeError:
        raise  # arguments the task does not take: a mistake in the code, not an outage
    except Exception as error:  # noqa: BLE001 - the broker's errors are many; the job is kept
        logger.warning(
            "task %s could not be queued (%s): kept for the relay", task.name, type(error).__name__
        )
        defer(task.name, args, schema_name=connection.schema_name, error=error)
        return False
    return True


def job_key(schema_name: str, task_name: str, args: Iterable) -> str:
    raw = json.dumps([schema_name, task_name, list(args)], separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def defer(task_name: str, args: Iterable, *, schema_name: str, error: Exception | None = None):
    """Keep a job for the relay (once per schema, task and arguments)."""
    from core.relay.models import DeferredTask

    args = [_plain(value) for value in args]
    try:
        DeferredTask.objects.bulk_create(
            [
                DeferredTask(
                    schema_name=schema_name,
                    task=task_name,
                    args=args,
                    key=job_key(schema_name, task_name, args),
                    last_error=type(error).__name__[:100] if error else "",
                )
            ],
            ignore_conflicts=True,
        )
    except Exception:  # noqa: BLE001 - the database too: nothing more can be done here
        logger.exception("task %s could not be kept for the relay", task_name)


def waiting(task, *args) -> bool:
    """Whether ``task(*args)`` of this schema waits for the broker (a page may say so)."""
    from core.relay.models import DeferredTask

    name = task if isinstance(task, str) else task.name
    key = job_key(connection.schema_name, name, [_plain(value) for value in args])
    return DeferredTask.objects.filter(key=key).exists()


def _broker_down(error: Exception) -> bool:
    from kombu.exceptions import OperationalError

    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeout
    except ImportError:  # pragma: no cover - Redis is the broker here
        RedisConnectionError = RedisTimeout = OSError  # noqa: N806
    return isinstance(error, OperationalError | OSError | RedisConnectionError | RedisTimeout)


def _existing_schemas(names: set[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [list(names)])
        return {row[0] for row in cursor.fetchall()}


def relay(limit: int = BATCH) -> dict[str, int]:
    """Send the kept jobs again, oldest first, each in its own schema; delete those the broker
    took, and those of a schema that no longer exists (a deleted association). Stops at the
    first sign the broker is still down. Rows are claimed with ``SKIP LOCKED``: two relays at
    once send each job once. Returns counts (``sent``, ``dropped``, ``kept``)."""
    from celery import current_app
    from django_tenants.utils import schema_context

    from core.relay.models import DeferredTask

    sent: list[int] = []
    dropped: list[int] = []
    failed: dict[int, str] = {}
    with transaction.atomic():
        rows = list(DeferredTask.objects.select_for_update(skip_locked=True).order_by("id")[:limit])
        existing = _existing_schemas({row.schema_name for row in rows}) if rows else set()
        for row in rows:
            if row.schema_name not in existing:
                dropped.append(row.pk)
                continue
            try:
                with schema_context(row.schema_name):
                    current_app.send_task(row.task, args=list(row.args))
            except Exception as error:  # noqa: BLE001 - kept for the next run
                failed[row.pk] = type(error).__name__[:100]
                if _broker_down(error):
                    break
                logger.warning("relay: %s refused (%s)", row.task, type(error).__name__)
                continue
            sent.append(row.pk)
        DeferredTask.objects.filter(pk__in=sent + dropped).delete()
        for pk, error_name in failed.items():
            DeferredTask.objects.filter(pk=pk).update(
                attempts=F("attempts") + 1, last_error=error_name
            )
    if sent or dropped:
        logger.info("relay: %d sent, %d dropped (schema gone)", len(sent), len(dropped))
    kept = len(rows) - len(sent) - len(dropped)
    return {"sent": len(sent), "dropped": len(dropped), "kept": kept}
