"""The operators' billing pages, under ``/console/billing/``."""

from django.urls import path

from billing.plans import console_views as views

app_name = "plans_console"

urlpatterns = [
    path("", views.index, name="index"),
    path("associations/<int:pk>/", views.association, name="association"),
    path("associations/<int:pk>/grant/", views.grant, name="grant"),
    path("associations/<int:pk>/trial/", views.trial, name="trial"),
    path("associations/<int:pk>/invoice/", views.issue_invoice, name="issue-invoice"),
    path("invoices/<uuid:pk>/confirm/", views.confirm, name="confirm"),
    path("statement/", views.statement, name="statement"),
]
