from django.urls import path

from tenants.ledger.receipts import api, views

app_name = "receipts"

urlpatterns = [
    path("receipts/", views.index, name="index"),
    path("receipts/<uuid:account>/<str:month>/", views.receipt, name="receipt"),
    path("receipts/batches/start/", views.start_batch, name="start-batch"),
    path("receipts/batches/<uuid:pk>/", views.batch, name="batch"),
    path("api/v1/ledger/receipts/", api.Receipts.as_view(), name="api-receipts"),
]
