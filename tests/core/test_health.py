"""Health probes answer on any host, before tenant routing."""

from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.mark.parametrize("host", ["localhost", "alpha.localhost", "10.1.2.3", "unknown.example"])
def test_healthz_answers_on_any_host(host):
    response = Client(HTTP_HOST=host).get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_dependency():
    response = Client(HTTP_HOST="10.1.2.3").get("/readyz")
    body = json.loads(response.content)
    assert body["checks"] == {"database": "ok", "redis": "ok", "keys": "ok"}
    assert response.status_code == 200


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_down(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["redis"] == "down"
