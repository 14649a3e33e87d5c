"""The association's plan pages (under ``/settings/plan/`` of its portal)."""

from django.urls import path

from billing.plans import tenant_views as views

app_name = "plans"

urlpatterns = [
    path("", views.index, name="index"),
    path("change/", views.change, name="change"),
    path("card/", views.card, name="card"),
    path("invoices/<uuid:pk>/invoice.pdf", views.invoice_pdf, name="invoice-pdf"),
    path("invoices/<uuid:pk>/act.pdf", views.act_pdf, name="act-pdf"),
]
