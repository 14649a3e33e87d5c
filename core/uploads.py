"""Refusing an oversized upload before it is read.

Django stores an upload in a temporary file before a view sees it. ``LimitedUpload`` is put in
front of the request's upload handlers: a request whose declared length is over the limit is not
parsed at all (its body is never read), and a body that turns out longer than declared is cut
off at the limit. The view then answers with a clear message (413); in production the reverse
proxy should refuse bodies over ~21 MB before they reach the app (see docs/development.md).

Used by every view that takes a file (the registry import, the file store's uploads, the
association's logo...), most through ``upload_too_large(request, max_file_bytes)``.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

#: The form's other fields and the multipart framing around the file.
FORM_OVERHEAD = 64 * 1024


class LimitedUpload(FileUploadHandler):
    def __init__(self, max_file_bytes: int, request=None):
        super().__init__(request)
        self.max_file_bytes = max_file_bytes
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.max_file_bytes + FORM_OVERHEAD:
            self.exceeded = True
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_file_bytes:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_too_large(request, max_file_bytes: int) -> bool:
    """Parse ``request``'s body now, with ``LimitedUpload(max_file_bytes)`` in front of its
    upload handlers: True when it was over the limit (what was over was never read).

    A view calls it before anything else reads the body (the CSRF check does: such a view is
    ``csrf_exempt`` and checks the token itself once this has run)."""
    limit = LimitedUpload(max_file_bytes, request)
    request.upload_handlers.insert(0, limit)
    request.POST  # noqa: B018 - parse now, under the limit
    return limit.exceeded


#: The largest request body the portal takes anywhere (the dispatch desk's ten photos, 50 MB,
#: and the form around them); ``TSZH_MAX_REQUEST_BYTES`` in the settings overrides it.
MAX_REQUEST_BYTES = 50 * 1024 * 1024 + FORM_OVERHEAD


def max_request_bytes() -> int:
    from django.conf import settings

    return int(getattr(settings, "TSZH_MAX_REQUEST_BYTES", MAX_REQUEST_BYTES))


def _too_large_answer(request):
    from django.http import HttpResponse, JsonResponse
    from django.utils.translation import gettext as _

    message = _("The request is too large: at most %(size)d MB.") % {
        "size": max_request_bytes() // (1024 * 1024)
    }
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": message}, status=413, json_dumps_params={"ensure_ascii": False}
        )
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class RequestBodyCeiling:
    """Middleware: a request declaring a body over ``max_request_bytes()`` is answered 413
    before anything reads it, whatever view it is for (an API view without a file field still
    parses a multipart body into temporary files). Views that take files set lower limits of
    their own with ``LimitedUpload``; the reverse proxy should refuse such bodies first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_request_bytes():
            return _too_large_answer(request)
        return self.get_response(request)


class CeilingUpload(FileUploadHandler):
    """The first of the default upload handlers: a body sent without a declared length (chunked)
    is cut off once its files pass ``max_request_bytes()`` in all."""

    def __init__(self, request=None):
        super().__init__(request)
        self.total = 0

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        if self.total > max_request_bytes():
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
