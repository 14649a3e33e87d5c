"""The accountant's pages under ``meters/accounting/`` (added to ``meters.urls``)."""

from django.urls import path

from tenants.meters import accounting_views as views

urlpatterns = [
    path("meters/accounting/", views.submissions, name="submissions"),
    path("meters/accounting/anomalies/", views.anomalies, name="anomalies"),
    path("meters/accounting/verifications/", views.verifications, name="verifications"),
    path("meters/accounting/norms/", views.norms, name="norms"),
    path("meters/accounting/import/", views.import_upload, name="import"),
    path("meters/accounting/import/<uuid:pk>/", views.import_preview, name="import-preview"),
]
