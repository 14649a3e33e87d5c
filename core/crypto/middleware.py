"""Key provider unreachable: a clear 503 (page or JSON); the request's transaction rolls back."""

from __future__ import annotations

import json
import logging

from django.http import HttpResponse
from django.template.loader import render_to_string

from core.crypto.errors import ProviderUnavailable

logger = logging.getLogger(__name__)


class KeyProviderUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ProviderUnavailable):
            return None
        logger.error("key provider unavailable while serving a request")
        if request.path.startswith("/api/"):
            body = json.dumps(
                {"detail": "The encryption key store is unavailable. Nothing was written."}
            )
            response = HttpResponse(body, status=503, content_type="application/json")
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
