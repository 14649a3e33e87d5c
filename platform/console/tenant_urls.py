"""The association's side of data exports, included under ``/export/`` of every portal."""

from django.urls import path

from console import tenant_views

app_name = "console"

urlpatterns = [
    path("", tenant_views.export_page, name="export"),
    path(
        "<uuid:export_id>/download/",
        tenant_views.export_download,
        name="export-download",
    ),
]
