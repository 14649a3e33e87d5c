"""The association's profile, under ``settings/profile/`` of its portal."""

from django.urls import path

from tenants.profile import views

app_name = "profile"

urlpatterns = [
    path("", views.index, name="index"),
    path("legal/", views.legal, name="legal"),
    path("contacts/", views.contacts, name="contacts"),
    path("recipients/new/", views.recipient_create, name="recipient-create"),
    path("recipients/<uuid:pk>/", views.recipient_edit, name="recipient-edit"),
    path("recipients/<uuid:pk>/delete/", views.recipient_delete, name="recipient-delete"),
    path("operations/", views.operational_settings, name="settings"),
    path("logo/", views.logo, name="logo"),
    path("logo/remove/", views.logo_remove, name="logo-remove"),
]
