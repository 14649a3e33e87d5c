"""A dependency down while a request is served: a clear 503, never a 500 with a traceback
(docs/operations.md, "When a dependency is down").

* PostgreSQL unreachable or restarting (``django.db`` ``OperationalError`` / ``InterfaceError``
  that are connection failures, not bad SQL): the request's transaction is gone with its
  connection, so nothing of it was committed unless the commit itself was acknowledged; the page
  asks the visitor to check before repeating. Django drops the broken connection at the end of the
  request and the next request opens a new one (``CONN_HEALTH_CHECKS``), so the server recovers
  without a restart.
* Redis unreachable where it cannot be skipped (rate limits, which fail closed): 503.
* The key store: core/crypto/middleware.py (its own page: "nothing was written").

``classify`` names the outage of an exception (or None); ``DependencyUnavailableMiddleware``
answers errors raised in views, ``core.crypto.middleware.server_error`` (``handler500``) those
raised in middleware (a session read from the database, the tenant's routing).
"""

from __future__ import annotations

import json
import logging

from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

#: SQLSTATE classes of a server going away or not yet accepting connections: 08 (connection
#: exception), 57P01-57P03 (admin/crash shutdown, cannot connect now).
_SERVER_GONE = ("08", "57P01", "57P02", "57P03")


def _database_outage(exception: BaseException) -> bool:
    from django.db import InterfaceError, OperationalError

    if isinstance(exception, InterfaceError):
        return True  # "connection already closed"
    if not isinstance(exception, OperationalError):
        return False
    cause = exception.__cause__
    state = getattr(cause, "sqlstate", None)
    if state:
        return state.startswith(_SERVER_GONE)
    # psycopg raises OperationalError without a SQLSTATE when it cannot connect at all or the
    # server closed the connection unexpectedly.
    return True


def classify(exception: BaseException | None) -> str | None:
    """``"database"``, ``"redis"`` or None."""
    if exception is None:
        return None
    if _database_outage(exception):
        return "database"
    from core.cache import redis_errors

    if isinstance(exception, redis_errors()):
        return "redis"
    return None


def unavailable_response(request, kind: str) -> HttpResponse:
    logger.error("%s unreachable while serving a request", kind)
    if request is not None and request.path.startswith("/api/"):
        detail = "The service is temporarily unavailable. Check before you repeat a change."
        response = HttpResponse(
            json.dumps({"detail": detail}), status=503, content_type="application/json"
        )
    else:
        response = HttpResponse(render_to_string("503_dependency.html"), status=503)
    response["Retry-After"] = "30"
    return response


class DependencyUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        kind = classify(exception)
        if kind is None:
            return None
        return unavailable_response(request, kind)
