"""``Idempotency-Key``: a client that repeats a change after a lost answer never makes it twice.

A change (POST, PUT, PATCH, DELETE) sent by a signed-in user with an ``Idempotency-Key`` header
(any string of up to 100 printable characters, new for each change, the same for its retries)
runs in one transaction with a row that claims the key. The row is committed with the change
when the answer is a success (2xx or 3xx), deleted otherwise, so:

* a retry after a lost answer (the server or its database restarted during the commit, the
  network dropped the answer) finds the row and gets the same status again, marked
  ``Idempotent-Replayed: true``, without the change being made again;
* a retry after a refusal or an outage (503: nothing committed) runs the change afresh;
* a retry while the first attempt still runs waits for it (the key's unique index) and then
  replays its answer;
* a key reused for another method or path is refused (422).

The answer's body is not kept (it may carry personal data in clear): a replay says the change
was already made. Rows are purged after ``RETENTION`` (core.idempotency.tasks via beat).
Requests without the header are untouched.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse

HEADER = "HTTP_IDEMPOTENCY_KEY"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY = 100
RETENTION = timedelta(days=1)


def _json(status: int, detail: str, **headers) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"detail": detail}), status=status, content_type="application/json"
    )
    for name, value in headers.items():
        response[name] = value
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER, "")
        if (
            not key
            or request.method not in UNSAFE
            or connection.schema_name == settings.PUBLIC_SCHEMA_NAME
            or not getattr(request, "user", None)
            or not request.user.is_authenticated
        ):
            return self.get_response(request)
        if len(key) > MAX_KEY or not key.isprintable():
            return _json(400, "Idempotency-Key: up to 100 printable characters.")
        from core.idempotency.models import IdempotentRequest

        with transaction.atomic():
            IdempotentRequest.objects.bulk_create(
                [
                    IdempotentRequest(
                        key=key, user=request.user, method=request.method, path=request.path
                    )
                ],
                ignore_conflicts=True,
            )
            claim = IdempotentRequest.objects.select_for_update().get(user=request.user, key=key)
            if claim.method != request.method or claim.path != request.path:
                return _json(422, "This Idempotency-Key was used for another request.")
            if claim.status is not None:
                return _json(
                    claim.status,
                    "This change was already made; it was not made again.",
                    **{"Idempotent-Replayed": "true"},
                )
            response = self.get_response(request)
            if response.status_code < 400:
                claim.status = response.status_code
                claim.save(update_fields=["status"])
            else:
                claim.delete()
        return response
