"""The association's side of data exports, included under ``/export/`` of every portal."""

from django.urls import path

from console import tenant_views

urlpatterns = [
    path("", tenant_views.export_page, name="association-export"),
    path(
        "<uuid:export_id>/download/",
        tenant_views.export_download,
        name="association-export-download",
    ),
]
