"""The operators' console, under ``/console/`` of the public site."""

from django.urls import path

from console import views

urlpatterns = [
    path("", views.index, name="console-index"),
    path("associations/<int:pk>/", views.association_detail, name="console-association"),
    path(
        "associations/<int:pk>/suspend/",
        views.association_suspend,
        name="console-association-suspend",
    ),
    path(
        "associations/<int:pk>/reactivate/",
        views.association_reactivate,
        name="console-association-reactivate",
    ),
    path(
        "associations/<int:pk>/export/",
        views.association_export,
        name="console-association-export",
    ),
    path(
        "associations/<int:pk>/export/status/",
        views.association_export_status,
        name="console-association-export-status",
    ),
    path(
        "associations/<int:pk>/delete/",
        views.association_delete,
        name="console-association-delete",
    ),
    path("audit/", views.audit_log, name="console-audit"),
]
