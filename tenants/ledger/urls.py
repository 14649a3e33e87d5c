"""The ledger's pages and its API under ``api/v1/ledger/`` (namespace ``ledger``)."""

from django.urls import path

from tenants.ledger import api, views
from tenants.ledger.payments import urls as payment_urls

app_name = "ledger"

urlpatterns = [
    path("money/", views.home, name="home"),
    path("money/accounts/<uuid:pk>/", views.account, name="account"),
    path(
        "money/accounts/<uuid:pk>/reconciliation/",
        views.reconciliation,
        name="reconciliation",
    ),
    path("money/entries/<int:pk>/", views.entry, name="entry"),
    path("ledger/", views.accruals, name="accruals"),
    path("ledger/finances/", views.finances, name="finances"),
    path("ledger/services/add/", views.service_add, name="service-add"),
    path("ledger/services/<uuid:pk>/", views.service, name="service"),
    path("ledger/runs/start/", views.run_start, name="run-start"),
    path("ledger/runs/<uuid:pk>/", views.run, name="run"),
    path("ledger/runs/<uuid:pk>/progress/", views.run_progress, name="run-progress"),
    path("ledger/runs/<uuid:pk>/post/", views.run_confirm, name="run-confirm"),
    path("ledger/runs/<uuid:pk>/discard/", views.run_discard, name="run-discard"),
    path("ledger/periods/close/", views.period_close, name="period-close"),
    # the payment pages: their own module, the ledger's namespace and app
    *payment_urls.urlpatterns,
    path("api/v1/ledger/balances/", api.Balances.as_view(), name="api-balances"),
    path("api/v1/ledger/accounts/<uuid:pk>/journal/", api.Journal.as_view(), name="api-journal"),
    path("api/v1/ledger/runs/", api.Runs.as_view(), name="api-runs"),
    path("api/v1/ledger/tariffs/", api.Tariffs.as_view(), name="api-tariffs"),
]
