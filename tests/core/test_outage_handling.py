"""The pieces of outage handling that need no outage (tests/outages/ stops real servers):
the tolerant cache against a Redis nobody listens on, the classification of errors, and the
Idempotency-Key middleware."""

from __future__ import annotations

import uuid

import pytest
from django.db import InterfaceError, OperationalError

from core.cache import TolerantRedisCache
from core.outages import classify
from deploy.services import free_port
from tests.tenants.dispatch.support import file_request, member

API = "/api/v1/dispatch"


@pytest.fixture
def dead_cache():
    return TolerantRedisCache(
        f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.5}}
    )


def test_tolerant_cache_misses_and_drops_writes(dead_cache):
    assert dead_cache.get("k") is None
    assert dead_cache.get("k", "fallback") == "fallback"
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.add("k", 1) is False
    dead_cache.set("k", 1)
    assert dead_cache.set_many({"a": 1}) == ["a"]
    assert dead_cache.delete("k") is False
    assert dead_cache.has_key("k") is False
    assert dead_cache.get_or_set("k", 5) == 5
    with pytest.raises(ValueError):
        dead_cache.incr("k")


def test_classify():
    import psycopg
    import redis

    gone = OperationalError("server closed the connection unexpectedly")
    assert classify(gone) == "database"
    assert classify(InterfaceError("connection already closed")) == "database"
    bad_sql = OperationalError("division by zero")
    bad_sql.__cause__ = psycopg.errors.DivisionByZero()
    assert classify(bad_sql) is None
    shutdown = OperationalError("terminating connection due to administrator command")
    shutdown.__cause__ = psycopg.errors.AdminShutdown()
    assert classify(shutdown) == "database"
    assert classify(redis.exceptions.ConnectionError("refused")) == "redis"
    assert classify(ValueError("x")) is None


def test_idempotency_key_makes_a_change_once(in_alpha, alpha, client_of):
    from core.idempotency.models import IdempotentRequest
    from tenants.dispatch.models import Comment

    user, premises = member()
    filed = file_request(user, premises)
    client = client_of(alpha, user)
    path = f"{API}/requests/{filed.pk}/comments/"
    key = uuid.uuid4().hex

    def post(text, key=key, path=path):
        return client.post(
            path, {"text": text}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
        )

    first = post("один раз")
    assert first.status_code == 201
    again = post("один раз")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Comment.objects.filter(request=filed).count() == 1
    # Another key: another change; no key at all: as before.
    assert post("второй", key=uuid.uuid4().hex).status_code == 201
    assert client.post(path, {"text": "третий"}, content_type="application/json").status_code == (
        201
    )
    assert Comment.objects.filter(request=filed).count() == 3
    # A refused change keeps no claim: its retry runs afresh.
    refused_key = uuid.uuid4().hex
    assert post("", key=refused_key).status_code == 400
    assert not IdempotentRequest.objects.filter(key=refused_key).exists()
    # The same key for another request is refused.
    other = file_request(user, premises)
    reused = post("x", path=f"{API}/requests/{other.pk}/comments/")
    assert reused.status_code == 422
    assert post("x", key="x" * 101).status_code == 400
