"""The one way out for private files: an access-checked download."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from tenants.files import selectors


@require_GET
def download(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    stored, purpose = selectors.file_for_reader(request.user, pk)
    response = StreamingHttpResponse(
        selectors.open_content(stored), content_type=stored.content_type
    )
    response["Content-Length"] = str(stored.size)
    # RFC 6266 with the RFC 5987 ``filename*`` for names outside ASCII.
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not purpose.inline, filename=stored.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Nothing served here may run as a page of the portal (a crafted file opened inline).
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    # A file never changes under its id; a holder's file is never kept by the browser.
    response["Cache-Control"] = (
        "private, no-store" if stored.holding_id else "private, max-age=3600"
    )
    return response
