"""Private files, under ``files/`` of an association's portal: only through this view."""

from django.urls import path

from tenants.files import views

app_name = "files"

urlpatterns = [
    path("<uuid:pk>/", views.download, name="download"),
]
