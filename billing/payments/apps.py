from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Members' online payments: one provider interface, webhooks, refunds, reconciliation.

    A tenant app (each association's schema) under ``billing/``: it posts what a provider
    confirms on the personal account through the ledger's services (docs/payments.md)."""

    name = "billing.payments"
    label = "payments"
    verbose_name = _("Online payments")
