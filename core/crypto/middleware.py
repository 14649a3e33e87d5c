"""Key provider unreachable: a clear 503 (page or JSON); the request's transaction rolls back.

Two ways in: ``process_exception`` for errors raised by views, and ``server_error`` (the URL
maps' ``handler500``) for errors raised in middleware, e.g. while the signed-in user is loaded
and their encrypted fields' keys are fetched.
"""

from __future__ import annotations

import json
import logging
import sys

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from core.crypto.errors import ProviderPermissionDenied, ProviderUnavailable

logger = logging.getLogger(__name__)


def unavailable_response(request, exception: ProviderUnavailable) -> HttpResponse:
    reason = "denied access" if isinstance(exception, ProviderPermissionDenied) else "unreachable"
    logger.error("key provider %s while serving a request", reason)
    if request.path.startswith("/api/"):
        detail = "The encryption key store is unavailable. Nothing was written."
        body = json.dumps({"detail": detail})
        response = HttpResponse(body, status=503, content_type="application/json")
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "60"
    return response


def server_error(request, *args, **kwargs):
    """``handler500``: the key store's outage is a 503 with its own page, so is a database or
    Redis outage (core/outages.py), anything else a 500."""
    from core import outages

    exception = sys.exc_info()[1]
    if isinstance(exception, ProviderUnavailable):
        return unavailable_response(request, exception)
    kind = outages.classify(exception)
    if kind is not None:
        return outages.unavailable_response(request, kind)
    return defaults.server_error(request, *args, **kwargs)


class KeyProviderUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ProviderUnavailable):
            return unavailable_response(request, exception)
        return None
