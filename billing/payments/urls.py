"""Online payments' pages and the providers' webhooks (namespace ``payments``)."""

from django.urls import path

from billing.payments import api, views

app_name = "payments"

urlpatterns = [
    path("money/accounts/<uuid:pk>/pay/", views.pay, name="pay"),
    path("money/online/<uuid:pk>/", views.payment, name="payment"),
    path("money/online/<uuid:pk>/confirm/", views.confirm, name="confirm"),
    path("money/online/<uuid:pk>/return/<str:token>/", views.payment_return, name="return"),
    path("money/online/<uuid:pk>/test-checkout/", views.test_checkout, name="test-checkout"),
    path("ledger/online/", views.board, name="board"),
    path("ledger/online/reconcile/", views.reconcile, name="reconcile"),
    path("ledger/online/<uuid:pk>/refund/", views.refund, name="refund"),
    path("settings/online-payments/", views.settings_page, name="settings"),
    path("settings/online-payments/stripe/connect/", views.stripe_connect, name="stripe-connect"),
    path("settings/online-payments/stripe/refresh/", views.stripe_refresh, name="stripe-refresh"),
    path("api/v1/payments/", api.PaymentList.as_view(), name="api-payments"),
    path("api/v1/payments/<uuid:pk>/", api.PaymentDetail.as_view(), name="api-payment"),
    # Each provider its own endpoint and its own secret; no session, no CSRF: the signature.
    path("payments/webhooks/stripe/", views.webhook_stripe, name="webhook-stripe"),
    path("payments/webhooks/tbank/", views.webhook_tbank, name="webhook-tbank"),
    path("payments/webhooks/test/", views.webhook_test, name="webhook-test"),
]
