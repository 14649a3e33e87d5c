"""Billing's addresses on the public site: the Stripe webhook and the console's pages."""

from django.urls import include, path

from billing.plans import webhooks

urlpatterns = [
    path("billing/stripe/webhook/", webhooks.stripe_webhook, name="plans-stripe-webhook"),
    path("console/billing/", include("billing.plans.console_urls")),
]
