from django.urls import path

from tenants.ledger.receipts import views

app_name = "receipts"

urlpatterns = [
    path("receipts/", views.index, name="index"),
    path("receipts/<uuid:account>/<str:month>/", views.receipt, name="receipt"),
    path("receipts/batches/start/", views.start_batch, name="start-batch"),
    path("receipts/batches/<uuid:pk>/", views.batch, name="batch"),
]
