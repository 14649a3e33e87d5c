"""Views the every-method matrix is tried on (``tests/test_access_methods.py``): they must make
it fail. Used as ``ROOT_URLCONF`` by ``pytest.mark.urls`` only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.views import APIView

from core.access.decorators import role_required
from core.audit.services import record


def writes_then_refuses(request):
    """Checks access only after writing: the request's transaction undoes the entry, but the
    attempt is what the matrix must notice."""
    record("probe.refused-late")
    raise PermissionDenied


def shows_another_association(request):
    return HttpResponse(request.GET.get("show", ""))


@role_required("chairman")
@require_http_methods(["GET", "DELETE"])
def get_and_delete(request):
    return HttpResponse("")


@require_POST
def post_only(request):
    return HttpResponse("")


class Document(APIView):
    def get(self, request):
        return HttpResponse("")

    def put(self, request):
        return HttpResponse("")

    def patch(self, request):
        return HttpResponse("")


urlpatterns = [
    path("probe/refused-late/", writes_then_refuses, name="refused-late"),
    path("probe/shows/", shows_another_association, name="shows"),
    path("probe/get-and-delete/", get_and_delete, name="get-and-delete"),
    path("probe/post-only/", post_only, name="post-only"),
    path("probe/document/", Document.as_view(), name="document"),
    # The portal's own URLs too: the error pages and middleware reverse them.
    path("", include("config.urls_tenant")),
]
