"""The operators' console, under ``/console/`` of the public site."""

from django.urls import path

from console import views

app_name = "console"

urlpatterns = [
    path("", views.index, name="index"),
    path("associations/<int:pk>/", views.association_detail, name="association"),
    path(
        "associations/<int:pk>/suspend/",
        views.association_suspend,
        name="association-suspend",
    ),
    path(
        "associations/<int:pk>/reactivate/",
        views.association_reactivate,
        name="association-reactivate",
    ),
    path(
        "associations/<int:pk>/export/",
        views.association_export,
        name="association-export",
    ),
    path(
        "associations/<int:pk>/export/status/",
        views.association_export_status,
        name="association-export-status",
    ),
    path(
        "associations/<int:pk>/delete/",
        views.association_delete,
        name="association-delete",
    ),
    path(
        "associations/<int:pk>/chair/",
        views.association_chair,
        name="association-chair",
    ),
    path("audit/", views.audit_log, name="audit"),
]
