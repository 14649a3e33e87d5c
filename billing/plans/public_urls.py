"""Billing's webhook on the public site (``/billing/``); the console's pages are
``billing.plans.console_urls`` under ``/console/billing/``."""

from django.urls import path

from billing.plans import webhooks

app_name = "plans_webhooks"

urlpatterns = [
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe"),
]
