"""The association's side of a data export: the chairman's page and download.

The bundle holds the members' decrypted data, so it is served only here, on the association's
own portal, to a signed-in chairman who has confirmed the second factor. Operators never get it:
their sessions live in the public schema, and the console links to nothing here.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from console import selectors, services
from console.bundle import decrypted_chunks
from core.access import twofactor
from core.access.decorators import role_required
from core.access.roles import EXPORT_RECEIVERS
from core.crypto import keyring


def _second_factor_confirmed(request) -> bool:
    # SecondFactorMiddleware already enforces it for board roles; checked again here because
    # this page hands out every member's data.
    return twofactor.is_verified(request)


def _to_second_factor(request):
    return redirect_to_login(request.get_full_path(), login_url=reverse("access:second_factor"))


@role_required(*EXPORT_RECEIVERS)
@require_GET
def export_page(request):
    """The association's data exports: being prepared, or ready to download until they expire."""
    if not _second_factor_confirmed(request):
        return _to_second_factor(request)
    return render(
        request,
        "console/tenant_export.html",
        {"exports": selectors.exports_for_chairman(request.tenant)},
    )


@role_required(*EXPORT_RECEIVERS)
@require_GET
def export_download(request, export_id):
    """The bundle (a zip), decrypted as it streams; the download is audited."""
    if not _second_factor_confirmed(request):
        return _to_second_factor(request)
    export = selectors.downloadable_export(request.tenant, export_id)
    if export is None:
        raise Http404
    # The data key is fetched now, inside the association's schema; the chunks stream later.
    key = keyring.key_for_ref(export.key_ref)
    services.record_download(export, actor=request.user)
    response = StreamingHttpResponse(
        decrypted_chunks(export, key, request.tenant.schema_name), content_type="application/zip"
    )
    day = timezone.localdate(export.finished_at).isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="{request.tenant.slug}-export-{day}.zip"'
    )
    response["Content-Length"] = str(export.size_bytes)
    response["Cache-Control"] = "no-store"
    return response
