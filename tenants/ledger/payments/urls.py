"""The payment and penalty pages, spread into ``tenants/ledger/urls.py``'s patterns: their names
are the ledger's (``ledger:payments``, ``ledger:debtors``...) and so is their app."""

from django.urls import path

from tenants.ledger.payments import api, views

urlpatterns = [
    path("ledger/payments/", views.payments, name="payments"),
    path("ledger/payments/add/", views.payment_add, name="payment-add"),
    path("ledger/payments/statements/upload/", views.statement_upload, name="statement-upload"),
    path("ledger/payments/statements/<uuid:pk>/", views.statement, name="statement"),
    path(
        "ledger/payments/statements/<uuid:pk>/confirm/",
        views.statement_confirm,
        name="statement-confirm",
    ),
    path("ledger/payments/queue/", views.queue, name="queue"),
    path("ledger/payments/queue/<uuid:pk>/assign/", views.queue_assign, name="queue-assign"),
    path("ledger/debtors/", views.debtors, name="debtors"),
    path(
        "ledger/debtors/<uuid:pk>/penalties/",
        views.penalty_calculation,
        name="penalty-calculation",
    ),
    path("ledger/debtors/<uuid:pk>/court-order/", views.court_order, name="court-order"),
    path("ledger/payments/instalments/", views.instalments, name="instalments"),
    path("ledger/payments/instalments/add/", views.instalment_add, name="instalment-add"),
    path("api/v1/ledger/payments/", api.Payments.as_view(), name="api-payments"),
    path("api/v1/ledger/debtors/", api.Debtors.as_view(), name="api-debtors"),
]
