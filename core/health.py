"""Liveness and readiness probes, answered before tenant routing and host checks.

``/healthz``: the process is alive. ``/readyz``: the database, Redis and the key store answer.
Kubernetes calls them with the pod's IP as host, so they must not depend on the host name.
"""

from __future__ import annotations

import json
import logging

from django.db import connection
from django.http import HttpResponse

logger = logging.getLogger(__name__)


def _json(payload: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(payload), status=status, content_type="application/json")


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def check_key_store() -> None:
    from core.crypto.registry import get_provider

    get_provider().check()


CHECKS = {"database": check_database, "redis": check_redis, "keys": check_key_store}


def readiness() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - a probe reports every failure as "down"
            logger.warning("readiness check %s failed: %s", name, type(exc).__name__)
            results[name] = "down"
        else:
            results[name] = "ok"
    return all(v == "ok" for v in results.values()), results


class HealthProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return _json({"status": "ok"})
        if request.path == "/readyz":
            ready, checks = readiness()
            return _json(
                {"status": "ok" if ready else "unavailable", "checks": checks},
                status=200 if ready else 503,
            )
        return self.get_response(request)
