"""The relay of tasks the broker refused (core.relay): a refused task is kept once, ids only, in
the public schema; the relay sends it again from the schema it came from and forgets it; a
broker still down keeps everything; a schema that is gone drops its jobs. The real outage
(Redis stopped and started, a worker rendering the PDF once) is tests/outages/test_task_relay.py.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from kombu.exceptions import OperationalError

from config.celery import app
from core import relay
from core.relay.models import DeferredTask
from core.tasks import current_schema
from tenants.ledger.receipts.tasks import build_batch


@pytest.fixture
def broker_down(monkeypatch):
    """Every publish fails as it does with Redis stopped (kombu's connection error)."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(app, "send_task", refuse)


@pytest.fixture
def published(monkeypatch):
    """What reaches the broker: (task, args, the schema it was sent from)."""
    sent: list[tuple[str, list, str]] = []

    def publish(name, args=None, **kwargs):
        sent.append((name, list(args or ()), connection.schema_name))

    monkeypatch.setattr(app, "send_task", publish)
    return sent


def test_a_refused_task_is_kept_once_with_its_schema_and_ids_only(in_alpha, broker_down):
    batch = uuid.uuid4()

    assert relay.send(current_schema) is False
    assert relay.send(current_schema) is False  # the same job refused twice: one row
    assert relay.send(build_batch, batch) is False

    rows = list(DeferredTask.objects.order_by("id").values("schema_name", "task", "args"))
    assert rows == [
        {"schema_name": "alpha", "task": "core.tasks.current_schema", "args": []},
        {"schema_name": "alpha", "task": build_batch.name, "args": [str(batch)]},
    ]
    assert DeferredTask.objects.get(args=[str(batch)]).last_error == "OperationalError"
    assert relay.waiting(build_batch, batch)
    assert not relay.waiting(build_batch, uuid.uuid4())
    # The row is in the public schema, whichever schema sent it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM public.relay_deferredtask")
        assert cursor.fetchone()[0] == 2


def test_only_ids_are_taken_and_a_wrong_call_is_no_outage(in_alpha, broker_down):
    with pytest.raises(TypeError):
        relay.send(build_batch, {"email": "someone@example.test"})
    with pytest.raises(TypeError):
        relay.send(current_schema, "an argument it does not take")
    assert not DeferredTask.objects.exists()


def test_on_commit_queues_after_the_commit_and_keeps_what_the_broker_refuses(
    in_alpha, broker_down, django_capture_on_commit_callbacks
):
    job = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        relay.on_commit(build_batch, job)
    assert not DeferredTask.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    assert DeferredTask.objects.get().args == [str(job)]


def test_the_relay_sends_each_job_from_its_own_schema_once_and_forgets_it(
    in_alpha, beta, monkeypatch, published
):
    relay.defer("core.tasks.current_schema", [], schema_name="alpha")
    relay.defer("tenants.ledger.receipts.tasks.build_batch", ["b-1"], schema_name="beta")
    relay.defer("associations.tasks.maintain_spare_schemas", [], schema_name="public")

    assert relay.relay() == {"sent": 3, "dropped": 0, "kept": 0}

    assert published == [
        ("core.tasks.current_schema", [], "alpha"),
        ("tenants.ledger.receipts.tasks.build_batch", ["b-1"], "beta"),
        ("associations.tasks.maintain_spare_schemas", [], "public"),
    ]
    assert connection.schema_name == "alpha"  # the caller's schema is left as it was
    assert not DeferredTask.objects.exists()
    assert relay.relay() == {"sent": 0, "dropped": 0, "kept": 0}
    assert len(published) == 3


def test_a_broker_still_down_keeps_every_job_and_counts_the_attempt(in_alpha, broker_down):
    relay.defer("core.tasks.current_schema", ["1"], schema_name="alpha")
    relay.defer("core.tasks.current_schema", ["2"], schema_name="alpha")

    assert relay.relay() == {"sent": 0, "dropped": 0, "kept": 2}

    attempts = [row.attempts for row in DeferredTask.objects.order_by("id")]
    # It stops at the first refusal: the broker is down for every job alike.
    assert attempts == [1, 0]
    assert DeferredTask.objects.count() == 2


def test_a_job_the_broker_refuses_for_itself_does_not_hold_up_the_others(in_alpha, monkeypatch):
    sent = []

    def publish(name, args=None, **kwargs):
        if args == ["bad"]:
            raise ValueError("cannot encode")
        sent.append(args)

    monkeypatch.setattr(app, "send_task", publish)
    relay.defer("core.tasks.current_schema", ["bad"], schema_name="alpha")
    relay.defer("core.tasks.current_schema", ["good"], schema_name="alpha")

    assert relay.relay() == {"sent": 1, "dropped": 0, "kept": 1}
    assert sent == [["good"]]
    kept = DeferredTask.objects.get()
    assert kept.args == ["bad"] and kept.attempts == 1 and kept.last_error == "ValueError"


def test_jobs_of_a_schema_that_is_gone_are_dropped(in_alpha, published):
    relay.defer("core.tasks.current_schema", [], schema_name="tszh_deleted_long_ago")

    assert relay.relay() == {"sent": 0, "dropped": 1, "kept": 0}
    assert published == [] and not DeferredTask.objects.exists()


def test_the_relay_reaches_the_real_broker_with_the_schema_header(in_alpha, settings):
    """Against this worker's real Redis: the message the relay publishes names the task, its
    ids and the schema a worker will run it in."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    marker = f"relay-{uuid.uuid4().hex}"
    relay.defer(build_batch.name, [marker], schema_name="beta")
    try:
        assert relay.relay()["sent"] == 1
        found = []
        for raw in client.lrange("celery", 0, -1):
            message = json.loads(raw)
            if marker in message["headers"].get("argsrepr", ""):
                found.append(message)
        assert len(found) == 1
        headers = found[0]["headers"]
        assert headers["task"] == build_batch.name
        assert headers["_schema_name"] == "beta"
    finally:
        for raw in client.lrange("celery", 0, -1):
            if marker.encode() in raw:
                client.lrem("celery", 0, raw)


def test_the_beat_schedule_runs_the_relay_every_minute_in_public(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["relay-deferred-tasks"]
    assert entry["task"] == "core.relay.tasks.relay" and entry["schedule"] == 60.0
    app.loader.import_default_modules()  # what a worker does at start: the autodiscovery
    assert "core.relay.tasks.relay" in app.tasks
