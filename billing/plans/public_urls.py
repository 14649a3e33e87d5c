"""Billing's webhook on the public site (``/billing/``); the console's pages are
``billing.plans.console_urls`` under ``/console/billing/``."""

from django.urls import path

from billing.plans import connect, webhooks

app_name = "plans_webhooks"

urlpatterns = [
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe"),
    # Stripe Connect: every connected account's events, routed by ``account`` (connect.py).
    path("stripe/connect/webhook/", connect.connect_webhook, name="stripe-connect"),
]
